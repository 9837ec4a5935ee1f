"""The help site: build time against plain Material, page weight, and Lighthouse scores.

Build time: the same generated questions (`bench.sitegen`) built with this project's
configuration (our Markdown extensions, overrides, the post-build step) by MkDocs + Material
and by Zensical, and with plain Material (none of ours: no extensions of ours, hooks or
overrides; the same other Markdown extensions); builds alternate and the median is reported.
Page weight and Lighthouse: our real site and the claim form, served as `make run` does
(gunicorn, the service serving the built site) behind a gzip-ing proxy (`bench.gzip_proxy`);
the baseline for page weight is the same page built with plain Material.
Run with `python -m bench.site`.
"""

import argparse
import contextlib
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.gzip_proxy import Proxy, gzip_proxy
from bench.lighthouse import CATEGORIES, LIGHTHOUSE, Audit, failing_notes, lighthouse, score_text
from bench.servers import gunicorn
from bench.sitegen import write_docs
from bench.stats import Line, in_turn, median, number, ratio, table
from tests.support import ROOT
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS
from tests.support.site import QuietHandler, build_site, copy_project

QUESTIONS = (1_000, 10_000)
PAGES = {
    "home": "/",
    "FAQ page": "/problems-with-an-item/",
    "claim form": "/claims/new",
}
PLAIN_PAGES = {name: path for name, path in PAGES.items() if not path.startswith("/claims")}
SEARCH_INDEX = "/search/"  # everything search downloads lives here
BUILD_GROWTH_TARGET = 1.5  # our build at most this much slower than plain Material


def top_level_block(config_text: str, key: str) -> str:
    """One top-level section of a YAML file, as written (tags and comments kept)."""
    match = re.search(rf"^{key}:.*?(?=^\S|\Z)", config_text, flags=re.M | re.S)
    return match.group(0) if match else ""


def plain_material(project: Path, docs: Path) -> Path:
    """A project building `docs` with plain Material: no hooks, no overrides, no extra CSS or
    JavaScript; the same Markdown extensions but ours, and system fonts as ours (no font
    server)."""
    project.mkdir()
    (project / "docs").symlink_to(docs)
    extensions = re.sub(
        r"^  (#.*|- help_site\..*)\n",
        "",
        top_level_block((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), "markdown_extensions"),
        flags=re.M,
    )
    (project / "mkdocs.yml").write_text(
        "site_name: Help center\nsite_url: http://127.0.0.1:8000/\n"
        "theme:\n  name: material\n  font: false\nplugins:\n  - search\n" + extensions,
        encoding="utf-8",
    )
    return project


def make_projects(workdir: Path, questions: int) -> dict[str, Path]:
    """The same generated docs under our configuration (for each builder) and under plain
    Material's."""
    ours = copy_project(workdir / f"ours-{questions}")
    write_docs(ours / "docs", questions)
    (ours / "mkdocs.yml").rename(ours / "help-site.yml")
    (ours / "mkdocs.yml").write_text("INHERIT: help-site.yml\nnav: null\n", encoding="utf-8")
    zensical = copy_project(workdir / f"zensical-{questions}", ours)
    shutil.copy(ours / "help-site.yml", zensical)
    # Zensical's "no nav: every page, in order" is an empty list, not null.
    (zensical / "mkdocs.yml").write_text("INHERIT: help-site.yml\nnav: []\n", encoding="utf-8")
    plain = plain_material(workdir / f"plain-{questions}", ours / "docs")
    return {"plain Material": plain, "ours": ours, "ours, Zensical": zensical}


def timed_build(project: Path, destination: Path, builder: str = "mkdocs") -> float:
    """Seconds for one strict build and its post-build step, in their own processes as
    `make site` runs them (MkDocs runs the post-build step itself; Zensical starts from an
    empty cache, as MkDocs always does)."""
    started = time.perf_counter()
    if builder == "mkdocs":
        result = build_site(destination, project, finish=False)
    else:
        result = subprocess.run(
            [sys.executable, "-m", "zensical", "build", "--strict", "--clean"],
            cwd=project,
            capture_output=True,
            text=True,
        )
        if result.returncode == 0:
            result = subprocess.run(
                [sys.executable, "-m", "help_site", "site"],
                cwd=project,
                capture_output=True,
                text=True,
            )
    took = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"build of {project.name} failed:\n{result.stderr[-3000:]}")
    return took


