"""Helpers for tests that drive Chromium: act on a page only once it shows what a person sees."""

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
