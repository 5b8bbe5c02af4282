"""Figures for Monte-Carlo dropout: the mean prediction with its ±2 std band, and the spread."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .live import DROPOUT_COLOR
from .masks import BAND_FILL, FONT

GAP_FILL = "rgba(120, 120, 120, 0.12)"  # neutral, so the teal band keeps its colour
MAX_SAMPLE_LINES = 12  # a few single passes show what is being averaged; more is clutter


def _gap(fig: go.Figure, gap: tuple[float, float], label: bool) -> None:
    labels = {"annotation_text": "gap: no training points", "annotation_position": "top"}
    fig.add_vrect(
        x0=gap[0],
        x1=gap[1],
        fillcolor=GAP_FILL,
        line_width=0,
        layer="below",
        **(labels if label else {}),
    )


def mc_band(
    x: np.ndarray,
    mean: np.ndarray,
    std: np.ndarray,
    samples: np.ndarray,
    x_train: np.ndarray,
    y_train: np.ndarray,
    truth: np.ndarray,
    gap: tuple[float, float],
    passes: int,
) -> go.Figure:
    """Training points, the true curve, a few single passes, the mean and its ±2 std band."""
    x, mean, std = (np.asarray(a, dtype=float) for a in (x, mean, std))
    fig = go.Figure()
    _gap(fig, gap, label=True)
    fig.add_trace(
        go.Scatter(
            x=np.concatenate([x, x[::-1]]),
            y=np.concatenate([mean + 2 * std, (mean - 2 * std)[::-1]]),
            fill="toself",
            fillcolor=BAND_FILL,
            line={"width": 0},
            hoverinfo="skip",
            name="mean ± 2 std",
        )
    )
    for i, row in enumerate(np.asarray(samples, dtype=float)[:MAX_SAMPLE_LINES]):
        fig.add_trace(
            go.Scatter(
                x=x,
                y=row,
                mode="lines",
                line={"color": "rgba(0, 121, 140, 0.25)", "width": 1},
                name="single passes (dropout on)",
                legendgroup="passes",
                showlegend=i == 0,
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=np.asarray(truth, dtype=float),
            mode="lines",
            line={"color": "#888", "dash": "dash"},
            name="sin(x), the truth",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=mean,
            mode="lines",
            line={"color": DROPOUT_COLOR, "width": 3},
            name=f"mean of {passes} passes",
            hovertemplate="x = %{x:.2f}: mean %{y:.3f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=np.asarray(x_train, dtype=float).ravel(),
            y=np.asarray(y_train, dtype=float).ravel(),
            mode="markers",
            marker={"color": "#222", "size": 6},
            name="training points",
        )
    )
    fig.update_layout(
        xaxis={"title": {"text": "x (input)"}},
        yaxis={"title": {"text": "y (prediction)"}},
        legend={"orientation": "h", "y": -0.2},
        height=480,
        margin={"l": 70, "r": 30, "t": 40, "b": 40},
        font=FONT,
    )
    return fig


def spread(x: np.ndarray, std: np.ndarray, gap: tuple[float, float], passes: int) -> go.Figure:
    """The band's half-width, 2 std of the T predictions, along x."""
    fig = go.Figure()
    _gap(fig, gap, label=False)
    fig.add_trace(
        go.Scatter(
            x=np.asarray(x, dtype=float),
            y=2 * np.asarray(std, dtype=float),
            mode="lines",
            line={"color": DROPOUT_COLOR, "width": 2},
            fill="tozeroy",
            fillcolor=BAND_FILL,
            name="2 std",
            hovertemplate="x = %{x:.2f}: 2 std = %{y:.3f}<extra></extra>",
        )
    )
    fig.update_layout(
        xaxis={"title": {"text": "x (input)"}},
        yaxis={"title": {"text": f"2 std of {passes} predictions"}, "rangemode": "tozero"},
        showlegend=False,
        height=260,
        margin={"l": 70, "r": 30, "t": 20, "b": 40},
        font=FONT,
    )
    return fig
