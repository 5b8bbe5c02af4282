"""A canvas that redraws in place: the Playground's live pictures.

Re-sending Plotly figures on every tick is browser-bound (~5 updates/s, with
charts blinking out while they re-mount). This Custom Components v2 element
keeps one <canvas> per chart and repaints it from a compact payload, so a
fragment can update it 20 times a second with no empty frame. The payloads are
built by ``dropout_viz.figures.live``; the painter is ``live_canvas.js``.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

_HERE = Path(__file__).parent
_CSS = """
.dl-live { width: 100%; }
.dl-live canvas { display: block; }
"""

_component = st.components.v2.component(
    "dropout_lab_live_canvas",
    js=(_HERE / "live_canvas.js").read_text(encoding="utf-8"),
    css=_CSS,
)


def live_canvas(payload: dict, key: str) -> None:
    """Draw a payload from ``figures.live``; the same key keeps the same canvas."""
    _component(data=payload, key=key, height=payload.get("height", 300))
