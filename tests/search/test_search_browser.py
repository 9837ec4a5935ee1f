"""Search in a real Chromium finds the answer the way customers ask, and never dead-ends."""

import re

import pytest
from playwright.sync_api import expect

from tests.search.hit_rates import REPORT, measure
from tests.search.queries import HELD_OUT_FILE, QuerySet
from tests.search.search_box import SearchBox
from tests.site.content import read_content

QUERIES = QuerySet.read()
HELD_OUT = QuerySet.read(HELD_OUT_FILE)
CONTENT = read_content()

DEFECTIVE = QUERIES.questions["defective"]
RETURN = QUERIES.questions["return"]
REFUND = QUERIES.questions["refund"]
CHANGE = QUERIES.questions["change"]

# Things customers ask about that the help site does not cover; the first one whose words
# appear nowhere in the content is the search that finds nothing.
OUT_OF_SCOPE = ["loyalty points", "gift wrapping", "store opening hours", "xylophone zeppelin"]


def nothing_to_find() -> str:
    written = " ".join(page.source.read_text(encoding="utf-8").lower() for page in CONTENT.pages)
    return next(
        query
        for query in OUT_OF_SCOPE
        if not any(re.search(rf"\b{word[:4]}", written) for word in query.split())
    )


NOTHING = nothing_to_find()


@pytest.fixture(scope="module")
def search_box(browser, site_server):
    """One tab for the module's searches: each search replaces the last one's results."""
    context = browser.new_context()
    yield SearchBox(context.new_page(), site_server)
    context.close()


def test_query_set_is_large_and_answered_by_the_sites_questions():
    assert len(QUERIES.answers) >= 60
    assert len(QUERIES.out_of_scope) >= 5
    assert not set(HELD_OUT.answers) & set(QUERIES.answers)  # held out means held out
    on_the_site = {question.text for question in CONTENT.questions}
    unknown = {name: q for name, q in QUERIES.questions.items() if q not in on_the_site}
    assert unknown == {}, "queries.toml [answers] names questions the site does not ask"
    assert all(QUERIES.answers.values())


def test_query_set_finds_the_answering_question_first(
    browser, site_server, plain_site_server, request
):
    report = {}
    for set_name, queries in (("queries.toml", QUERIES), ("held_out.toml", HELD_OUT)):
        rates = report[set_name] = {}
        for name, url in (("plain Material", plain_site_server), ("ours", site_server)):
            context = browser.new_context()
            rates[name] = measure(context.new_page(), url, queries)
            context.close()
    request.config.stash[REPORT] = report
    ours = report["queries.toml"]["ours"]
    assert ours.rate(ours.top3) >= 0.95, ours.misses
    assert ours.rate(ours.top1) >= 0.85, ours.misses


@pytest.mark.parametrize(
    ("query", "question"),
    [
        ("damaged", DEFECTIVE),
        ("defectve", DEFECTIVE),
        ("returned", RETURN),
        ("retrun", RETURN),
        ("refunds", REFUND),
        ("refnd", REFUND),
        ("cancelled", CHANGE),
        ("money back", REFUND),
    ],
)
def test_word_endings_slips_and_customers_words_find_the_answer(search_box, query, question):
    assert search_box.search(query)[0] == question


# Records each query as it goes to Material's search worker, after the correction (which
# wraps the same method later, when the page's script runs).
RECORD_SENT_QUERIES = """(() => {
  window.sentQueries = []
  const post = Worker.prototype.postMessage
  Worker.prototype.postMessage = function (message, ...options) {
    if (typeof message?.data === "string") window.sentQueries.push(message.data)
    return post.call(this, message, ...options)
  }
})()"""


@pytest.fixture(scope="module")
def sent_queries(browser, site_server):
    """What reaches the search worker for a typed query, in one tab for the module."""
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(RECORD_SENT_QUERIES)
    box = SearchBox(page, site_server)

    def sent(query: str) -> str:
        box.search(query)
        return page.evaluate("window.sentQueries.at(-1)")

    yield sent
    context.close()


@pytest.mark.parametrize(
    ("query", "sent"),
    [
        ("tracking", "tracking"),
        ("where is my tracking number", "   tracking number"),
        ("i never got it", " never  it"),
        ("charged twice", "charged twice"),
        ("lamp", "lamp"),
    ],
)
def test_correctly_spelled_words_are_never_corrected(sent_queries, query, sent):
    # Each keeps its real words ("track" is one keystroke from "crack", "charge" starts
    # "charger"); only the words search leaves out ("where", "is", "my") are dropped.
    assert sent_queries(query) == sent


@pytest.mark.parametrize(
    ("query", "sent"),
    [("refnd", "refund"), ("retrun", "return"), ("my parcle", " parcel"), ("refunds", "refund")],
)
def test_slips_and_endings_are_still_corrected(sent_queries, query, sent):
    assert sent_queries(query) == sent


def test_a_matching_question_shows_before_its_page(search_box):
    # "Returns and refunds" matches too; the customer should see the question itself.
    assert search_box.search("refund")[:1] == [REFUND]


def test_words_search_would_look_for_everywhere_are_left_out(search_box):
    assert search_box.search("when do i get my money back")[0] == REFUND


def test_nothing_found_offers_the_claim_form_and_the_topics(page, site_server, axe_violations):
    box = SearchBox(page, site_server)
    assert box.search(NOTHING) == []
    help = page.locator(".hc-search-help")
    expect(help).to_be_visible()
    claim = help.get_by_role("link", name="Submit a claim")
    assert claim.get_attribute("href") == "/claims/new?type=something-else"
    topics = help.get_by_role("listitem").get_by_role("link")
    assert topics.all_inner_texts() == CONTENT.topics
    assert axe_violations(page) == []
    topics.first.click()
    page.wait_for_url(f"**/{CONTENT.faq_pages[0].url}")


def test_the_way_forward_is_reached_with_the_keyboard(page, site_server):
    box = SearchBox(page, site_server)
    box.search(NOTHING)
    page.keyboard.press("Enter")  # nothing to open: the page stays, the search stays open
    expect(page.locator(".hc-search-help")).to_be_visible()
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Submit a claim"


def test_the_way_forward_goes_when_results_come_back(page, site_server):
    box = SearchBox(page, site_server)
    box.search(NOTHING)
    assert box.search("refund")[0] == REFUND
    expect(page.locator(".hc-search-help")).to_have_count(0)


def test_search_still_works_when_the_word_list_cannot_load(page, site_server):
    page.route("**/search/words.json", lambda route: route.abort())
    box = SearchBox(page, site_server)
    assert box.search("refund")[0] == REFUND
    assert box.search("refnd") == []
