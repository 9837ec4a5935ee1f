/*
 * Insight, private by design: tells our own claim service (POST {claims_url}/events, same
 * origin) what customers searched for, how many results they saw, which one they opened, and
 * their "Was this helpful?" answers. Each report is one small JSON beacon: it never holds up
 * the page, sets no cookie and carries nothing about the reader.
 */
;(() => {
  "use strict"

  const meta = document.querySelector('meta[name="hc-claims-url"]')
  if (!meta || !navigator.sendBeacon) return
  const endpoint = meta.content.replace(/\/+$/, "") + "/events"
  const LONGEST_TERM = 100
  const SETTLE_MS = 1500 // a query is final once the customer stops typing this long

  /* One report; false when the browser would not queue it */
  function report(data) {
    return navigator.sendBeacon(endpoint, JSON.stringify(data))
  }

  /* Searches: the final query of each burst of typing, with the number of results shown */
  const query = document.querySelector("[data-md-component=search-query]")
  const result = document.querySelector("[data-md-component=search-result]")
  let timer
  let reported = ""

  function currentTerm() {
    return query.value.trim().toLowerCase().slice(0, LONGEST_TERM)
  }

  function resultsShown() {
    const list = result.querySelector(".md-search-result__list")
    const count = (result.querySelector(".md-search-result__meta") || {}).textContent || ""
    const total = count.match(/\d+/)
    return Math.min(total ? Number(total[0]) : list ? list.children.length : 0, 1000)
  }

  function reportSearch() {
    clearTimeout(timer)
    timer = undefined
    const term = currentTerm()
    if (term === "" || term === reported) return
    reported = term
    report({ event: "search", term, results: resultsShown() })
  }

  if (query && result) {
    query.addEventListener("input", () => {
      clearTimeout(timer)
      timer = setTimeout(reportSearch, SETTLE_MS)
    })
    /* Leaving the page (or opening a result) ends the burst at once */
    addEventListener("pagehide", reportSearch)
    result.addEventListener("click", event => {
      const link = event.target.closest("a.md-search-result__link")
      if (!link || currentTerm() === "") return
      reportSearch()
      const page = new URL(link.href, location.href)
      if (page.origin === location.origin)
        report({ event: "open", term: currentTerm(), page: page.pathname })
    })
  }

  /* "Was this helpful?": sent as a beacon, thanked in place; the plain form is the fallback */
  document.addEventListener("submit", event => {
    const form = event.target.closest("form[data-hc-helpful]")
    const answer = event.submitter && event.submitter.value
    if (!form || !answer) return
    const missing = form.elements.missing.value.trim()
    const sent = report({
      event: "helpful",
      page: location.pathname,
      question: form.elements.question.value,
      answer,
      ...(missing ? { missing } : {}),
    })
    if (!sent) return
    event.preventDefault()
    const thanks = document.createElement("p")
    thanks.className = "hc-helpful__thanks"
    thanks.setAttribute("role", "status")
    thanks.textContent = "Thank you, your answer helps us improve this page."
    thanks.tabIndex = -1 // the button pressed is gone: keep the reader's place
    form.replaceWith(thanks)
    thanks.focus()
  })
})()
