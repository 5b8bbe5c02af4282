"""Figures for the lesson's example network: its outputs per pass and its masks."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .masks import mask_heatmap
from .style import DROPOUT_COLOR, FONT, INK, PASS_COLOURS, SEPARATOR_COLOR

PASS_SYMBOLS = ("circle", "square", "triangle-up", "star", "x")


def outputs(
    train_outputs: np.ndarray,
    eval_outputs: np.ndarray,
    mean_of_train: np.ndarray,
    tolerance: np.ndarray,
    n_average: int,
) -> go.Figure:
    """Per example: each train-mode pass, the eval output, and the mean of many train passes."""
    train = np.asarray(train_outputs, dtype=float)  # (passes, examples)
    evals = np.asarray(eval_outputs, dtype=float)
    examples = np.arange(train.shape[1])
    fig = go.Figure()
    spread = 0.22  # horizontal offset between passes, so equal values do not hide each other
    offsets = np.linspace(-spread, spread, len(train)) if len(train) > 1 else [0.0]
    for i, (row, offset) in enumerate(zip(train, offsets)):
        fig.add_trace(
            go.Scatter(
                x=examples + offset - 0.15,
                y=row,
                mode="markers",
                marker={
                    "color": PASS_COLOURS[i % len(PASS_COLOURS)],
                    "symbol": PASS_SYMBOLS[i % len(PASS_SYMBOLS)],
                    "size": 11,
                },
                name=f"train mode, pass {i + 1}",
                hovertemplate=f"pass {i + 1}, example %{{customdata}}: %{{y:.4f}}<extra></extra>",
                customdata=examples,
            )
        )
    fig.add_trace(
        go.Scatter(
            x=examples + 0.3,
            y=evals[0],
            mode="markers",
            marker={"symbol": "line-ew", "size": 26, "line": {"width": 3, "color": INK}},
            name=f"eval mode, all {len(evals)} passes (identical)",
            hovertemplate="eval, example %{customdata}: %{y:.4f}<extra></extra>",
            customdata=examples,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=examples + 0.3,
            y=np.asarray(mean_of_train, dtype=float),
            mode="markers",
            marker={"symbol": "diamond-open", "size": 12, "color": DROPOUT_COLOR},
            error_y={"type": "data", "array": np.asarray(tolerance, dtype=float), "width": 6},
            name=f"mean of {n_average:,} train-mode passes ± tolerance",
            hovertemplate="mean, example %{customdata}: %{y:.4f}<extra></extra>",
            customdata=examples,
        )
    )
    fig.update_layout(
        xaxis={
            "title": {"text": "example (row of input_tensor)"},
            "tickmode": "array",
            "tickvals": examples.tolist(),
            "range": [-0.6, len(examples) - 0.4],
        },
        yaxis={"title": {"text": "output of the network"}, "zeroline": True},
        legend={"orientation": "h", "y": -0.22},
        height=430,
        margin={"l": 70, "r": 30, "t": 30, "b": 40},
        font=FONT,
    )
    for boundary in examples[1:] - 0.5:  # light separators between examples
        fig.add_vline(x=float(boundary), line={"color": SEPARATOR_COLOR, "width": 1})
    return fig


def mask_grid(keep_masks: np.ndarray) -> go.Figure:
    """One 5 × 50 grid of keep masks per train-mode pass (1 = kept, 0 = dropped)."""
    masks = np.asarray(keep_masks).astype(int)  # (passes, examples, units)
    passes, n_examples, n_units = masks.shape
    titles = [
        f"pass {i + 1}: {masks[i].sum()} of {masks[i].size} kept "
        f"(per example: {', '.join(str(k) for k in masks[i].sum(1))})"
        for i in range(passes)
    ]
    fig = make_subplots(
        rows=passes, cols=1, shared_xaxes=True, vertical_spacing=0.12, subplot_titles=titles
    )
    for i in range(passes):
        fig.add_trace(mask_heatmap(masks[i], name=f"pass {i + 1}"), i + 1, 1)
        fig.update_yaxes(title_text="example", autorange="reversed", dtick=1, row=i + 1, col=1)
    fig.update_xaxes(title_text=f"hidden unit (0–{n_units - 1})", row=passes, col=1)
    fig.update_layout(
        height=120 + passes * (40 + 26 * n_examples),
        margin={"l": 70, "r": 30, "t": 50, "b": 50},
        font=FONT,
    )
    return fig
