"""Where the keyboard focus is and whether a person can see it, measured in the page: the
focused element's ring (outline or box-shadow) against what is behind it (WCAG 1.4.11 and
2.4.7: at least 3:1), on screen, not covered by anything (2.4.11: a sticky header)."""

import re
from dataclasses import dataclass

from tests.support.browser import settle

MIN_RING_CONTRAST = 3.0

# What the focused element looks like: its ring's colour and the colour behind the ring, the
# colours already composited over what is beneath them (the ring may be translucent).
FOCUS_STATE = """() => {
  const element = document.activeElement
  if (!element || element === document.body || element === document.documentElement) return null
  const parse = color => {
    const parts = color.match(/[\\d.]+/g)?.map(Number) ?? [0, 0, 0, 0]
    return { rgb: parts.slice(0, 3), alpha: parts.length > 3 ? parts[3] : 1 }
  }
  const over = (top, bottom) => top.rgb.map((channel, i) =>
    channel * top.alpha + bottom[i] * (1 - top.alpha))
  // The colour painted at `node`, over the backgrounds of its ancestors.
  const backdrop = node => {
    const layers = []
    for (let n = node; n; n = n.parentElement) {
      const layer = parse(getComputedStyle(n).backgroundColor)
      if (layer.alpha > 0) layers.push(layer)
      if (layer.alpha === 1) break
    }
    return layers.reduceRight((below, layer) => over(layer, below), [255, 255, 255])
  }
  const style = getComputedStyle(element)
  const offset = parseFloat(style.outlineOffset) || 0
  // The ring is painted around the element, over its parent; inset, over the element itself.
  const behind = backdrop(offset < 0 ? element : element.parentElement)
  const rings = []
  if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 1)
    rings.push(over(parse(style.outlineColor), behind))
  for (const shadow of style.boxShadow.matchAll(/rgba?\\([^)]*\\)[^,]*?(?:,|$)/g)) {
    const spread = shadow[0].replace(/rgba?\\([^)]*\\)/, "").trim().split(/\\s+/).map(parseFloat)
    if (!shadow[0].includes("inset") && spread.length >= 4 && spread[3] >= 1)
      rings.push(over(parse(shadow[0].match(/rgba?\\([^)]*\\)/)[0]), behind))
  }
  let opacity = 1
  for (let n = element; n; n = n.parentElement) opacity *= Number(getComputedStyle(n).opacity)
  const box = element.getBoundingClientRect()
  const x = Math.min(Math.max(box.left + box.width / 2, 0), innerWidth - 1)
  const y = Math.min(Math.max(box.top + box.height / 2, 0), innerHeight - 1)
  const top = document.elementFromPoint(x, y)
  const labels = [...(element.labels ?? [])]
  const text = (element.getAttribute("aria-label") || element.innerText || element.value ||
    element.getAttribute("title") || "").trim().replace(/\\s+/g, " ").slice(0, 60)
  return {
    name: `${element.tagName.toLowerCase()}${element.id ? "#" + element.id : ""} "${text}"`,
    rings, behind,
    shown: style.visibility === "visible" && opacity > 0 && box.width >= 1 && box.height >= 1,
    onScreen: box.bottom > 0 && box.right > 0 && box.top < innerHeight && box.left < innerWidth,
    uncovered: !!top && (element.contains(top) || top.contains(element) ||
      labels.some(label => label.contains(top))),
  }
}"""


def luminance(rgb: list[float]) -> float:
    """WCAG relative luminance of an sRGB colour (channels 0-255)."""

    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: list[float], second: list[float]) -> float:
    """WCAG contrast ratio of two colours, from 1 to 21."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@dataclass
class Focus:
    """The focused element as a sighted keyboard user sees it."""

    name: str
    ring_contrast: float  # the best of its outline and box-shadow against what is behind
    shown: bool
    on_screen: bool
    uncovered: bool

    def problems(self) -> list[str]:
        """What keeps a person from seeing where the focus is ([] when nothing does)."""
        found = []
        if self.ring_contrast < MIN_RING_CONTRAST:
            found.append(f"focus ring contrast {self.ring_contrast:.2f}:1 < 3:1")
        if not self.shown:
            found.append("invisible")
        if not self.on_screen:
            found.append("off-screen")
        elif not self.uncovered:
            found.append("covered by another element")
        return [f"{self.name}: {problem}" for problem in found]


def focus(page) -> Focus | None:
    """The focused element (None when the focus is on the page itself), once the focus
    styles' transitions have finished."""
    settle(page)
    state = page.evaluate(FOCUS_STATE)
    if state is None:
        return None
    rings = [contrast(ring, state["behind"]) for ring in state["rings"]]
    return Focus(
        name=state["name"],
        ring_contrast=max(rings, default=1.0),
        shown=state["shown"],
        on_screen=state["onScreen"],
        uncovered=state["uncovered"],
    )


def press(page, key: str) -> Focus:
    """Press `key` and return where the focus went, failing unless a person can see it there."""
    page.keyboard.press(key)
    focused = focus(page)
    assert focused is not None, f"after {key}, the focus is on the page, not on an element"
    assert focused.problems() == [], focused.problems()
    return focused


def tab_to(page, pattern: str, key: str = "Tab", limit: int = 60) -> Focus:
    """Press Tab (or `key`) until an element whose name matches `pattern` has the focus,
    checking on the way that every stop passed can be seen."""
    wanted = re.compile(pattern)
    for _ in range(limit):
        focused = press(page, key)
        if wanted.search(focused.name):
            return focused
    raise AssertionError(f"no tab stop matching {pattern!r} within {limit} presses of {key}")


def tab_stop_problems(page, limit: int = 150) -> list[str]:
    """Every tab stop of the page, with Tab from the top until the focus leaves the page, then
    with Shift+Tab back up (the page scrolls the other way): the problems of each stop that
    cannot be seen (see `Focus.problems`)."""
    page.evaluate("document.activeElement?.blur(); window.scrollTo(0, 0)")
    found = []
    for key in ("Tab", "Shift+Tab"):
        for _ in range(limit):
            page.keyboard.press(key)
            focused = focus(page)
            if focused is None:
                break
            found.extend(f"{key}: {problem}" for problem in focused.problems())
        else:
            raise AssertionError(f"more than {limit} tab stops: a keyboard trap?")
    return found
