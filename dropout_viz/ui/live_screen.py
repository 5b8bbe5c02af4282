"""The live part of a Playground screen: the step counter, the gaps and the board, drawn
from one update of a run (the numbers' wording is ``figures.headline``'s, shared with
the class feed)."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from dropout_viz import lesson
from dropout_viz.figures.headline import headline
from dropout_viz.ui.live_canvas import live_canvas

HELP = (
    lesson.tooltip("generalization gap"),
    "Smaller is better: the model does about as well on new points as on its training points.",
    None,
)


def draw_update(
    step: int, seed: int, latest: Sequence[dict], task: str, board: bytes, note: str = ""
) -> None:
    """One screen update. Its elements never change in number or order, so Streamlit
    updates them in place and the canvases are never re-mounted (no blank frame)."""
    with st.container(key="step"):
        st.markdown(f"**Step {step:,}** · seed {seed}{note}")
    # A row that wraps: on a narrow main column (a tablet) a metric moves down a line
    # instead of cutting its value short ("74.6% …"), as three columns did.
    row = st.container(horizontal=True, gap="medium")
    for metric, help_text in zip(headline(latest, task), HELP, strict=True):
        row.metric(
            metric.label, metric.value, delta=metric.delta, delta_color="inverse", help=help_text
        )
    live_canvas(board, key="pg_board")
