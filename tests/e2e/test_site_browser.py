"""The help site in a real Chromium: accessible, self-contained, searchable."""

from urllib.parse import urlsplit

import pytest

from tests.search.search_box import SearchBox
from tests.site.content import read_content
from tests.support.browser import settle

CONTENT = read_content()
PAGES = [pytest.param(page, id=page.name or "home") for page in CONTENT.pages]
QUESTION = CONTENT.questions[0]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("help_page", PAGES)
def test_page_has_no_axe_violations(page, site_server, axe_violations, help_page, viewport):
    page.set_viewport_size(viewport)
    page.goto(site_server + help_page.url)
    assert axe_violations(page) == []


def test_search_dialog_has_no_axe_violations(page, site_server, axe_violations):
    assert SearchBox(page, site_server).search(QUESTION.text.split()[-1].strip("?"))
    assert axe_violations(page) == []


@pytest.mark.parametrize("help_page", PAGES)
def test_no_request_leaves_the_site_origin(page, site_server, help_page):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    SearchBox(page, site_server + help_page.url).search(QUESTION.text)
    origin = urlsplit(site_server).netloc
    elsewhere = [url for url in requested if urlsplit(url).scheme in ("http", "https")]
    assert requested
    assert [url for url in elsewhere if urlsplit(url).netloc != origin] == []


def test_typing_in_search_finds_the_question(page, site_server):
    box = SearchBox(page, site_server)
    assert box.search(QUESTION.text)[0] == QUESTION.text
    first = page.locator(".md-search-result__item").first
    section = first.locator("a[href*='#']").first.get_attribute("href")
    assert f"/{CONTENT.page(QUESTION.page).url}?h=" in section


def test_home_page_search_box_opens_search_with_the_query(page, site_server):
    page.goto(site_server)
    page.get_by_label("How can we help?").fill(QUESTION.text)
    page.get_by_role("button", name="Search", exact=True).click()
    page.locator(".md-search-result__item").first.wait_for()
    settle(page)
    assert page.locator(".md-search__input").input_value() == QUESTION.text
    assert QUESTION.text in page.locator(".md-search-result__item").first.inner_text()


@pytest.mark.parametrize("help_page", [page for page in PAGES if page.values[0].claim_links])
def test_every_claim_button_links_to_the_form_or_the_status_page(page, site_server, help_page):
    written = help_page.claim_links
    page.goto(site_server + help_page.url)
    for text in {link.text for link in written}:
        shown = page.locator("article").get_by_role("link", name=text, exact=True)
        hrefs = {shown.nth(n).get_attribute("href") for n in range(shown.count())}
        assert hrefs == {link.href() for link in written if link.text == text}, text
