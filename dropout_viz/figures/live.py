"""Payloads for the live canvas: arrays in, small JSON-ready dicts out.

Each function returns one panel that ``ui/live_canvas.js`` paints; ``board``
puts panels together so one element carries a whole screen update. A payload
crosses the websocket up to 20 times a second, so arrays travel as base64 of
packed bytes (``pack_u8`` / ``pack_f32``) instead of long JSON number lists:
probabilities and weights as one byte each, coordinates and losses as float32.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Sequence

import numpy as np

MAX_CURVE_POINTS = 240  # ~1 point per 2 pixels of a half-width chart
MAX_DRAWN_UNITS = 40  # wider layers are drawn with their first units and "+N more"


def encode(payload: dict) -> bytes:
    """A payload as the JSON bytes the canvas reads. Given bytes, Streamlit only hashes
    them; given a dict it encodes it twice per call (for the element and its identity),
    ~2 ms for a Playground board. Encoded once, the same bytes also go to every screen
    that reads the update from the feed."""
    return json.dumps(payload, separators=(",", ":")).encode()


def pack_u8(values: np.ndarray) -> str:
    """Integers 0..255 as base64 bytes."""
    return base64.b64encode(np.asarray(values, dtype=np.uint8).tobytes()).decode("ascii")


def pack_f32(values: Sequence[float | None] | np.ndarray) -> str:
    """Numbers as base64 float32 (little-endian); None becomes NaN, a gap in a line."""
    array = np.array(
        [np.nan if v is None else v for v in values] if isinstance(values, list) else values,
        dtype="<f4",
    )
    return base64.b64encode(array.tobytes()).decode("ascii")


def unpack_u8(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=np.uint8)


def unpack_f32(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f4")


def _points(x: np.ndarray, y: np.ndarray, task: str) -> dict:
    if task == "regression":  # x is (n, 1), y the targets
        return {"x": pack_f32(x[:, 0]), "y": pack_f32(y.reshape(-1)), "label": pack_u8([])}
    return {"x": pack_f32(x[:, 0]), "y": pack_f32(x[:, 1]), "label": pack_u8(y.astype(int))}


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
    title: str = "",
    summary: str = "",
) -> dict:
    """One model's view of the data.

    Classification: ``prediction`` is P(class 1) on a square grid, (resolution²,)
    with row 0 at the bottom; with more classes, (resolution², classes) probabilities.
    Regression: the fitted values at ``grid_x`` and, optionally, the ``truth`` there.
    """
    payload = {
        "kind": "boundary",
        "title": title,
        "task": task,
        "extent": [[float(v) for v in extent[0]], [float(v) for v in extent[-1]]],
        "train": _points(*train, task),
        "test": _points(*test, task),
        "highlight": highlight,
        "summary": summary,
    }
    if task == "regression":
        ys = np.concatenate([train[1].reshape(-1), test[1].reshape(-1), prediction.reshape(-1)])
        low, high = float(np.min(ys)), float(np.max(ys))
        pad = 0.1 * (high - low or 1.0)
        payload["yextent"] = [low - pad, high + pad]
        payload["curve"] = {"x": pack_f32(grid_x), "y": pack_f32(prediction)}
        if truth is not None:
            payload["truth"] = {"x": pack_f32(grid_x), "y": pack_f32(truth)}
    elif prediction.ndim == 2:  # (cells, classes): more than two classes (own data)
        payload["resolution"] = math.isqrt(len(prediction))
        payload["classes"] = prediction.shape[1]
        payload["grid"] = pack_u8(prediction.argmax(1))  # each cell's predicted class
        payload["confidence"] = pack_u8(np.clip(np.round(prediction.max(1) * 255), 0, 255))
    else:
        payload["resolution"] = math.isqrt(prediction.size)
        # One byte per cell: 0 = surely class 0, 255 = surely class 1.
        payload["grid"] = pack_u8(np.clip(np.round(prediction * 255), 0, 255))
    return payload


def network(
    sizes: Sequence[int],
    weights: Sequence[np.ndarray],
    keep_masks: Sequence[np.ndarray | None],
    *,
    values: Sequence[np.ndarray | None] | None = None,
    drop_frequency: Sequence[np.ndarray | None] | None = None,
    input_names: Sequence[str] | None = None,
    title: str = "",
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
            name = "input"
        elif index == len(sizes) - 1:
            name = "output"
        else:
            name = f"hidden {index}"
        layer: dict = {"units": shown, "name": name, "hidden_units": n - shown}
        if index == 0 and input_names is not None:
            layer["labels"] = list(input_names)[:shown]
        if drop_frequency is not None and index < len(drop_frequency):
            if drop_frequency[index] is not None:  # share of the batch that dropped the unit
                layer["dropped_share"] = pack_u8(np.round(drop_frequency[index][:shown] * 255))
        elif index < len(keep_masks) and keep_masks[index] is not None:
            layer["kept"] = pack_u8(keep_masks[index][:shown])
        if values is not None and index < len(values) and values[index] is not None:
            # Activations in [-1, 1] as one byte: 0 = -1, 255 = +1.
            layer["value"] = pack_u8(np.round((np.clip(values[index][:shown], -1, 1) + 1) * 127.5))
        layers.append(layer)
    packed = []
    for w, rows, cols in zip(weights, drawn, drawn[1:]):
        w = np.asarray(w)[:rows, :cols]
        scale = float(np.abs(w).max()) or 1.0
        # Signed weight relative to the layer's largest, as one byte: 0 = -max, 254 = +max.
        packed.append(pack_u8(np.round(w / scale * 127 + 127).reshape(-1)))
    dropped = (
        sum(
            int((~np.asarray(m[:shown], dtype=bool)).sum())
            for m, shown in zip(keep_masks, drawn)
            if m is not None
        )
        if drop_frequency is None
        else 0
    )
    return {
        "kind": "network",
        "title": title,
        "layers": layers,
        "weights": packed,
        "summary": f"{dropped} units dropped in the drawn mask",
    }


def _thin(n: int, limit: int = MAX_CURVE_POINTS) -> slice:
    """Every k-th point so at most ``limit`` remain, always ending on the newest one."""
    stride = max(1, -(-n // limit))
    return slice((n - 1) % stride, None, stride)


def lines(
    series: Sequence[dict],
    x: Sequence[float],
    *,
    log_y: bool = True,
    x_label: str = "step",
    y_label: str = "loss",
    title: str = "",
    height: int = 300,
) -> dict:
    """A line chart of series sharing one x. Each series: name, y (None for gaps), color,
    optional dash and width."""
    keep = _thin(len(x))
    drawn, last = [], []
    for s in series:
        ys = list(s["y"])[keep]
        drawn.append(
            {
                "name": s["name"],
                "y": pack_f32(ys),
                "color": s["color"],
                "dash": s.get("dash", []),
                "width": s.get("width", 2),
            }
        )
        if ys and ys[-1] is not None:
            last.append(f"{s['name']} {ys[-1]:.3f}")
    return {
        "kind": "lines",
        "title": title,
        "x": pack_f32(list(x)[keep]),
        "series": drawn,
        "log_y": log_y,
        "x_label": x_label,
        "y_label": y_label,
        "summary": "; ".join(last),
        "height": height,
    }


def board(panels: Sequence[dict], step: int, columns: int = 2, height: int = 380) -> dict:
    """Panels painted together, in a grid of ``columns``: one element per screen update."""
    return {
        "kind": "board",
        "panels": list(panels),
        "step": step,
        "columns": columns,
        "height": height,
    }
