"""Chromium for tests: where it is, how it starts, and acting on a page only once it shows what
a person sees (transitions finished), including running axe-core on it."""

from pathlib import Path

from tests.support import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# Resolves once the page has stopped moving: every transition and finite animation running
# now (and any started by the frames after it) has finished. Infinite ones never would.
SETTLED = """async () => {
  const frame = () => new Promise(resolve => requestAnimationFrame(() => resolve()))
  for (let round = 0; round < 20; round++) {
    await frame()
    await frame()
    const moving = document.getAnimations().filter(animation =>
      animation.playState === "running" &&
      animation.effect?.getComputedTiming().iterations !== Infinity)
    if (moving.length === 0) return
    await Promise.allSettled(moving.map(animation => animation.finished))
  }
}"""


def settle(page) -> None:
    """Wait until the page's transitions and animations have finished."""
    page.evaluate(SETTLED)


def axe_violations(tab) -> list[dict]:
    """Run axe-core in a loaded, settled page; its violations (empty when the page passes)."""
    settle(tab)  # colours measured mid-transition are not the ones a reader sees
    # Evaluated through the DevTools protocol: the page's own CSP would block a <script>.
    tab.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    result = tab.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]],
        }
        for violation in result["violations"]
    ]
