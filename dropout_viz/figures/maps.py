"""2-D maps over a classifier's input plane: P(class 1) as a heat map, the training points,
and any other quantity on the same grid. Traces only; callers place them in figures."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from .style import (
    CLASS_COLORS,
    INK,
    PROBABILITY_SCALE,
    TEXT_COLOR,
)

Extent = Sequence[tuple[float, float]]


def axes(extent: Extent, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """The x and y coordinates of a square grid's cells (core.data.grid's order)."""
    (x0, x1), (y0, y1) = extent
    return np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)


def heatmap(
    values: np.ndarray, extent: Extent, what: str, coloraxis: str = "coloraxis", **kwargs
) -> go.Heatmap:
    """Values on a square grid, (resolution²,) row by row from the bottom, as cells."""
    values = np.asarray(values, dtype=float)
    resolution = math.isqrt(values.size)
    xs, ys = axes(extent, resolution)
    return go.Heatmap(
        x=xs,
        y=ys,
        z=values.reshape(resolution, resolution),
        coloraxis=coloraxis,
        hovertemplate=f"x₁ = %{{x:.2f}}, x₂ = %{{y:.2f}}: {what} %{{z:.3f}}<extra></extra>",
        **kwargs,
    )


def class_points(
    x: np.ndarray, labels: np.ndarray, name: str = "training points", size: int = 6, **kwargs
) -> list[go.Scatter]:
    """Points coloured by class, one trace per class (legend: 'class 0', 'class 1')."""
    x, labels = np.asarray(x, dtype=float), np.asarray(labels).astype(int).reshape(-1)
    traces = []
    for label, color in enumerate(CLASS_COLORS):
        chosen = x[labels == label]
        traces.append(
            go.Scatter(
                x=chosen[:, 0],
                y=chosen[:, 1],
                mode="markers",
                marker={"color": color, "size": size, "line": {"color": TEXT_COLOR, "width": 0.8}},
                name=f"{name}, class {label}",
                hovertemplate=f"{name}, class {label}: (%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
                **kwargs,
            )
        )
    return traces


def probability_axis(title: str = "P(class 1)", **colorbar) -> dict:
    """A coloraxis for P(class 1) in [0, 1] with the class colours."""
    return {
        "colorscale": PROBABILITY_SCALE,
        "cmin": 0,
        "cmax": 1,
        "colorbar": {"title": {"text": title}, "thickness": 12, **colorbar},
    }


def colorbar_under(title: str, x: float, length: float, **more) -> dict:
    """A horizontal colour bar under the maps it reads, centred at paper x, its title on top.

    Upright bars between side-by-side maps covered the next map in a tablet's narrow main
    column; under them they take no width. Leave room below (``bars_under_layout``)."""
    return {
        "title": {"text": title, "side": "top"},
        "orientation": "h",
        "x": x,
        "len": length,
        "y": -0.22,
        "yanchor": "top",
        "thickness": 10,
        **more,
    }


def bars_under_layout(height: int, bars: bool = True) -> dict:
    """Height, margins and legend of a figure of maps ``height`` px tall whose colour bars
    lie under the maps (``colorbar_under``), then the legend under them; without ``bars``,
    just the legend under the plots."""
    return {
        "height": height + (90 if bars else 0),
        "margin": {"l": 60, "r": 20, "t": 40, "b": 130 if bars else 40},
        "legend": {"orientation": "h", "y": -0.42 if bars else -0.18, "yanchor": "top"},
    }


def circle(centre: tuple[float, float], radius: float, label: str) -> dict:
    """A dashed circle shape (e.g. the held-out region), for fig.add_shape(**circle)."""
    cx, cy = centre
    return {
        "type": "circle",
        "x0": cx - radius,
        "x1": cx + radius,
        "y0": cy - radius,
        "y1": cy + radius,
        "line": {"color": INK, "dash": "dash", "width": 1.5},
        "name": label,
    }
