"""Figures for Monte-Carlo dropout: the mean prediction with its ±2 std band, the spread,
the MC mean closing in on the eval-mode output, and a 2-D classifier's uncertainty maps."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import maps
from .style import (
    BAND_FILL,
    DROPOUT_COLOR,
    DROPOUT_SAMPLE_LINE,
    FONT,
    GAP_FILL,
    INK,
    MEAN_LINE_COLOR,
    NO_DROPOUT_BAND_FILL,
    NO_DROPOUT_COLOR,
    UNCERTAINTY_SCALE,
)

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
                line={"color": DROPOUT_SAMPLE_LINE, "width": 1},
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
            line={"color": MEAN_LINE_COLOR, "dash": "dash"},
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
            marker={"color": INK, "size": 6},
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


BAND_COLORS = ((BAND_FILL, DROPOUT_COLOR), (NO_DROPOUT_BAND_FILL, NO_DROPOUT_COLOR))


def mc_convergence(points: Sequence[dict], passes: int) -> go.Figure:
    """Per input x: MC mean of the first T passes minus the eval-mode output, inside ±2σ/√T.

    points: dicts with "label", "running_mean", "eval_value" and "band" (2σ/√T), each (T,).
    """
    fig = go.Figure()
    for (fill, color), point in zip(BAND_COLORS, points):
        band = np.asarray(point["band"], dtype=float)
        counts = np.arange(1, len(band) + 1, dtype=float)
        fig.add_trace(
            go.Scatter(
                x=np.concatenate([counts, counts[::-1]]),
                y=np.concatenate([band, -band[::-1]]),
                fill="toself",
                fillcolor=fill,
                line={"width": 0},
                hoverinfo="skip",
                name=f"{point['label']}: ±2σ/√T",
                legendgroup=point["label"],
            )
        )
        fig.add_trace(
            go.Scatter(
                x=counts,
                y=np.asarray(point["running_mean"], dtype=float) - point["eval_value"],
                mode="lines",
                line={"color": color, "width": 2},
                name=f"{point['label']}: MC mean − eval mode",
                legendgroup=point["label"],
                hovertemplate="T = %{x}: %{y:+.4f}<extra></extra>",
            )
        )
    fig.add_hline(y=0, line={"color": INK, "dash": "dash", "width": 1})
    fig.update_layout(
        xaxis={
            "title": {"text": f"T, passes averaged (log scale, up to {passes})"},
            "type": "log",
            "range": [0, math.log10(max(passes, 2))],
            "tickvals": [t for t in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if t <= passes],
        },
        yaxis={"title": {"text": "MC mean − eval-mode output"}},
        legend={"orientation": "h", "y": -0.25},
        height=420,
        margin={"l": 70, "r": 30, "t": 30, "b": 40},
        font=FONT,
    )
    return fig


def mc_maps(
    mean: np.ndarray,
    uncertainty: np.ndarray,
    what: str,
    extent: maps.Extent,
    train: tuple[np.ndarray, np.ndarray],
    hole: tuple[tuple[float, float], float],
    passes: int,
) -> go.Figure:
    """Side by side: the MC mean of P(class 1), and its uncertainty (entropy or std), with
    the training points and the held-out disc."""
    fig = make_subplots(
        1,
        2,
        subplot_titles=(f"mean P(class 1) over {passes} passes", what),
        horizontal_spacing=0.04,
    )
    fig.update_annotations(font_size=12)  # two titles side by side, also on a tablet
    fig.add_trace(maps.heatmap(mean, extent, "mean P(class 1)"), 1, 1)
    fig.add_trace(maps.heatmap(uncertainty, extent, what, coloraxis="coloraxis2"), 1, 2)
    for col in (1, 2):
        for trace in maps.class_points(*train, size=5, showlegend=col == 1):
            fig.add_trace(trace, 1, col)
        fig.add_shape(**maps.circle(*hole, "held out"), row=1, col=col)
    # The circle as a legend entry too (a shape has none).
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="lines",
            line={"color": INK, "dash": "dash"},
            name="held out: no training points",
        )
    )
    top = max(float(np.max(uncertainty)), 1e-6)
    (x0, x1), (y0, y1) = extent
    fig.update_xaxes(range=[x0, x1], title_text="x₁")
    fig.update_yaxes(range=[y0, y1])
    fig.update_yaxes(title_text="x₂", col=1)
    fig.update_yaxes(showticklabels=False, col=2)  # the same axis as on the left
    fig.update_layout(
        coloraxis={
            **maps.probability_axis(),
            "colorbar": maps.colorbar_under("P(class 1)", 0.24, 0.4),  # its scale, bar under
        },
        coloraxis2={
            "colorscale": UNCERTAINTY_SCALE,
            "cmin": 0,
            "cmax": top,
            "colorbar": maps.colorbar_under(what.split(" (")[0], 0.76, 0.4),
        },
        **maps.bars_under_layout(470),
        font=FONT,
    )
    return fig