def build_times(repeats: int) -> dict[int, dict[str, list[float]]]:
    """Build seconds per question count and variant; builds alternate between the variants,
    each round starting with the other (10,000 questions: at most twice each, to keep
    `make bench` short)."""
    times: dict[int, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-site-") as workdir:
        for questions in QUESTIONS:
            projects = make_projects(Path(workdir), questions)
            times[questions] = {name: [] for name in projects}
            for turn in range(repeats if questions < 10_000 else min(repeats, 2)):
                for name, project in in_turn(list(projects.items()), turn):
                    destination = Path(workdir) / "out"
                    builder = "zensical" if "Zensical" in name else "mkdocs"
                    times[questions][name].append(timed_build(project, destination, builder))
    return times


def build_table(times: dict[int, dict[str, list[float]]]) -> tuple[str, list[Line]]:
    header = (
        "Questions",
        "Plain Material s",
        "Ours s",
        "Ours/plain",
        "Ours, Zensical s",
        "Zensical/plain",
        "Builds each",
    )
    rows, lines = [], []
    for questions, per_variant in times.items():
        plain, ours = median(per_variant["plain Material"]), median(per_variant["ours"])
        zensical = median(per_variant["ours, Zensical"])
        rows.append(
            (
                f"{questions:,}",
                number(plain, 2),
                number(ours, 2),
                ratio(ours, plain),
                number(zensical, 2),
                ratio(zensical, plain),
                str(len(per_variant["ours"])),
            )
        )
        lines.append(
            Line(
                "Site build, Zensical",
                f"{questions:,} questions: seconds",
                number(zensical, 2),
                f"{number(plain, 2)} (plain Material)",
                ratio(zensical, plain),
                "",
                None,
            )
        )
        lines.append(
            Line(
                "Site build",
                f"{questions:,} questions: seconds",
                number(ours, 2),
                f"{number(plain, 2)} (plain Material)",
                ratio(ours, plain),
                f"≤ {BUILD_GROWTH_TARGET:g}× plain",
                ours <= BUILD_GROWTH_TARGET * plain,
            )
        )
    title = (
        "Site build time (strict build and post-build step, median): ours with MkDocs +"
        " Material and with Zensical, vs plain Material"
    )
    return table(title, header, rows), lines


@contextlib.contextmanager
def served_sites() -> Iterator[dict[str, Proxy]]:
    """Our real site and service as `make run` serves them, and the same pages built with
    plain Material as static files, each behind a gzip proxy."""
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-pages-")))
        timed_build(ROOT, workdir / "site")
        env = {
            "CLAIMS_SECRET_KEY": "bench-secret",
            "CLAIMS_DATA_DIR": str(workdir / "data"),
            "CLAIMS_HELP_SITE_DIR": str(workdir / "site"),
        }
        ours = stack.enter_context(gunicorn("wsgi:app", env))
        docs = workdir / "plain-docs"  # our pages, minus the templates only we have
        shutil.copytree(ROOT / "docs", docs)
        for page in docs.rglob("*.md"):
            text = page.read_text(encoding="utf-8")
            page.write_text(re.sub(r"^template: .*\n", "", text, flags=re.M), encoding="utf-8")
        plain = plain_material(workdir / "plain", docs)
        subprocess.run(  # not strict: plain Material does not know our claim links
            [sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", "../plain-site"],
            cwd=plain,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
            check=True,
            capture_output=True,
        )
        handler = functools.partial(QuietHandler, directory=str(workdir / "plain-site"))
        static = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=static.serve_forever, daemon=True).start()
        stack.callback(static.server_close)
        stack.callback(static.shutdown)
        yield {
            "ours": stack.enter_context(gzip_proxy(ours.base)),
            "plain Material": stack.enter_context(
                gzip_proxy(f"http://127.0.0.1:{static.server_port}")
            ),
        }


@dataclass(frozen=True)
class Weight:
    page_bytes: int
    search_bytes: int
    requests: int


def page_weights(proxy: Proxy, pages: dict[str, str]) -> dict[str, Weight]:
    """Bytes each page transfers on a first visit (cold cache), search index apart."""
    from playwright.sync_api import sync_playwright

    weights = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        for name, path in pages.items():
            context = browser.new_context(viewport={"width": 412, "height": 823})
            page = context.new_page()
            proxy.take_counts()
            page.goto(proxy.base + path, wait_until="networkidle")
            context.close()
            counts = proxy.take_counts()
            search = sum(size for url, size in counts.items() if url.startswith(SEARCH_INDEX))
            total = sum(counts.values())
            weights[name] = Weight(total - search, search, len(counts))
        browser.close()
    return weights


def pages_table(
    weights: dict[str, dict[str, Weight]], scores: dict[str, dict[str, list[dict]]]
) -> tuple[str, list[Line]]:
    """Per page, ours then plain Material's same page: weight and Lighthouse scores."""
    header = ("Page", "Built with", "KB (gzip)", "Ours/plain", "Search index KB", "Requests")
    header += tuple(category.replace("-", " ").capitalize() for category in CATEGORIES)
    rows, lines = [], []
    for name in PAGES:
        ours = weights["ours"][name]
        plain = weights["plain Material"].get(name)
        plain_kb = plain.page_bytes / 1024 if plain else float("nan")
        for variant, weight in (("ours", ours), ("plain Material", plain)):
            if weight is None:
                continue
            runs = scores[variant][name]
            rows.append(
                (
                    name,
                    variant,
                    number(weight.page_bytes / 1024),
                    ratio(ours.page_bytes / 1024, plain_kb) if variant == "ours" else "",
                    number(weight.search_bytes / 1024),
                    str(weight.requests),
                    *(score_text([run[c] for run in runs]) for c in CATEGORIES),
                )
            )
        lines.append(
            Line(
                "Pages",
                f"{name}: KB transferred (search index apart)",
                number(ours.page_bytes / 1024),
                f"{number(plain_kb)} (plain Material)" if plain else "",
                ratio(ours.page_bytes / 1024, plain_kb),
                "",
                None,
            )
        )
        for category in CATEGORIES:
            found = median([run[category] for run in scores["ours"][name]])
            plain_runs = scores["plain Material"].get(name)
            lines.append(
                Line(
                    "Lighthouse",
                    f"{name}: {category}",
                    f"{found:.0f}",
                    f"{median([r[category] for r in plain_runs]):.0f} (plain)"
                    if plain_runs
                    else "",
                    "",
                    "100",
                    found >= 100,
                )
            )
    title = (
        "Pages: weight on a first visit (gzip level 6) and Lighthouse 12.2.3 (mobile;"
        " median of the runs, range when they differ)"
    )
    return table(title, header, rows), lines


def lighthouse_runs(
    proxies: dict[str, Proxy], runs: int
) -> tuple[dict[str, dict[str, list[dict]]], dict[str, list[Audit]]]:
    """Scores per variant and page (plain Material's pages: one run, as a reference), and
    the audits our pages fail."""
    scores = {variant: {} for variant in proxies}
    failing: dict[str, list[Audit]] = {name: [] for name in PAGES}
    for variant, pages, count in (("ours", PAGES, runs), ("plain Material", PLAIN_PAGES, 1)):
        for _ in range(count):
            for name, path in pages.items():
                found, failed = lighthouse(proxies[variant].base + path)
                scores[variant].setdefault(name, []).append(found)
                if variant == "ours":
                    failing[name] += failed
    return scores, failing


def run(repeats: int = 3, lighthouse_count: int = 3) -> tuple[str, list[Line]]:
    """Everything in this module; returns the report text and the summary lines."""
    if not LIGHTHOUSE.exists():  # before the builds, not minutes into the run
        raise SystemExit(f"{LIGHTHOUSE} is missing: run `npm ci` in bench/ (make bench does)")
    started = time.monotonic()
    text, lines = build_table(build_times(repeats))
    print(f"  site: builds done after {time.monotonic() - started:.0f} s")
    with served_sites() as proxies:
        weights = {
            "ours": page_weights(proxies["ours"], PAGES),
            "plain Material": page_weights(proxies["plain Material"], PLAIN_PAGES),
        }
        scores, failing = lighthouse_runs(proxies, lighthouse_count)
    print(f"  site: pages done after {time.monotonic() - started:.0f} s")
    page_text, page_lines = pages_table(weights, scores)
    return text + "\n" + page_text + "\n" + failing_notes(failing), lines + page_lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="builds of each variant")
    parser.add_argument("--lighthouse-runs", type=int, default=3, help="Lighthouse runs a page")
    args = parser.parse_args()
    text, _ = run(args.repeats, args.lighthouse_runs)
    print(text)


if __name__ == "__main__":
    main()
