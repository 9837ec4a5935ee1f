"""The help site in a real Chromium: accessible, self-contained, searchable."""

from urllib.parse import urlsplit

import pytest

from tests.site.test_content import ALL_PAGES

QUESTION = "What should I do if I receive a defective or incorrect item?"


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("name", ALL_PAGES)
def test_page_has_no_axe_violations(page, site_server, axe_violations, name, viewport):
    page.set_viewport_size(viewport)
    page.goto(site_server + (f"{name}/" if name else ""))
    assert axe_violations(page) == []


def test_search_dialog_has_no_axe_violations(page, site_server, axe_violations):
    page.goto(site_server)
    search_with(page, "refund")
    assert axe_violations(page) == []


@pytest.mark.parametrize("name", ALL_PAGES)
def test_no_request_leaves_the_site_origin(page, site_server, name):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(site_server + (f"{name}/" if name else ""))
    search_with(page, "return")
    origin = urlsplit(site_server).netloc
    elsewhere = [url for url in requested if urlsplit(url).scheme in ("http", "https")]
    assert requested
    assert [url for url in elsewhere if urlsplit(url).netloc != origin] == []


def search_with(page, query: str):
    """Type into Material's search box as a customer would; wait for the results."""
    page.keyboard.press("/")
    page.locator(".md-search__input").press_sequentially(query)
    page.locator(".md-search-result__item").first.wait_for()


def test_typing_in_search_finds_the_question(page, site_server):
    page.goto(site_server)
    search_with(page, "defective")
    first = page.locator(".md-search-result__item").first
    assert QUESTION in first.inner_text()
    section = first.locator("a[href*='#']").first.get_attribute("href")
    assert "/problems-with-an-item/?h=defective#what-should-i-do-if" in section


def test_home_page_search_box_opens_search_with_the_query(page, site_server):
    page.goto(site_server)
    page.get_by_label("How can we help?").fill("defective")
    page.get_by_role("button", name="Search", exact=True).click()
    page.locator(".md-search-result__item").first.wait_for()
    assert page.locator(".md-search__input").input_value() == "defective"
    assert QUESTION in page.locator(".md-search-result__item").first.inner_text()


def test_claim_call_to_action_links_to_the_form(page, site_server):
    page.goto(site_server + "returns-and-refunds/")
    link = page.get_by_role("link", name="Request a return")
    assert link.get_attribute("href") == "/claims/new?type=return-request"
    assert page.get_by_role("link", name="Submit a claim").first.get_attribute("href")
