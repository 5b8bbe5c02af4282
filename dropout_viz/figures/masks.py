"""Figures for one dropout layer up close: h, m and h·m/(1−p), convergence, conventions,
and the activation histograms after training. Arrays in, ``go.Figure`` out."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .style import (
    ACTIVATION_SCALE,
    BAND_FILL,
    CHART_LAYOUT,
    DROPOUT_COLOR,
    DROPOUT_ERROR_BARS,
    DROPOUT_PALE,
    DROPPED_COLOR,
    FONT,
    HISTOGRAM_FILLS,
    INK,
    KEPT_COLOR,
    NO_DROPOUT_COLOR,
)

CONVENTION_NAMES = {
    "inverted": "inverted (PyTorch)",
    "classic": "classic (2014 paper)",
    "unscaled": "unscaled (the bug)",
}


def mask_heatmap(keep_mask: np.ndarray, **kwargs) -> go.Heatmap:
    """A 0/1 keep mask as cells: kept in the dropout colour, dropped pale, the digit inside."""
    mask = np.asarray(keep_mask).astype(int)
    return go.Heatmap(
        z=mask,
        zmin=0,
        zmax=1,
        colorscale=[[0, DROPPED_COLOR], [0.5, DROPPED_COLOR], [0.5, KEPT_COLOR], [1, KEPT_COLOR]],
        showscale=False,
        texttemplate="%{z}",
        textfont={"size": 10},
        xgap=1,
        ygap=1,
        hovertemplate="example %{y}, unit %{x}: %{z} (1 = kept, 0 = dropped)<extra></extra>",
        **kwargs,
    )


def layer_pass(
    activations: np.ndarray, keep_mask: np.ndarray, output: np.ndarray, drop_rate: float
) -> go.Figure:
    """h, m and h·m/(1−p) as three heat maps of the same (examples × units) layout."""
    h, out = np.asarray(activations, dtype=float), np.asarray(output, dtype=float)
    n_examples, n_units = h.shape
    scale = f"{1 / (1 - drop_rate):.3g}" if drop_rate < 1 else "∞"
    fig = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.09,
        subplot_titles=(
            "h: the activations (what every unit passes on in eval mode)",
            "m: the keep mask of this pass (1 = kept, 0 = dropped), one row per example",
            f"h·m/(1−p): what the next layer sees in training (kept units × {scale})",
        ),
    )
    zmax = float(max(out.max(initial=0), h.max(initial=0), 1e-6))  # h and output share colours
    cell = "example %{y}, unit %{x}: %{z:.3f}<extra></extra>"
    fig.add_trace(go.Heatmap(z=h, coloraxis="coloraxis", hovertemplate=cell, name="h"), 1, 1)
    fig.add_trace(mask_heatmap(keep_mask, name="m"), 2, 1)
    fig.add_trace(
        go.Heatmap(z=out, coloraxis="coloraxis2", hovertemplate=cell, name="h·m/(1−p)"), 3, 1
    )
    # Two colour axes with the same range: each heat map gets its own colour bar beside it,
    # and equal colours still mean equal activations in both.
    for name, row in (("coloraxis", 1), ("coloraxis2", 3)):
        domain = fig.get_subplot(row, 1).yaxis.domain
        fig.update_layout(
            {
                name: {
                    "colorscale": ACTIVATION_SCALE,
                    "cmin": 0,
                    "cmax": zmax,
                    "colorbar": {
                        "title": {"text": "activation"},
                        "len": domain[1] - domain[0],
                        "y": (domain[0] + domain[1]) / 2,
                        "yanchor": "middle",
                        "thickness": 14,
                    },
                }
            }
        )
    fig.update_layout(
        height=240 + 3 * max(26 * n_examples, 90),  # a row per example, but never squashed
        margin={"l": 70, "r": 30, "t": 50, "b": 50},
        font=FONT,
    )
    for row in (1, 2, 3):
        fig.update_yaxes(
            title_text="example",
            autorange="reversed",
            dtick=1 if n_examples <= 10 else None,
            row=row,
            col=1,
        )
    fig.update_xaxes(title_text=f"hidden unit (0–{n_units - 1})", row=3, col=1)
    return fig


def convergence(
    counts: np.ndarray,
    running_mean: np.ndarray,
    target: float,
    band: np.ndarray,
    unit: int,
    example: int,
) -> go.Figure:
    """The running mean over 1…N masks closing in on h, inside the shrinking ±2σ/√N band."""
    n = np.asarray(counts, dtype=float)
    band = np.asarray(band, dtype=float)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=np.concatenate([n, n[::-1]]),
            y=np.concatenate([target + band, (target - band)[::-1]]),
            fill="toself",
            fillcolor=BAND_FILL,
            line={"width": 0},
            hoverinfo="skip",
            name="h ± 2σ/√N",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=n,
            y=np.full_like(n, target),
            mode="lines",
            line={"color": INK, "dash": "dash"},
            name=f"h = {target:.3f} (eval mode)",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=n,
            y=np.asarray(running_mean, dtype=float),
            mode="lines",
            line={"color": DROPOUT_COLOR, "width": 2},
            name="mean of h·m/(1−p) over N masks",
            hovertemplate="N = %{x}: mean %{y:.4f}<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": f"Unit {unit} of example {example}: the average over masks converges to h"},
        xaxis={
            "title": {"text": "N, number of masks averaged (log scale)"},
            "type": "log",
            "tickvals": [v for v in (1, 10, 100, 1000, 10000) if v <= n[-1]] + [int(n[-1])],
        },
        yaxis={"title": {"text": "activation"}},
        **CHART_LAYOUT,
    )
    return fig


def units_after(
    target: np.ndarray, final_mean: np.ndarray, band: np.ndarray, n_masks: int
) -> go.Figure:
    """Every unit of the example after N masks: its mean beside h and the ±2σ/√N band."""
    target = np.asarray(target, dtype=float)
    mean = np.asarray(final_mean, dtype=float)
    band = np.asarray(band, dtype=float)
    units = np.arange(len(target))
    inside = np.abs(mean - target) <= band + 1e-9
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=units,
            y=target,
            mode="markers",
            marker={"symbol": "line-ew", "size": 14, "line": {"width": 2, "color": INK}},
            error_y={"type": "data", "array": band, "color": DROPOUT_ERROR_BARS},
            name="h ± 2σ/√N",
            hovertemplate="unit %{x}: h = %{y:.3f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=units,
            y=mean,
            mode="markers",
            marker={
                "color": [DROPOUT_COLOR if ok else NO_DROPOUT_COLOR for ok in inside],
                "size": 7,
            },
            name=f"mean over {n_masks:,} masks (red: outside the band)",
            hovertemplate="unit %{x}: mean %{y:.3f}<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": f"All units of this example after N = {n_masks:,} masks"},
        xaxis={"title": {"text": "hidden unit"}},
        yaxis={"title": {"text": "activation"}},
        **CHART_LAYOUT,
    )
    return fig


def conventions(
    modes: Sequence[str], train_means: Sequence[float], eval_means: Sequence[float]
) -> go.Figure:
    """Grouped bars: the mean activation passed on in training vs at inference, per convention."""
    names = [CONVENTION_NAMES.get(m, m) for m in modes]
    fig = go.Figure()
    for label, values, colour in (
        ("training (mean over many masks)", train_means, DROPOUT_PALE),
        ("inference (eval mode)", eval_means, DROPOUT_COLOR),
    ):
        fig.add_trace(
            go.Bar(
                x=names,
                y=list(values),
                name=label,
                marker_color=colour,
                text=[f"{v:.3f}" for v in values],
                textposition="outside",
                cliponaxis=False,
            )
        )
    top = max([*train_means, *eval_means, 1e-6])
    fig.update_layout(
        barmode="group",
        xaxis={"title": {"text": "convention"}},
        yaxis={"title": {"text": "mean activation passed on"}, "range": [0, top * 1.2]},
        legend={"orientation": "h", "y": -0.3},
        height=380,
        margin={"l": 70, "r": 30, "t": 30, "b": 40},
        font=FONT,
    )
    return fig


def activation_histograms(
    activations: Sequence[np.ndarray],
    unit_means: Sequence[np.ndarray],
    labels: Sequence[str] = ("no dropout", "dropout"),
    bins: int = 40,
) -> go.Figure:
    """Left: every (digit, unit) activation; right: each unit's mean. One colour per twin."""
    colours = (NO_DROPOUT_COLOR, DROPOUT_COLOR)
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.1,
        subplot_titles=("all activations", "each unit's mean activation"),
    )
    for col, series, unit in ((1, activations, "activations"), (2, unit_means, "units")):
        flat = [np.asarray(values, dtype=float).ravel() for values in series]
        top = max(float(v.max(initial=0)) for v in flat) or 1.0
        edges = np.linspace(0, top, bins + 1)
        centres = (edges[:-1] + edges[1:]) / 2
        for values, label, colour, fill in zip(flat, labels, colours, HISTOGRAM_FILLS):
            counts, _ = np.histogram(values, bins=edges)
            share = 100 * counts / max(len(values), 1)
            # Outlined steps, lightly filled: where the twins overlap both outlines stay visible.
            fig.add_trace(
                go.Scatter(
                    x=np.concatenate([[edges[0]], centres, [edges[-1]]]),
                    y=np.concatenate([[share[0]], share, [share[-1]]]),
                    mode="lines",
                    line={"color": colour, "width": 2, "shape": "hvh"},
                    fill="tozeroy",
                    fillcolor=fill,
                    name=f"{label} (mean {values.mean():.2f})",
                    legendgroup=label,
                    showlegend=col == 1,
                    hovertemplate=f"{label}: %{{y:.1f}}% of {unit} near %{{x:.2f}}<extra></extra>",
                ),
                1,
                col,
            )
            fig.add_vline(
                x=float(values.mean()), line={"color": colour, "dash": "dash"}, row=1, col=col
            )
    fig.update_layout(**{**CHART_LAYOUT, "margin": {"l": 70, "r": 30, "t": 50, "b": 40}})
    fig.update_xaxes(title_text="activation (ReLU output)", row=1, col=1)
    fig.update_xaxes(title_text="a unit's mean over the test digits", row=1, col=2)
    fig.update_yaxes(title_text="share of all activations (%)", row=1, col=1)
    fig.update_yaxes(title_text="share of units (%)", row=1, col=2)
    return fig
