/*
 * Search that understands how customers type, on top of Material's search.
 *
 * Material's search finds a word from its first letters ("refund" finds "refunds"), but
 * not from a longer form or a slip ("refunds", "refnd" find nothing when the page says
 * "refund"). Material sends each query to its search worker as a message; just before it
 * goes, each word is replaced by the word the customer meant: without its ending when the
 * index has that word, or else, for a word the index does not know, the most common word
 * one keystroke away. A real word (from the build's English word list) is never a slip:
 * "tracking" stays "tracking", though "crack" is one keystroke from "track". Little words
 * ("i", "my") are left out: search would look for every word starting with them. The words
 * come from search/words.json (help_site/vocabulary.py, help_site/real_words.py).
 *
 * When a search finds nothing, the panel offers a way forward: the claim form and the
 * topic pages (the template at the end of partials/search.html).
 */
(() => {
  const QUERY = 2 // Material's message type for a query to its search worker
  const LETTERS = "abcdefghijklmnopqrstuvwxyz'’"
  const ENDINGS = [["'s", ""], ["ies", "y"], ["ied", "y"], ["ing", ""], ["es", ""],
    ["ed", ""], ["s", ""], ["d", ""]]

  /* The words of the index, for finding the one a customer meant */
  class Vocabulary {
    constructor({ words = [], ignored = [], real = [] }) {
      this.rank = new Map(words.map((word, rank) => [word, rank]))
      this.sorted = [...words].sort()
      this.ignored = new Set(ignored)
      this.real = new Set(real)
    }

    /* Whether `word` is spelled right: it, or it without its ending, is a real word */
    isReal(word, stems) {
      return [word, ...stems].some(form => this.real.has(form))
    }

    /* The first word (alphabetically) starting with `start`: search finds `start` if any */
    completion(start) {
      let low = 0
      let high = this.sorted.length
      while (low < high) {
        const middle = (low + high) >> 1
        if (this.sorted[middle] < start) low = middle + 1
        else high = middle
      }
      const word = this.sorted[low]
      return word !== undefined && word.startsWith(start) ? word : undefined
    }

    /* The word the customer meant by `word` (in lower case) */
    meant(word) {
      if (word.length < 4 || /\d/.test(word)) return word
      const shortest = words => words.reduce((a, b) => (b.length < a.length ? b : a))

      // An ending search would not find: "refunds" → "refund" (which finds "refunds" too)
      const stems = withoutEndings(word)
      const whole = stems.filter(stem => this.rank.has(stem))
      if (whole.length) return shortest(whole)
      if (this.completion(word)) return word
      // A real word is meant as typed: "charged" is not the start of "charger"
      if (this.isReal(word, stems)) return word
      const starts = stems.filter(stem => stem.length >= 4 && this.completion(stem))
      if (starts.length) return shortest(starts)

      // A slip: the whole word most often used, else the longest start of a word
      let best = word
      let bestScore = [Infinity]
      for (const source of [word, ...stems])
        for (const candidate of oneSlipAway(source)) {
          const found = this.completion(candidate)
          if (!found) continue
          const score = this.rank.has(candidate)
            ? [0, this.rank.get(candidate)]
            : [1, -candidate.length, this.rank.get(found)]
          if (ranksBefore(score, bestScore)) [best, bestScore] = [candidate, score]
        }
      return best
    }

    /* The query with each word replaced by the word meant, and without the words search
       should leave out: Material would look for words starting with "i", "my" or "do".
       The word still being typed stays, as it may be the start of another ("can…cel") */
    correct(query) {
      if (!this.sorted.length) return query
      return query.replace(/[\p{L}\p{N}'’]+/gu, (word, at) => {
        const lower = word.toLowerCase()
        if (this.ignored.has(lower)) return at + word.length < query.length ? "" : word
        const meant = this.meant(lower)
        return meant === lower ? word : meant
      })
    }
  }

  /* Whether score `a` ranks before score `b` (compared element by element) */
  function ranksBefore(a, b) {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i]
    return false
  }

  /* The word without a common ending: "refunds" → "refund", "cancelled" → "cancel" */
  function withoutEndings(word) {
    const stems = []
    for (const [ending, replacement] of ENDINGS)
      if (word.endsWith(ending) && word.length - ending.length >= 3) {
        const stem = word.slice(0, -ending.length) + replacement
        stems.push(stem)
        if (/([^aeiou])\1$/.test(stem)) stems.push(stem.slice(0, -1))
      }
    return stems
  }

  /* Every word one slip away: a letter left out, one too many, a wrong one, two swapped.
     Short words are only tried with a letter added or two swapped: "sent" is not "went" */
  function* oneSlipAway(word) {
    const short = word.length < 5
    for (let i = 0; i < word.length; i++) {
      const [before, after] = [word.slice(0, i), word.slice(i + 1)]
      if (i + 1 < word.length) yield before + word[i + 1] + word[i] + word.slice(i + 2)
      for (const letter of LETTERS) yield before + letter + word.slice(i)
      if (short) continue
      yield before + after
      for (const letter of LETTERS) yield before + letter + after
    }
  }

  const config = JSON.parse(document.getElementById("__config").textContent)
  const base = new URL(`${config.base}/`, location.href)
  const vocabulary = fetch(new URL("search/words.json", base))
    .then(response => (response.ok ? response.json() : {}))
    .then(words => new Vocabulary(words))
    .catch(() => new Vocabulary({}))

  /* Correct each query on its way to the worker, keeping the order they were typed in.
     Should anything go wrong, the query goes as typed: search must never stop answering */
  const post = Worker.prototype.postMessage
  Worker.prototype.postMessage = function (message, ...options) {
    if (message?.type !== QUERY || typeof message.data !== "string")
      return post.call(this, message, ...options)
    vocabulary.then(words => {
      let data = message.data
      try {
        data = words.correct(data)
      } catch (error) {
        console.warn("Search query sent as typed:", error)
      }
      post.call(this, { ...message, data }, ...options)
    })
  }

  /* Nothing found: show the way forward under "No matching documents" */
  const query = document.querySelector("[data-md-component=search-query]")
  const result = document.querySelector("[data-md-component=search-result]")
  const template = document.getElementById("hc-search-help")
  if (!query || !result || !template) return
  const meta = result.firstElementChild
  const list = result.lastElementChild
  let help
  new MutationObserver(() => {
    const nothing = query.value.trim() !== "" && list.children.length === 0
    if (nothing && !help) {
      help = template.content.firstElementChild.cloneNode(true)
      meta.after(help)
    } else if (!nothing && help) {
      help.remove()
      help = undefined
    }
  }).observe(meta, { childList: true })

  /* Enter with nothing found stays put (Material would look for a best result to open) */
  query.addEventListener("keydown", event => {
    if (event.key === "Enter" && help) {
      event.preventDefault()
      event.stopPropagation()
    }
  })
})()
