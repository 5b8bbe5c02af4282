"""Payloads for the live canvas: arrays in, small JSON-ready dicts out.

Each function returns what ``ui/live_canvas.js`` paints. Values are rounded or
quantised (probabilities and weights to one byte) because a payload crosses
the websocket up to 20 times a second.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

NO_DROPOUT_COLOR = "#d1495b"
DROPOUT_COLOR = "#00798c"
MAX_CURVE_POINTS = 300
MAX_DRAWN_UNITS = 40  # wider layers are drawn with their first units and "+N more"


def _round(values: np.ndarray, digits: int = 4) -> list:
    return np.round(np.asarray(values, dtype=float), digits).tolist()


def _points(x: np.ndarray, y: np.ndarray, task: str) -> dict:
    if task == "regression":  # x is (n, 1), y the targets
        return {"x": _round(x[:, 0], 3), "y": _round(y.reshape(-1), 3), "label": []}
    return {"x": _round(x[:, 0], 3), "y": _round(x[:, 1], 3), "label": y.astype(int).tolist()}


def boundary(
    prediction: np.ndarray,
    extent: Sequence[tuple[float, float]],
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    task: str,
    *,
    grid_x: np.ndarray | None = None,
    truth: np.ndarray | None = None,
    highlight: int | None = None,
    step: int = 0,
    summary: str = "",
    height: int = 320,
) -> dict:
    """One model's view of the data.

    Classification: ``prediction`` is P(class 1) on a square grid, (resolution²,)
    with row 0 at the bottom. Regression: the fitted values at ``grid_x`` and,
    optionally, the ``truth`` there.
    """
    payload = {
        "kind": "boundary",
        "task": task,
        "extent": [list(map(float, extent[0])), list(map(float, extent[-1]))],
        "train": _points(*train, task),
        "test": _points(*test, task),
        "highlight": highlight,
        "step": step,
        "summary": summary,
        "height": height,
    }
    if task == "regression":
        ys = np.concatenate([train[1].reshape(-1), test[1].reshape(-1), prediction.reshape(-1)])
        low, high = float(np.min(ys)), float(np.max(ys))
        pad = 0.1 * (high - low or 1.0)
        payload["yextent"] = [low - pad, high + pad]
        payload["curve"] = {"x": _round(grid_x, 3), "y": _round(prediction, 3)}
        if truth is not None:
            payload["truth"] = {"x": _round(grid_x, 3), "y": _round(truth, 3)}
    else:
        resolution = math.isqrt(prediction.size)
        payload["resolution"] = resolution
        # One byte per cell: 0 = surely class 0, 255 = surely class 1.
        payload["grid"] = np.clip(np.round(prediction * 255), 0, 255).astype(int).tolist()
    return payload


def network(
    sizes: Sequence[int],
    weights: Sequence[np.ndarray],
    keep_masks: Sequence[np.ndarray | None],
    *,
    values: Sequence[np.ndarray | None] | None = None,
    drop_frequency: Sequence[np.ndarray | None] | None = None,
    input_names: Sequence[str] | None = None,
    step: int = 0,
    height: int = 440,
) -> dict:
    """The network as layers of units with weighted edges.

    weights[l]: (sizes[l], sizes[l+1]). keep_masks[l]: (sizes[l],) bool or None
    (no dropout there). values[l]: activations in [-1, 1] to colour kept units.
    drop_frequency[l]: fraction of the batch that dropped each unit; when given,
    units are shaded by it instead of showing one example's mask.
    """
    drawn = [min(n, MAX_DRAWN_UNITS) for n in sizes]
    layers = []
    for index, (n, shown) in enumerate(zip(sizes, drawn)):
        if index == 0:
            names = list(input_names or [f"x{i + 1}" for i in range(n)])
            name = "input"
        elif index == len(sizes) - 1:
            name = "output"
        else:
            name = f"hidden {index}"
        layer: dict = {"units": shown, "name": name}
        if n > shown:
            layer["hidden_units"] = n - shown
        if index == 0 and input_names is not None:
            layer["labels"] = names[:shown]
        if drop_frequency is not None and index < len(drop_frequency):
            freq = drop_frequency[index]
            if freq is not None:
                layer["drop_rate_seen"] = _round(freq[:shown], 3)
        elif index < len(keep_masks) and keep_masks[index] is not None:
            layer["kept"] = keep_masks[index][:shown].astype(int).tolist()
        if values is not None and index < len(values) and values[index] is not None:
            layer["value"] = _round(np.clip(values[index][:shown], -1, 1), 2)
        layers.append(layer)
    quantised = []
    for w, rows, cols in zip(weights, drawn, drawn[1:]):
        w = w[:rows, :cols]
        scale = float(np.abs(w).max()) or 1.0
        quantised.append(np.round(w / scale * 127).astype(int).reshape(-1).tolist())
    dropped = sum(len(layer.get("kept", [])) - sum(layer.get("kept", [])) for layer in layers)
    return {
        "kind": "network",
        "layers": layers,
        "weights": quantised,
        "step": step,
        "summary": f"{dropped} units dropped in the drawn mask",
        "height": height,
    }


def _thin(xs: Sequence, limit: int = MAX_CURVE_POINTS) -> slice:
    """Every k-th point so at most ``limit`` remain, always ending on the newest one."""
    stride = max(1, -(-len(xs) // limit))
    return slice((len(xs) - 1) % stride, None, stride)


def lines(
    series: Sequence[dict],
    *,
    log_y: bool = True,
    x_label: str = "step",
    y_label: str = "loss",
    step: int = 0,
    height: int = 300,
) -> dict:
    """A line chart. Each series: name, x, y (None for gaps), color, optional dash."""
    drawn = []
    for s in series:
        keep = _thin(s["x"])
        ys = [None if v is None else round(float(v), 5) for v in list(s["y"])[keep]]
        drawn.append(
            {
                "name": s["name"],
                "x": list(s["x"])[keep],
                "y": ys,
                "color": s["color"],
                "dash": s.get("dash", []),
                "width": s.get("width", 2),
            }
        )
    last = [f"{s['name']} {s['y'][-1]:.3f}" for s in drawn if s["y"] and s["y"][-1] is not None]
    return {
        "kind": "lines",
        "series": drawn,
        "log_y": log_y,
        "x_label": x_label,
        "y_label": y_label,
        "step": step,
        "summary": "; ".join(last),
        "height": height,
    }
