/*
 * Material's search, usable with a keyboard and a screen reader.
 *
 * Material announces nothing when results come, its result links have no accessible name in
 * Chromium, they are reachable with the arrow keys only, and Escape or Tab close the search
 * leaving the focus on the page itself. Here: the number of results is said once the customer
 * stops typing, each result link is named by what it shows and is a tab stop, Tab moves through
 * the results (leaving them closes the search), and Escape goes back to where the customer
 * was before the search.
 */
(() => {
  const ANNOUNCE_AFTER_MS = 500 // said once typing pauses, not after every letter
  const search = document.querySelector("[data-md-component=search]")
  const toggle = document.querySelector("[data-md-toggle=search]")
  const query = document.querySelector("[data-md-component=search-query]")
  const result = document.querySelector("[data-md-component=search-result]")
  if (!search || !toggle || !query || !result) return
  const meta = result.firstElementChild
  const list = result.lastElementChild

  /* The number of results, said once in a status region of its own (Material rewrites its
     count on every letter typed) */
  function announceResults() {
    const status = document.createElement("div")
    status.className = "hc-visually-hidden"
    status.setAttribute("role", "status")
    status.dataset.searchStatus = ""
    result.before(status)
    let pending
    new MutationObserver(() => {
      clearTimeout(pending)
      pending = setTimeout(() => {
        const count = query.value.trim() ? meta.textContent.trim() : ""
        if (status.textContent !== count) status.textContent = count
      }, ANNOUNCE_AFTER_MS)
    }).observe(meta, { childList: true, characterData: true, subtree: true })
  }

  /* Each result link named by what it shows, and reached with Tab like any link. Chromium
     names a link from its text, but not through the <article> Material puts inside it */
  function nameResults() {
    const name = link => {
      link.tabIndex = 0
      link.querySelectorAll("article").forEach(article => article.setAttribute("role", "none"))
    }
    new MutationObserver(() => list.querySelectorAll("a").forEach(name))
      .observe(list, { childList: true, subtree: true })
  }

  /* Tab and Escape as in any dialog: Tab moves on, Escape returns */
  function keepFocus() {
    let cameFrom
    const close = () => {
      toggle.checked = false
      toggle.dispatchEvent(new Event("change"))
    }
    query.addEventListener("focus", event => {
      if (!search.contains(event.relatedTarget)) cameFrom = event.relatedTarget
    })
    // Material closes the search on Tab, onto the hidden results: Tab is ours
    search.addEventListener("keydown", event => {
      if (event.key === "Tab") event.stopPropagation()
      if (event.key === "Escape") {
        // after Material has closed the search and dropped the focus
        setTimeout(() => (cameFrom || document.querySelector(".hc-hero__input") ||
          document.querySelector(".md-header__button.md-logo")).focus())
      }
    })
    // Past the last result (or before the box), the search closes, not to cover the focus
    search.addEventListener("focusout", event => {
      if (toggle.checked && event.relatedTarget && !search.contains(event.relatedTarget)) close()
    })
  }

  announceResults()
  nameResults()
  keepFocus()
})()
