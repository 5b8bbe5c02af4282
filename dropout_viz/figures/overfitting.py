"""Figures for the Overfitting lab: sweep records in, ``go.Figure`` out.

Every point is a mean over seeds with ±1 standard deviation as error bars, so a
difference smaller than the bars is not a difference.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .style import (
    ARM_COLORS,
    BOTH_COLOR,
    DROPOUT_COLOR,
    FONT,
    GRID_COLOR,
    NO_DROPOUT_COLOR,
    NOT_SIGNIFICANT_COLOR,
    TEST_COLOR,
    TRAIN_COLOR,
)


def _errors(rows: Sequence[dict], metric: str) -> dict:
    return {"type": "data", "array": [r[f"{metric}_std"] or 0 for r in rows], "visible": True}


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(
        height=height,
        font=FONT,
        margin={"l": 60, "r": 20, "t": 40, "b": 50},
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0},
        plot_bgcolor="white",
        hovermode="x unified",
    )
    fig.update_xaxes(showgrid=True, gridcolor=GRID_COLOR, zeroline=False)
    fig.update_yaxes(showgrid=True, gridcolor=GRID_COLOR, zeroline=False)
    return fig


def p_sweep(summary: Sequence[dict], classification: bool) -> go.Figure:
    """Train and test loss against p, the gap between them, and (classification) accuracy."""
    rows = sorted(summary, key=lambda r: r["p"])
    ps = [r["p"] for r in rows]
    # Two lines each: side by side in a tablet's main column, one-line titles ran into
    # each other (tests/e2e/test_accessibility.py's screenshots).
    titles = ["Loss after<br>training", "Generalization gap<br>(test − train)"]
    if classification:
        titles.append("Test accuracy")
    fig = make_subplots(rows=1, cols=len(titles), horizontal_spacing=0.09, subplot_titles=titles)
    for metric, name, colour in (
        ("train_loss", "train loss", TRAIN_COLOR),
        ("test_loss", "test loss", TEST_COLOR),
    ):
        fig.add_trace(
            go.Scatter(
                x=ps,
                y=[r[f"{metric}_mean"] for r in rows],
                name=name,
                mode="lines+markers",
                line={"color": colour},
                error_y=_errors(rows, metric),
            ),
            row=1,
            col=1,
        )
    fig.add_trace(
        go.Scatter(
            x=ps,
            y=[r["gap_mean"] for r in rows],
            name="gap",
            mode="lines+markers",
            line={"color": NO_DROPOUT_COLOR},
            error_y=_errors(rows, "gap"),
        ),
        row=1,
        col=2,
    )
    if classification:
        fig.add_trace(
            go.Scatter(
                x=ps,
                y=[r["test_acc_mean"] for r in rows],
                name="test accuracy",
                mode="lines+markers",
                line={"color": BOTH_COLOR},
                error_y=_errors(rows, "test_acc"),
            ),
            row=1,
            col=3,
        )
        fig.update_yaxes(title_text="accuracy", tickformat=".0%", row=1, col=3)
    fig.update_xaxes(title_text="dropout rate p")
    fig.update_yaxes(title_text="loss", row=1, col=1)
    fig.update_yaxes(title_text="gap (loss)", row=1, col=2)
    return _layout(fig, 420)


def size_sweep(gain: Sequence[dict], classification: bool) -> go.Figure:
    """Test error against the number of training points, without and with dropout."""
    rows = sorted(gain, key=lambda r: r["n_train"])
    sizes = [r["n_train"] for r in rows]
    error = "test error (1 − accuracy)" if classification else "test loss (MSE)"
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.12,
        subplot_titles=(error.capitalize(), "What dropout gains"),
    )
    for key, name, colour in (
        ("error_without_dropout", "no dropout", NO_DROPOUT_COLOR),
        ("error_with_dropout", "dropout", DROPOUT_COLOR),
    ):
        fig.add_trace(
            go.Scatter(
                x=sizes,
                y=[r[key] for r in rows],
                name=name,
                mode="lines+markers",
                line={"color": colour},
            ),
            row=1,
            col=1,
        )
    fig.add_trace(
        go.Bar(
            x=[str(n) for n in sizes],
            y=[r["gain"] for r in rows],
            name="gain (error without − with)",
            marker_color=[
                DROPOUT_COLOR if r["gain"] > 2 * r["gain_se"] else NOT_SIGNIFICANT_COLOR
                for r in rows
            ],
            error_y={"type": "data", "array": [2 * r["gain_se"] for r in rows]},
        ),
        row=1,
        col=2,
    )
    fig.update_xaxes(
        title_text="training points",
        type="log",
        tickvals=sizes,
        ticktext=[str(n) for n in sizes],
        row=1,
        col=1,
    )
    fig.update_xaxes(title_text="training points", type="category", row=1, col=2)
    fig.update_yaxes(title_text=error, row=1, col=1)
    fig.update_yaxes(title_text="gain (± 2 standard errors)", row=1, col=2)
    return _layout(fig, 420)


def regularizers(summary: Sequence[dict], classification: bool) -> go.Figure:
    """Test loss and gap for no regularizer, dropout, weight decay and both."""
    order = ["none", "dropout", "weight decay", "both"]
    rows = sorted(summary, key=lambda r: order.index(r["label"]) if r["label"] in order else 9)
    labels = [r["label"] for r in rows]
    colours = [ARM_COLORS.get(label, TRAIN_COLOR) for label in labels]
    third = "test accuracy" if classification else "train loss"
    fig = make_subplots(
        rows=1,
        cols=3,
        horizontal_spacing=0.08,
        subplot_titles=("Test loss", "Generalization gap", third.capitalize()),
    )
    metric3 = "test_acc" if classification else "train_loss"
    for col, metric in enumerate(("test_loss", "gap", metric3), start=1):
        fig.add_trace(
            go.Bar(
                x=labels,
                y=[r[f"{metric}_mean"] for r in rows],
                marker_color=colours,
                error_y=_errors(rows, metric),
                showlegend=False,
                name=metric,
            ),
            row=1,
            col=col,
        )
    if classification:
        fig.update_yaxes(tickformat=".0%", row=1, col=3)
    return _layout(fig, 380)


def knockout(rows: Sequence[dict], layer: int = 0) -> go.Figure:
    """How much test accuracy each single silenced hidden unit costs, without and with dropout."""
    fig = go.Figure()
    for label, colour in (("no dropout", NO_DROPOUT_COLOR), ("dropout", DROPOUT_COLOR)):
        drops = [
            d
            for r in rows
            if r["label"] == label and r["layer"] == layer
            for d in (r["acc_drop_per_unit"] or [])
        ]
        fig.add_trace(
            go.Box(
                y=drops,
                name=label,
                marker_color=colour,
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                boxmean=True,
                hovertemplate="accuracy lost: %{y:.2%}<extra></extra>",
            )
        )
    fig.update_yaxes(title_text="test accuracy lost when one unit is silenced", tickformat=".1%")
    fig.update_layout(showlegend=False)
    return _layout(fig, 400)


def p_grid(grid: Sequence[dict], best: Sequence[dict], axis: str) -> go.Figure:
    """Mean test loss for every (row, p) of a best-p grid, each row's best p marked
    (a star; an open circle where the lowest mean lies elsewhere within one s.e.).

    Rows differ a lot in level (few points: high loss everywhere), so a cell's colour
    is how far its loss lies above its own row's best; the number in it is the loss.
    """
    rows = sorted({cell[axis] for cell in grid})
    rates = sorted({cell["p"] for cell in grid})
    loss = {(cell[axis], cell["p"]): cell["test_loss_mean"] for cell in grid}
    values = [[loss.get((row, p)) for p in rates] for row in rows]
    above = [
        [None if v is None else v / min(x for x in line if x is not None) - 1 for v in line]
        for line in values
    ]
    x, y = [f"{p:g}" for p in rates], [str(row) for row in rows]
    label = {"n_train": "training points", "width": "units per layer"}[axis]
    fig = go.Figure(
        go.Heatmap(
            x=x,
            y=y,
            z=above,
            zmin=0,
            zmax=max(0.05, min(1.0, max(v for line in above for v in line if v is not None))),
            colorscale="YlOrRd",
            text=[["" if v is None else f"{v:.3f}" for v in line] for line in values],
            texttemplate="%{text}",
            hovertemplate=f"p = %{{x}}, {label} = %{{y}}<br>test loss %{{text}}"
            "<br>%{z:.0%} above this row's best<extra></extra>",
            colorbar={"title": {"text": "above the<br>row's best"}, "tickformat": ".0%"},
        )
    )
    marks = sorted(best, key=lambda r: r[axis])
    fig.add_trace(
        go.Scatter(
            x=[f"{r['best_p']:g}" for r in marks],
            y=[str(r[axis]) for r in marks],
            mode="lines+markers",
            name="best p of each row",
            marker={"symbol": "star", "size": 16, "color": DROPOUT_COLOR, "line": {"width": 1}},
            line={"color": DROPOUT_COLOR, "dash": "dot"},
            hovertemplate="best p = %{x}<extra></extra>",
        )
    )
    apart = [r for r in marks if r["lowest_p"] != r["best_p"]]
    if apart:  # where the lowest mean is elsewhere, but no more than one s.e. lower
        fig.add_trace(
            go.Scatter(
                x=[f"{r['lowest_p']:g}" for r in apart],
                y=[str(r[axis]) for r in apart],
                mode="markers",
                name="lowest mean (within one s.e. of the star)",
                marker={"symbol": "circle-open", "size": 14, "color": BOTH_COLOR},
                hovertemplate="lowest mean at p = %{x}<extra></extra>",
            )
        )
    fig.update_xaxes(title_text="dropout rate p", type="category")
    fig.update_yaxes(title_text=label, type="category")
    fig = _layout(fig, 120 + 60 * len(rows))
    fig.update_layout(hovermode="closest", margin={"l": 70, "r": 20, "t": 20, "b": 50})
    fig.update_xaxes(showgrid=False)
    fig.update_yaxes(showgrid=False)
    return fig
