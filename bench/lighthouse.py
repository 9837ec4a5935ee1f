"""Lighthouse 12.2.3 (bench/node_modules) on a page: mobile scores, and what costs points.

Run with Debian's Chromium and the flags the browser tests use; a category below 100 lists
its scored audits that failed and, for performance, what Lighthouse says would save time.
"""

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.stats import median
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
LIGHTHOUSE = Path(__file__).with_name("node_modules") / ".bin" / "lighthouse"


@dataclass(frozen=True)
class Audit:
    category: str
    title: str
    score: float
    shown: str


def lighthouse(url: str) -> tuple[dict[str, float], list[Audit]]:
    """Lighthouse's mobile scores (0-100) for a page, and the scored audits it fails."""
    with tempfile.TemporaryDirectory(prefix="bench-lighthouse-") as workdir:
        output = Path(workdir) / "report.json"
        command = [str(LIGHTHOUSE), url, "--output=json", f"--output-path={output}", "--quiet"]
        command += [f"--only-categories={','.join(CATEGORIES)}"]
        command += [f"--chrome-flags={' '.join(CHROMIUM_FLAGS)}"]
        env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
        subprocess.run(command, env=env, check=True, timeout=240, capture_output=True)
        report = json.loads(output.read_text(encoding="utf-8"))
    scores, failing = {}, []
    for name, category in report["categories"].items():
        scores[name] = round((category["score"] or 0) * 100)
        if scores[name] < 100:
            failing += below_full_marks(name, category, report["audits"])
    return scores, failing


def below_full_marks(name: str, category: dict, audits: dict) -> list[Audit]:
    """The scored audits that cost points, and for performance what Lighthouse says would
    save time (render-blocking files, unused code, main-thread work)."""
    found = []
    for reference in category["auditRefs"]:
        audit = audits[reference["id"]]
        if audit["score"] is None or audit["score"] >= 1:
            continue
        savings = (audit.get("details") or {}).get("overallSavingsMs") or 0
        if reference["weight"] > 0 or (name == "performance" and savings > 0):
            found.append(Audit(name, audit["title"], audit["score"], audit.get("displayValue", "")))
    return found


def score_text(runs: list[float]) -> str:
    """The median score, with the range when runs disagree: "99 (98–100)"."""
    low, high = min(runs), max(runs)
    spread = f" ({low:.0f}–{high:.0f})" if low != high else ""
    return f"{median(runs):.0f}{spread}"


def failing_notes(failing: dict[str, list[Audit]]) -> str:
    """Each scored audit below 100, per page (a failure seen in any run)."""
    notes = []
    for page, audits in failing.items():
        seen = {}
        for audit in audits:
            seen.setdefault((audit.category, audit.title), audit)
        for (category, title), audit in seen.items():
            shown = f" ({audit.shown})" if audit.shown else ""
            notes.append(f"- {page}, {category}: {title}{shown}, score {audit.score:.2f}")
    if not notes:
        return "Every scored Lighthouse audit passed on every page.\n"
    return "Scored Lighthouse audits below 100:\n\n" + "\n".join(notes) + "\n"
