"""Read the Plotly figures a page sent, as AppTest sees them."""

from __future__ import annotations

import base64
import json

import numpy as np


def _decode(value):
    """Plotly sends numpy arrays as typed arrays: {"dtype", "bdata", "shape"}; undo that."""
    if isinstance(value, dict) and "bdata" in value and "dtype" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" in value:
            array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
        return array
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def chart(at, key: str) -> dict:
    """The figure (data and layout, arrays decoded) of the st.plotly_chart with this key."""
    for element in at.get("plotly_chart"):
        if element.proto.id.endswith(f"-{key}"):
            return _decode(json.loads(element.proto.spec))
    raise AssertionError(f"no chart with key {key!r} on the page")


def trace(figure: dict, name: str) -> dict:
    return next(t for t in figure["data"] if t.get("name") == name)
