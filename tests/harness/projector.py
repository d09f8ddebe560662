"""Measuring the projector in the real page: what leaves the slide area or is cut by a box
that clips it, what the back row cannot read, and a room's answers sent over the API
(tests/browser/test_projector_fit.py)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

FULL_HD = {"width": 1920, "height": 1080}
ROOM_TEXT_PX = 28.0
"""The smallest text the room reads on a 1920×1080 projector."""

MEASURE = """() => {
  const bar = document.getElementById("join-banner").getBoundingClientRect();
  const skip = [".slide-number", ".visually-hidden", ".break-clock", ".presenter-keys",
    ".cloud-words", ".icon"].join(", ");
  const name = el => (typeof el.className === "string" ? el.className : el.tagName) + ": "
    + (el.textContent || "").trim().slice(0, 40);
  const outside = [];
  const clipped = [];
  for (const el of document.querySelectorAll("#slide *")) {
    if (el.closest(skip)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.bottom > bar.top + 1 || r.right > innerWidth + 1 || r.left < -1 || r.top < -1) {
      outside.push(name(el));
    }
    // cut at the foot of a box that clips (the answer wall): drawn, but not all seen
    for (let box = el.parentElement; box && box.id !== "slide"; box = box.parentElement) {
      if (getComputedStyle(box).overflowY === "visible") continue;
      if (r.bottom > box.getBoundingClientRect().bottom + 1) clipped.push(name(el));
      break;
    }
  }
  const small = [];
  const roots = "#slide, #qa-banner:not([hidden]), #join-banner";
  for (const root of document.querySelectorAll(roots)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const parent = n.parentElement;
      if (!n.textContent.trim() || !parent || parent.closest(skip)) continue;
      if (parent.getClientRects().length === 0) continue;
      // SVG text is drawn at its font size times the drawing's scale
      const scale = parent.closest("svg") && parent.getScreenCTM ? parent.getScreenCTM().a : 1;
      const size = parseFloat(getComputedStyle(parent).fontSize) * scale;
      if (size < FLOOR) small.push(size.toFixed(1) + "px " + name(parent));
    }
  }
  return {outside: outside, clipped: clipped, small: small};
}""".replace("FLOOR", str(ROOM_TEXT_PX - 0.05))

SETTLED = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def measure(page: Any) -> dict[str, list[str]]:
    """What of the slide leaves its area (overlaps the join bar, leaves the viewport), what
    is cut at the foot of a box that clips it (a half card at the answer wall's edge), and
    which room-read text is under ROOM_TEXT_PX, once the page has fitted itself."""
    page.evaluate(SETTLED)
    found: dict[str, list[str]] = page.evaluate(MEASURE)
    return found


def _call(base: str, method: str, path: str, body: Any, token: str | None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def join(base: str, code: str) -> str:
    """A new anonymous participant's token."""
    token: str = _call(base, "POST", f"/api/v1/sessions/{code}/participants", None, None)[
        "participant_token"
    ]
    return token


def answer(base: str, code: str, token: str, slide: str, value: Any) -> None:
    _call(base, "PUT", f"/api/v1/sessions/{code}/slides/{slide}/response", {"value": value}, token)
