"""`make preview`: the editors' live preview serves the site and reloads it as they save,
without Material's end-of-life banner in the output."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.site.content import read_content
from tests.support import ROOT
from tests.support.service import free_port, wait_until_serving
from tests.support.site import copy_project

CONTENT = read_content()


@pytest.fixture
def preview(tmp_path):
    """`make preview` on a copy of the project, with this run's Python; yields (project, URL,
    the process) and stops the server's process group afterwards."""
    project = copy_project(tmp_path / "project")
    shutil.copy(ROOT / "Makefile", project / "Makefile")  # the repository's, with any content
    port = free_port()
    venv = Path(sys.prefix)
    process = subprocess.Popen(
        # The environment is set up already: make must not reinstall it.
        ["make", "--no-print-directory", "-o", f"{venv}/.runtime", "preview"]
        + [f"VENV={venv}", f"PORT={port}"],
        cwd=project,
        env={key: value for key, value in os.environ.items() if "MKDOCS_2" not in key},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_serving(url, process, timeout=120)
        yield project, url, process
    finally:
        with contextlib.suppress(ProcessLookupError):  # the test may have stopped it already
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_preview_reloads_the_page_an_editor_saves_without_the_banner(page, preview):
    project, url, process = preview
    faq = CONTENT.faq_pages[0]
    page.goto(url + faq.url)
    question = faq.questions[0].text
    expect(page.get_by_role("heading", name=question)).to_be_visible()
    source = project / "docs" / faq.source.name
    edited = question.replace("?", " at all?")
    source.write_text(
        source.read_text(encoding="utf-8").replace(f"## {question}", f"## {edited}"),
        encoding="utf-8",
    )
    expect(page.get_by_role("heading", name=edited)).to_be_visible(timeout=60_000)
    os.killpg(process.pid, signal.SIGTERM)
    output = process.communicate(timeout=30)[0]
    assert "Serving on" in output
    assert "end of life" not in output
