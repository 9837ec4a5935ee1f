"""Search on a 10,000-question site: ours against plain Material, measured in one run.

Generates the content once and builds it twice (our search, plain Material search), serves
both, and measures in Chromium, alternating between the two builds so both see the same
machine: time from page load to search ready, time from an input event to results shown,
and what the browser downloads for search. Prints a table with ratios (ours / plain).

    .venv/bin/python -m bench.search [--questions 10000] [--loads 16] [--rounds 2]
"""

import argparse
import gzip
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.sitegen import write_docs
from tests.search.queries import QuerySet
from tests.search.sites import plain_material
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS
from tests.support.site import build_site, copy_project, serving

BUILDS = ("plain", "ours")
OUR_SCRIPT = Path("assets/javascripts/search.js")

# Recorded in the page: when search first answers (Material replaces "Initializing search"
# once its worker is ready; ours also holds queries until its word list is in), and how
# long after a keystroke's input event its results are on screen (the frame after).
PROBES = """
addEventListener("DOMContentLoaded", () => {
  const meta = document.querySelector(".md-search-result__meta")
  new MutationObserver((_, observer) => {
    observer.disconnect()
    window.searchReadyAt = performance.now()
  }).observe(meta, { childList: true })
})
window.timeNextResults = () => {
  const input = document.querySelector(".md-search__input")
  const meta = document.querySelector(".md-search-result__meta")
  window.resultsAfter = undefined
  let typed
  input.addEventListener("input", event => { typed = event.timeStamp }, { once: true })
  new MutationObserver((_, observer) => {
    observer.disconnect()
    requestAnimationFrame(() => { window.resultsAfter = performance.now() - typed })
  }).observe(meta, { childList: true })
}
"""


def make_sites(workdir: Path, questions: int) -> dict[str, Path]:
    """Generate the content once; build it with plain Material's search and with ours."""
    ours = copy_project(workdir / "ours")
    write_docs(ours / "docs", questions)
    (ours / "mkdocs.yml").rename(ours / "help-site.yml")
    (ours / "mkdocs.yml").write_text("INHERIT: help-site.yml\nnav: null\n", encoding="utf-8")
    plain = workdir / "plain"
    shutil.copytree(ours, plain)
    plain_material(plain)
    sites = {}
    for name, project in (("plain", plain), ("ours", ours)):
        started = time.monotonic()
        result = build_site(workdir / f"{name}-site", project, finish=name == "ours")
        if result.returncode != 0:
            raise SystemExit(result.stderr)
        sites[name] = workdir / f"{name}-site"
        print(f"built {name} in {time.monotonic() - started:.0f} s")
    return sites


def sizes(site: Path) -> dict[str, tuple[int, int]]:
    """Raw and gzipped bytes of each file the browser fetches for search (besides Material's)."""
    files = {"index": site / "search" / "search_index.json"}
    if (site / "search" / "words.json").exists():
        files["word list"] = site / "search" / "words.json"
        files["script"] = site / OUR_SCRIPT
    return {
        name: (path.stat().st_size, len(gzip.compress(path.read_bytes())))
        for name, path in files.items()
    }


