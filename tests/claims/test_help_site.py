"""`make run` serves the built help site from the same origin as the claim service."""

from pathlib import Path

import pytest


@pytest.fixture
def site_dir(tmp_path, monkeypatch):
    site = tmp_path / "site"
    (site / "returns").mkdir(parents=True)
    (site / "index.html").write_text("<h1>Help center home</h1>")
    (site / "returns" / "index.html").write_text("<h1>Returns</h1>")
    (site / "404.html").write_text("<h1>Not on the help site</h1>")
    monkeypatch.chdir(tmp_path)  # HELP_SITE_DIR is relative to where the service starts
    return "site"


@pytest.fixture
def site_client(app_config, site_dir):
    from claims import create_app

    return create_app({**app_config, "HELP_SITE_DIR": site_dir}).test_client()


def served(client, path: str) -> str:
    """A page's text, its response closed as a server closes the file it sent."""
    with client.get(path) as response:
        return response.get_data(as_text=True)


def test_help_site_pages_are_served_at_the_root(site_client):
    assert "Help center home" in served(site_client, "/")
    assert "Returns" in served(site_client, "/returns/")
    assert site_client.get("/returns").headers["Location"] == "/returns/"


def test_claim_service_routes_win_over_site_paths(site_client):
    assert "Submit a claim" in site_client.get("/claims/new").get_data(as_text=True)


def test_paths_outside_the_site_are_not_served(site_client):
    for path in ("/../data/claims.sqlite3", "/%2e%2e/" * 30 + "etc/passwd"):  # the case log
        with site_client.get(path) as response:
            assert response.status_code == 404


def test_an_address_the_site_does_not_have_gets_its_not_found_page(site_client):
    with site_client.get("/returns/old-page/") as response:
        assert response.status_code == 404
        assert "Not on the help site" in response.get_data(as_text=True)


def test_without_a_not_found_page_the_service_says_not_found(site_client, site_dir):
    Path(site_dir, "404.html").unlink()
    with site_client.get("/no-such-page") as response:
        assert response.status_code == 404
        assert "Not on the help site" not in response.get_data(as_text=True)


def test_without_a_site_dir_the_root_is_not_found(client):
    assert client.get("/").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/%09/evil.example%2F..%2F..",
        "/%5Cevil.example/..",
        "/%0D/..",
        "/returns%0D%0ALocation:%20//evil.example/..",
        "/returns/./",
        "/returns//",
    ],
)
def test_no_help_site_address_redirects_elsewhere_or_fails(site_client, path):
    response = site_client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_folder_redirect_keeps_odd_characters_inside_the_path(site_dir, site_client):
    from pathlib import Path

    (Path(site_dir) / "a b%").mkdir()
    assert site_client.get("/a b%").headers["Location"] == "/a%20b%25/"
