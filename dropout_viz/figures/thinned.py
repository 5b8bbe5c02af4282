"""Figures of the thinned sub-networks: each one's mask drawn over its own boundary (or
fitted curve), and their average beside the full network in eval mode. Arrays in,
``go.Figure`` out."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import maps
from .style import (
    DIFFERENCE_SCALE,
    DROPOUT_COLOR,
    DROPPED_MARK,
    EDGE_COLOR,
    FONT,
    HIGHLIGHT_COLOR,
    NO_DROPOUT_COLOR,
)
from .style import INK as EVAL_COLOR

THUMB_UNITS = 32  # units drawn per layer of a thumbnail; wider layers show their first 32


def _unit_positions(n: int) -> np.ndarray:
    return np.linspace(1, -1, n) if n > 1 else np.zeros(1)


def _network_traces(sizes: Sequence[int], keep: Sequence[np.ndarray], show_legend: bool):
    """One thumbnail: edges between kept units, kept units filled, dropped ones crossed."""
    drawn = [min(n, THUMB_UNITS) for n in sizes]
    kept = [np.asarray(k[:d], dtype=bool) for k, d in zip(keep, drawn)] + [np.ones(drawn[-1], bool)]
    ys = [_unit_positions(d) for d in drawn]
    ex, ey = [], []
    for layer in range(len(drawn) - 1):
        for a in np.flatnonzero(kept[layer]):
            for b in np.flatnonzero(kept[layer + 1]):
                ex += [layer, layer + 1, None]
                ey += [ys[layer][a], ys[layer + 1][b], None]
    traces = [
        go.Scatter(
            x=ex,
            y=ey,
            mode="lines",
            line={"color": EDGE_COLOR, "width": 0.6},
            hoverinfo="skip",
            showlegend=False,
        )
    ]
    names = ["input", *[f"hidden {i}" for i in range(1, len(sizes) - 1)], "output"]
    for state, symbol, color in (("kept", "circle", DROPOUT_COLOR), ("dropped", "x", DROPPED_MARK)):
        xs, yv, text = [], [], []
        for layer, (mask, y) in enumerate(zip(kept, ys)):
            chosen = np.flatnonzero(mask if state == "kept" else ~mask)
            xs += [layer] * len(chosen)
            yv += list(y[chosen])
            text += [f"{names[layer]}, unit {j}: {state}" for j in chosen]
        traces.append(
            go.Scatter(
                x=xs,
                y=yv,
                mode="markers",
                text=text,
                hovertemplate="%{text}<extra></extra>",
                marker={"symbol": symbol, "size": 5 if state == "kept" else 6, "color": color},
                name=f"unit {state}",
                legendgroup=state,
                showlegend=show_legend,
            )
        )
    return traces


def sub_networks(
    sizes: Sequence[int],
    keep_masks: Sequence[np.ndarray],
    predictions: np.ndarray,
    task: str,
    train: tuple[np.ndarray, np.ndarray],
    *,
    extent: maps.Extent | None = None,
    x_line: np.ndarray | None = None,
    columns: int = 5,
) -> go.Figure:
    """Each sub-network: a thumbnail of its mask over its own boundary (or fitted curve).

    keep_masks[l]: (shown, sizes[l]) bool, for every layer but the output.
    predictions: (shown, points): P(class 1) on extent's grid, or values at x_line.
    """
    shown = len(predictions)
    rows = math.ceil(shown / columns)
    kept_counts = [int(sum(np.asarray(m[i]).sum() for m in keep_masks[1:])) for i in range(shown)]
    hidden_units = sum(sizes[1:-1])
    titles = []
    for row in range(rows):
        for col in range(columns):
            i = row * columns + col
            titles.append(f"#{i + 1}: {kept_counts[i]}/{hidden_units} kept" if i < shown else "")
        titles += [""] * columns
    fig = make_subplots(
        rows=2 * rows,
        cols=columns,
        subplot_titles=titles,
        row_heights=[0.42, 0.58] * rows,
        vertical_spacing=0.04,
        horizontal_spacing=0.02,
    )
    # Small enough that five titles fit side by side in a tablet's narrow main column.
    fig.update_annotations(font_size=11)
    x_train, y_train = (np.asarray(a) for a in train)
    for i in range(shown):
        row, col = 2 * (i // columns) + 1, i % columns + 1
        for trace in _network_traces(sizes, [m[i] for m in keep_masks], show_legend=i == 0):
            fig.add_trace(trace, row, col)
        if task == "classification":
            fig.add_trace(maps.heatmap(predictions[i], extent, "P(class 1)"), row + 1, col)
            for trace in maps.class_points(x_train, y_train, size=4, showlegend=i == 0):
                fig.add_trace(trace, row + 1, col)
        else:
            fig.add_trace(
                go.Scatter(
                    x=x_train[:, 0],
                    y=y_train.reshape(-1),
                    mode="markers",
                    marker={"color": EVAL_COLOR, "size": 4},
                    name="training points",
                    showlegend=i == 0,
                ),
                row + 1,
                col,
            )
            fig.add_trace(
                go.Scatter(
                    x=x_line,
                    y=predictions[i],
                    mode="lines",
                    name="this sub-network",
                    line={"color": DROPOUT_COLOR, "width": 2},
                    showlegend=i == 0,
                    hovertemplate="x = %{x:.2f}: %{y:.3f}<extra></extra>",
                ),
                row + 1,
                col,
            )
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False)
    if task == "classification":
        (x0, x1), (y0, y1) = extent
        for r in range(2, 2 * rows + 1, 2):
            fig.update_xaxes(range=[x0, x1], row=r)
            fig.update_yaxes(range=[y0, y1], row=r)
    fig.update_layout(
        coloraxis=maps.probability_axis(len=0.5),
        height=400 * rows,
        margin={"l": 20, "r": 20, "t": 40, "b": 20},
        legend={"orientation": "h", "y": -0.04},
        font=FONT,
    )
    return fig


def average_vs_eval(
    average: np.ndarray,
    eval_prediction: np.ndarray,
    n: int,
    task: str,
    train: tuple[np.ndarray, np.ndarray],
    *,
    extent: maps.Extent | None = None,
    x_line: np.ndarray | None = None,
    point: np.ndarray | None = None,
) -> go.Figure:
    """The average of N sub-networks, the full network in eval mode, and their difference."""
    average, eval_prediction = np.asarray(average, float), np.asarray(eval_prediction, float)
    difference = average - eval_prediction
    names = (f"average of {n} sub-network{'s' if n > 1 else ''}", "full network, eval mode")
    x_train, y_train = (np.asarray(a) for a in train)
    if task == "classification":
        fig = make_subplots(
            1,
            3,
            subplot_titles=(*names, "average − eval mode"),
            horizontal_spacing=0.04,
        )
        fig.update_annotations(font_size=11)  # three titles side by side, also on a tablet
        for col, values in ((1, average), (2, eval_prediction)):
            fig.add_trace(maps.heatmap(values, extent, "P(class 1)", name=names[col - 1]), 1, col)
            for trace in maps.class_points(x_train, y_train, size=5, showlegend=col == 1):
                fig.add_trace(trace, 1, col)
        fig.add_trace(maps.heatmap(difference, extent, "difference", coloraxis="coloraxis2"), 1, 3)
        limit = max(float(np.abs(difference).max()), 1e-3)
        fig.update_layout(
            coloraxis={
                **maps.probability_axis(),
                "colorbar": maps.colorbar_under("P(class 1)", 0.33, 0.6),  # its scale, bar under
            },
            coloraxis2={
                "colorscale": DIFFERENCE_SCALE,
                "cmin": -limit,
                "cmax": limit,
                # Its ends and 0 only: more labels tilt and overlap in a narrow column.
                "colorbar": maps.colorbar_under(
                    "ΔP",
                    x=0.85,
                    length=0.3,
                    tickvals=[-limit, 0, limit],
                    ticktext=[f"{-limit:.2g}", "0", f"{limit:.2g}"],
                ),
            },
        )
        (x0, x1), (y0, y1) = extent
        fig.update_xaxes(range=[x0, x1], title_text="x₁")
        fig.update_yaxes(range=[y0, y1])
        fig.update_yaxes(title_text="x₂", col=1)
        fig.update_yaxes(showticklabels=False, col=2)  # the same axes as on the left
        fig.update_yaxes(showticklabels=False, col=3)
        if point is not None:
            for col in (1, 2, 3):
                fig.add_trace(
                    go.Scatter(
                        x=[point[0]],
                        y=[point[1]],
                        mode="markers",
                        name="the input below",
                        marker={
                            "symbol": "star",
                            "size": 14,
                            "color": HIGHLIGHT_COLOR,
                            "line": {"color": EVAL_COLOR, "width": 1},
                        },
                        showlegend=col == 1,
                    ),
                    1,
                    col,
                )
    else:
        fig = make_subplots(1, 2, subplot_titles=("predictions", "difference: average − eval mode"))
        fig.add_trace(
            go.Scatter(
                x=x_train[:, 0],
                y=y_train.reshape(-1),
                mode="markers",
                marker={"color": EVAL_COLOR, "size": 5},
                name="training points",
            ),
            1,
            1,
        )
        for values, name, style in (
            (eval_prediction, names[1], {"color": EVAL_COLOR, "dash": "dash"}),
            (average, names[0], {"color": DROPOUT_COLOR, "width": 3}),
        ):
            fig.add_trace(go.Scatter(x=x_line, y=values, mode="lines", name=name, line=style), 1, 1)
        fig.add_trace(
            go.Scatter(
                x=x_line,
                y=difference,
                mode="lines",
                name="difference",
                line={"color": NO_DROPOUT_COLOR},
            ),
            1,
            2,
        )
        fig.update_xaxes(title_text="x (input)")
        fig.update_yaxes(title_text="y (prediction)", col=1)
        fig.update_yaxes(title_text="average − eval", col=2)
    fig.update_layout(**maps.bars_under_layout(430, bars=task == "classification"), font=FONT)
    return fig