def time_to_ready(browser, url: str) -> float:
    """Milliseconds from navigation to search ready, in a fresh profile (nothing cached)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.add_init_script(PROBES)
        page.goto(url)
        page.wait_for_function("window.searchReadyAt !== undefined", timeout=60_000)
        return page.evaluate("window.searchReadyAt")
    finally:
        context.close()


def open_search(browser, url: str):
    """A window at `url` with search ready and the search box focused."""
    page = browser.new_context().new_page()
    page.add_init_script(PROBES)
    page.goto(url)
    page.wait_for_function("window.searchReadyAt !== undefined", timeout=60_000)
    page.keyboard.press("/")
    return page


def time_to_results(page, query: str) -> tuple[float, bool]:
    """Milliseconds from the input event of the query's last keystroke to its results shown,
    and whether any result was shown.

    All but the last character go in at once (Material searches on key release only), so
    exactly one search runs, the way it does for a customer's last keystroke.
    """
    field = page.locator(".md-search__input")
    field.fill(query[:-1])
    page.evaluate("timeNextResults()")
    field.press(query[-1])
    page.wait_for_function("window.resultsAfter !== undefined", timeout=60_000)
    found = page.locator(".md-search-result__item").count() > 0
    return page.evaluate("window.resultsAfter"), found


def measure(sites: dict[str, Path], queries: list[str], loads: int, rounds: int) -> dict:
    """Readiness over `loads` page loads, and results for each query `rounds` times, per build.

    The builds take turns, each going first half of the time, so that both see the same
    machine load.
    """
    ready = {name: [] for name in BUILDS}
    results = {name: {query: [] for query in queries} for name in BUILDS}
    found = {name: {} for name in BUILDS}
    with (
        sync_playwright() as playwright,
        serving(sites["plain"]) as plain_url,
        serving(sites["ours"]) as ours_url,
    ):
        urls = {"plain": plain_url, "ours": ours_url}
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        for load in range(loads):
            for name in BUILDS if load % 2 else BUILDS[::-1]:  # neither always goes first
                ready[name].append(time_to_ready(browser, urls[name]))
        pages = {name: open_search(browser, urls[name]) for name in BUILDS}
        for turn in range(rounds):
            for query in queries:
                for name in BUILDS if turn % 2 else BUILDS[::-1]:
                    pages[name].bring_to_front()  # a tab in the background paints late
                    took, found[name][query] = time_to_results(pages[name], query)
                    results[name][query].append(took)
        browser.close()
    return {"ready": ready, "results": results, "found": found}


def p90(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def report(sites: dict[str, Path], timings: dict, questions: int, queries: list[str]) -> None:
    """Print one table: each figure for plain Material and ours, and ours / plain."""
    rows = []
    size = {name: sizes(site) for name, site in sites.items()}
    for kind, column in (("raw", 0), ("gzip", 1)):
        for part in ("index", "word list", "script"):
            plain = size["plain"].get(part, (0, 0))[column]
            rows.append((f"{part}, {kind} (KB)", plain / 1024, size["ours"][part][column] / 1024))
        total = {name: sum(part[column] for part in size[name].values()) for name in BUILDS}
        rows.append((f"all search downloads, {kind} (KB)", *(total[n] / 1024 for n in BUILDS)))
    ready = timings["ready"]
    rows.append(("ready after load, median (ms)", *(statistics.median(ready[n]) for n in BUILDS)))
    rows.append(("ready after load, p90 (ms)", *(p90(ready[n]) for n in BUILDS)))
    # Loads taken back to back see the same machine: their ratios vary less than the times.
    paired = statistics.median(o / p for p, o in zip(ready["plain"], ready["ours"], strict=True))
    rows.append(("ready after load, ours/plain per pair of loads", None, paired))
    found = timings["found"]
    shapes = {
        "all queries": queries,
        "one word": [q for q in queries if len(q.split()) == 1],
        "2 to 4 words": [q for q in queries if 2 <= len(q.split()) <= 4],
        "5 words or more": [q for q in queries if len(q.split()) >= 5],
        "both find something": [q for q in queries if found["plain"][q] and found["ours"][q]],
        "only ours finds something": [
            q for q in queries if found["ours"][q] and not found["plain"][q]
        ],
    }
    for shape, chosen in shapes.items():
        if not chosen:
            continue
        times = {n: [t for q in chosen for t in timings["results"][n][q]] for n in BUILDS}
        label = f"results, {shape} ({len(chosen)})"
        rows.append((f"{label}, median (ms)", *(statistics.median(times[n]) for n in BUILDS)))
        rows.append((f"{label}, p90 (ms)", *(p90(times[n]) for n in BUILDS)))

    print(f"\nSearch on {questions:,} generated questions, in Chromium: plain Material and ours\n")
    print(f"{'':54} {'plain':>9} {'ours':>9} {'ours/plain':>11}")
    for label, plain, ours in rows:
        if plain is None:
            print(f"{label:54} {'':9} {'':9} {ours:11.2f}  (median)")
        else:
            ratio = f"{ours / plain:11.2f}" if plain else ""
            print(f"{label:54} {plain:9.1f} {ours:9.1f} {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--loads", type=int, default=16, help="page loads per build")
    parser.add_argument("--rounds", type=int, default=2, help="times each query is timed")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: install it with `sudo apt-get install chromium`")
    queries = list(QuerySet.read().answers)
    with tempfile.TemporaryDirectory(prefix="search-bench-") as workdir:
        sites = make_sites(Path(workdir), args.questions)
        timings = measure(sites, queries, args.loads, args.rounds)
        report(sites, timings, args.questions, queries)


if __name__ == "__main__":
    main()
