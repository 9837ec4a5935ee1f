"""Material's search in a browser tab, used as a customer does: type, then read the results."""

from tests.support.browser import settle

# Set when the results for the query just typed are on the page (Material rewrites the
# result count for every answer from its search worker).
AWAIT_RESULTS = """() => {
  window.searchAnswered = false
  const meta = document.querySelector(".md-search-result__meta")
  new MutationObserver((_, observer) => {
    observer.disconnect()
    window.searchAnswered = true
  }).observe(meta, { childList: true })
}"""

# The results as a customer reads them, top to bottom: the questions shown on each page's
# result (not those folded under "more on this page"), or the page when none is shown.
# Titles as displayed (innerText), without the customers' words hidden in the index.
SHOWN_RESULTS = """() => [...document.querySelectorAll(".md-search-result__item")].flatMap(item => {
  const visible = heading => !heading.closest("details:not([open])")
  const title = heading => heading.innerText.replace(/\\s+/g, " ").trim()
  const questions = [...item.querySelectorAll("article h2")].filter(visible).map(title)
  return questions.length ? questions : [`page: ${title(item.querySelector("article h1"))}`]
})"""


class SearchBox:
    """Material's search in one browser tab, opened with the "/" key on the page at `url`."""

    def __init__(self, page, url: str):
        self.page = page
        page.goto(url)
        meta = page.locator(".md-search-result__meta")
        page.keyboard.press("/")
        meta.filter(has_not_text="Initializing").wait_for()
        self.field = page.locator(".md-search__input")
        self.query = ""

    def search(self, query: str) -> list[str]:
        """Type `query`; return the result titles shown, best first, once they have settled.

        Material searches on each key release, unless the query is the one it has just
        searched. All but the last character go in at once, so the last keystroke starts
        exactly one search, whose answer we then wait for.
        """
        if query != self.query:
            self.field.fill(query[:-1])
            self.page.evaluate(AWAIT_RESULTS)
            self.field.press(query[-1])
            self.page.wait_for_function("window.searchAnswered")
            settle(self.page)
            self.query = query
        return self.page.evaluate(SHOWN_RESULTS)


class ZensicalSearchBox:
    """Zensical's search (its own dialog, in a shadow root Playwright reads through), opened
    with the "/" key on the page at `url`."""

    def __init__(self, page, url: str):
        self.page = page
        page.goto(url)
        page.keyboard.press("/")
        self.dialog = page.get_by_role("dialog", name="Search")
        self.field = self.dialog.get_by_role("combobox", name="Search")
        self.status = self.dialog.get_by_role("status")  # "N results", once a query is typed
        self.field.wait_for()

    def search(self, query: str) -> list[str]:
        """Type `query`; return the result titles shown, best first, once they are shown."""
        from playwright.sync_api import expect

        self.field.fill("")
        expect(self.status).to_have_text("")
        self.field.fill(query)
        expect(self.status).to_contain_text("result")
        settle(self.page)
        options = self.dialog.get_by_role("listbox", name="Search results").get_by_role("option")
        return [title.strip() for title in options.locator("h2").all_inner_texts()]
