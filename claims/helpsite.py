"""Serve the built help site at "/" when HELP_SITE_DIR is set, as `make run` does.

An address the site does not have gets the site's own 404 page (search and the claim form),
as a web server configured for the site serves it. In production a web server or CDN serves
``site/`` and this stays off.
"""

import posixpath
from pathlib import Path
from urllib.parse import quote

from flask import Flask, abort, current_app, redirect, send_from_directory
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

from claims.web import has_control_characters

NOT_FOUND_PAGE = "404.html"  # what MkDocs writes for addresses the site does not have


def init_app(app: Flask) -> None:
    if app.config["HELP_SITE_DIR"]:
        app.add_url_rule("/", view_func=help_page, defaults={"path": ""})
        app.add_url_rule("/<path:path>", view_func=help_page)


def help_page(path: str) -> ResponseReturnValue:
    """A page or asset of the built site; a folder means its index.html."""
    root = current_app.config["HELP_SITE_DIR"]
    if not is_plain_path(path):
        abort(404)  # no link on the site looks like this; only a hand-made address does
    folder = safe_join(root, path)
    if path and not path.endswith("/") and folder and Path(folder).is_dir():
        return redirect(f"/{quote(path)}/", code=301)
    if path == "" or path.endswith("/"):
        path += "index.html"
    try:
        response = send_from_directory(root, path)  # refuses paths outside the site (404)
    except NotFound:
        if not (Path(root) / NOT_FOUND_PAGE).is_file():
            raise
        response = send_from_directory(root, NOT_FOUND_PAGE)
        response.status_code = 404
    # The site's pages run Material's own inline scripts, so they keep a lighter policy.
    response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
    response.headers["Cache-Control"] = "no-cache"
    return response


def is_plain_path(path: str) -> bool:
    """A path as the site's own links write it: no control characters or backslashes, and
    already normalised (no "." or ".." segments, no doubled slashes). Only such a path may
    be echoed into a redirect, which then cannot lead to another host."""
    if has_control_characters(path) or "\\" in path:
        return False
    trimmed = path.removesuffix("/")
    if trimmed.startswith("/"):
        return False
    return path == "" or (trimmed != "" and posixpath.normpath(trimmed) == trimmed)
