"""Figures of inference taken apart: how the average of N thinned sub-networks closes in on
the eval-mode network, its test score against weight scaling's, and one input's train-mode
outputs against its eval-mode output. Arrays in, ``go.Figure`` out."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from .style import (
    CHART_LAYOUT,
    DROPOUT_BARS,
    DROPOUT_COLOR,
    MARK_COLOR,
    NO_DROPOUT_COLOR,
    REFERENCE_COLOR,
)
from .style import INK as EVAL_COLOR

COUNT_TICKS = (1, 2, 5, 10, 20, 50, 100, 200, 500)


def vertical(x: float, name: str, line: dict, yaxis: str = "y2") -> go.Scatter:
    """A vertical line as a trace on an overlaid [0, 1] axis: it gets a legend entry and a
    tooltip, and sits right on log axes (a shape there wants log10 coordinates)."""
    return go.Scatter(
        x=[x, x],
        y=[0, 1],
        yaxis=yaxis,
        mode="lines",
        line=line,
        name=name,
        hovertemplate=f"{name}<extra></extra>",
    )


def _count_axis(counts: np.ndarray) -> dict:
    return {
        "title": {"text": "N, sub-networks averaged (log scale)"},
        "type": "log",
        "range": [0, math.log10(max(float(counts[-1]), 2))],
        "tickvals": [v for v in COUNT_TICKS if v <= counts[-1]],
    }


def distance(
    counts: np.ndarray,
    distance_values: np.ndarray,
    noise: np.ndarray,
    floor: float,
    n: int,
    of_outputs: np.ndarray | None = None,
    what: str = "P(class 1)",
    over: str = "the map",
) -> go.Figure:
    """RMS distance of the average of N sub-networks to the eval-mode prediction, N = 1 … max."""
    counts = np.asarray(counts, dtype=float)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=counts,
            y=noise,
            mode="lines",
            line={"color": REFERENCE_COLOR, "dash": "dot"},
            name="noise alone: σ/√N",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=counts,
            y=np.full_like(counts, floor),
            mode="lines",
            line={"color": EVAL_COLOR, "dash": "dash"},
            name=f"what N → ∞ leaves: {floor:.3f}",
        )
    )
    if of_outputs is not None:
        fig.add_trace(
            go.Scatter(
                x=counts,
                y=of_outputs,
                mode="lines",
                line={"color": NO_DROPOUT_COLOR, "width": 2},
                name="averaging the outputs (logits), then the sigmoid",
                hovertemplate="N = %{x}: %{y:.4f}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=counts,
            y=distance_values,
            mode="lines",
            line={"color": DROPOUT_COLOR, "width": 3},
            name=f"averaging {what} (the ensemble)",
            hovertemplate="N = %{x}: %{y:.4f}<extra></extra>",
        )
    )
    fig.add_trace(vertical(n, f"N = {n}, the slider", {"color": MARK_COLOR, "width": 1}))
    fig.update_layout(
        title={"text": f"Distance to the eval-mode {what}, RMS over {over}"},
        xaxis=_count_axis(counts),
        yaxis={"title": {"text": f"RMS of average − eval ({what})"}, "rangemode": "tozero"},
        yaxis2={"overlaying": "y", "range": [0, 1], "visible": False},
        **CHART_LAYOUT,
    )
    return fig


def test_score(
    counts: np.ndarray,
    of_average: np.ndarray,
    of_eval: float,
    metric: str,
    n: int,
    matched_from: int | None,
) -> go.Figure:
    """The test score of the average of N sub-networks beside weight scaling's."""
    counts = np.asarray(counts, dtype=float)
    percent = metric == "test error"
    scale = 100.0 if percent else 1.0
    unit = " (%)" if percent else ""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=counts,
            y=np.full_like(counts, of_eval * scale),
            mode="lines",
            line={"color": EVAL_COLOR, "dash": "dash"},
            name=f"full network, eval mode: {of_eval * scale:.4g}{' %' if percent else ''}",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=counts,
            y=np.asarray(of_average) * scale,
            mode="lines",
            line={"color": DROPOUT_COLOR, "width": 2},
            name="average of N sub-networks",
            hovertemplate="N = %{x}: %{y:.4g}<extra></extra>",
        )
    )
    fig.add_trace(vertical(n, f"N = {n}, the slider", {"color": MARK_COLOR, "width": 1}))
    if matched_from is not None:
        style = {"color": DROPOUT_COLOR, "dash": "dot", "width": 2}
        fig.add_trace(vertical(matched_from, f"as good from N = {matched_from} on", style))
    fig.update_layout(
        title={"text": f"The ensemble's {metric} against weight scaling's"},
        xaxis=_count_axis(counts),
        yaxis={"title": {"text": f"{metric}{unit}"}},
        yaxis2={"overlaying": "y", "range": [0, 1], "visible": False},
        **CHART_LAYOUT,
    )
    return fig


def output_histogram(
    outputs: np.ndarray, eval_output: float, n: int, label: str, point_text: str
) -> go.Figure:
    """One input: every sub-network's output, their mean (all, and the first N) and eval mode."""
    outputs = np.asarray(outputs, dtype=float)
    mean_all, mean_n = float(outputs.mean()), float(outputs[:n].mean())
    fig = go.Figure()
    fig.add_trace(
        go.Histogram(
            x=outputs,
            nbinsx=40,
            marker={"color": DROPOUT_BARS},
            name=f"{len(outputs)} train-mode outputs (one per sub-network)",
            hovertemplate="output %{x}: %{y} sub-networks<extra></extra>",
        )
    )
    lines = [
        (
            eval_output,
            "eval mode (all units, no mask)",
            {"color": EVAL_COLOR, "dash": "dash", "width": 3},
        ),
        (mean_all, f"mean of all {len(outputs)}", {"color": DROPOUT_COLOR, "width": 3}),
    ]
    if n < len(outputs):
        lines.append(
            (
                mean_n,
                f"mean of the first {n}",
                {"color": NO_DROPOUT_COLOR, "dash": "dot", "width": 2},
            )
        )
    for value, name, style in lines:
        fig.add_trace(vertical(value, f"{name}: {value:.3f}", style))
    fig.update_layout(
        title={"text": f"One input, {point_text}: train mode vs eval mode"},
        xaxis={"title": {"text": label}},
        yaxis={"title": {"text": "sub-networks"}},
        yaxis2={"overlaying": "y", "range": [0, 1], "visible": False},
        bargap=0.05,
        **CHART_LAYOUT,
    )
    return fig
