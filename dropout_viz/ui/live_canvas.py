"""A canvas that redraws in place: the Playground's live pictures.

Re-sending Plotly figures on every tick is browser-bound (~5 updates/s, with
charts blinking out while they re-mount). This Custom Components v2 element
keeps one <canvas> per chart and repaints them from one compact payload, so a
fragment can update a whole board of charts 20 times a second with no empty frame. The payloads are
built by ``dropout_viz.figures.live``; the painter is ``live_canvas.js``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from dropout_viz.figures.live import encode

_HERE = Path(__file__).parent
_CSS = """
.dl-board { display: grid; gap: 8px 28px; width: 100%; align-items: start; }
.dl-cell { min-width: 0; }  /* a column may shrink below its canvas's last width */
.dl-panel { margin: 0 0 10px 0; }
.dl-panel figcaption {
  font: 600 14px var(--st-font, sans-serif); color: var(--st-text-color, #31333f);
  margin: 0 0 6px 0; min-height: 1.3em;
}
.dl-panel canvas { display: block; }
.dl-head { font: 14px var(--st-font, sans-serif); color: var(--st-text-color, #31333f); }
.dl-head p { margin: 0 0 8px 0; }
.dl-follow .dl-settings { font-size: 14px; color: var(--st-text-color, #31333f); opacity: 0.8; }
.dl-metrics {
  display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr));
  gap: 8px 28px; margin: 4px 0 14px 0;
}
.dl-label { font-size: 14px; }
.dl-value { font-size: 28px; line-height: 1.3; }
.dl-delta { font-size: 14px; min-height: 1.2em; }
.dl-better { color: #177233; }  /* 6.1:1 on white, as the text: WCAG AA */
.dl-worse { color: #b3261e; }
.dl-label[title] { cursor: help; text-decoration: underline dotted; }
.dl-board:focus-visible {
  outline: 2px solid var(--st-primary-color, #0072b2); outline-offset: 4px;
}
.dl-sr-only {
  position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
"""


def _without_comments(js: str) -> str:
    """The painter without its comment lines and indentation. Streamlit sends a component's
    inline JS with every update, 20 times a second here: the comments are for readers."""
    lines = (line.strip() for line in js.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


_component = st.components.v2.component(
    "dropout_lab_live_canvas",
    js=_without_comments((_HERE / "live_canvas.js").read_text(encoding="utf-8")),
    css=_CSS,
)


def live_canvas(
    payload: dict | bytes, key: str, on_stopped: Callable[[], None] | None = None
) -> None:
    """Draw a payload from ``figures.live`` (or its ``encode``); the same key keeps the
    same canvases. ``on_stopped``: called (in a rerun) when a live run the canvas reads
    from the feed stops by itself."""
    data = payload if isinstance(payload, bytes) else encode(payload)
    if on_stopped is None:
        _component(data=data, key=key)
    else:
        _component(data=data, key=key, on_stopped_change=on_stopped)
