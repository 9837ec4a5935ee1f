"""An address the help site does not have offers search and the claim form, as `make run`
serves it and as the build writes it (404.html, for any web server)."""

from playwright.sync_api import expect

from tests.search.queries import QuerySet

REFUND = QuerySet.read().questions["refund"]


def test_the_built_site_has_a_not_found_page_with_search_and_the_claim_form(built_site):
    html = (built_site / "404.html").read_text(encoding="utf-8")
    assert 'name="q"' in html
    assert 'href="/claims/new"' in html
    assert "claim:" not in html


def test_an_unknown_address_offers_search_that_finds_the_answer(page, live_service, axe_violations):
    response = page.goto(f"{live_service}/returns/an-old-page/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    claim = page.get_by_role("article").get_by_role("link", name="Submit a claim")
    assert claim.get_attribute("href") == "/claims/new"
    assert axe_violations(page) == []
    field = page.get_by_role("searchbox", name="Search the help center")
    field.fill("refund")
    field.press("Enter")
    # The home page opens Material's search with the query and its results.
    page.wait_for_url(f"{live_service}/**?q=refund")
    expect(page.locator(".md-search__input")).to_have_value("refund")
    expect(page.locator(".md-search-result__item h2").first).to_contain_text(REFUND)
