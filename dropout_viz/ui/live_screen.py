"""The live part of a Playground screen, drawn the same for the learner who trains the
run and for a class that follows it: the step counter, the gaps and the board."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from dropout_viz import lesson
from dropout_viz.ui.live_canvas import live_canvas


def draw_update(
    step: int, seed: int, latest: Sequence[dict], task: str, board: bytes, note: str = ""
) -> None:
    """One screen update. Its elements never change in number or order, so Streamlit
    updates them in place and the canvases are never re-mounted (no blank frame)."""
    with st.container(key="step"):
        st.markdown(f"**Step {step:,}** · seed {seed}{note}")
    baseline_point, dropout_point = latest
    gap_base = baseline_point["test_loss"] - baseline_point["train_loss"]
    gap_drop = dropout_point["test_loss"] - dropout_point["train_loss"]
    m1, m2, m3 = st.columns(3)
    m1.metric("Gap without dropout", f"{gap_base:.3f}", help=lesson.tooltip("generalization gap"))
    m2.metric(
        "Gap with dropout",
        f"{gap_drop:.3f}",
        delta=f"{gap_drop - gap_base:+.3f} vs no dropout",
        delta_color="inverse",
        help="Smaller is better: the model does about as well on "
        "new points as on its training points.",
    )
    if task == "classification":
        m3.metric(
            "Test accuracy (no dropout → dropout)",
            f"{baseline_point['test_acc']:.1%} → {dropout_point['test_acc']:.1%}",
        )
    else:
        m3.metric(
            "Test loss (no dropout → dropout)",
            f"{baseline_point['test_loss']:.3f} → {dropout_point['test_loss']:.3f}",
        )
    live_canvas(board, key="pg_board")
