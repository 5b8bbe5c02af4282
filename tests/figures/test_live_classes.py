"""More than two classes on the live board: each cell's class and how sure, and the
boundary length between predicted classes."""

from __future__ import annotations

import base64

import numpy as np

from dropout_viz.core.boundary import boundary_length
from dropout_viz.figures import live


def _grid(side: int = 10) -> np.ndarray:
    """(side², 3) probabilities: class 0 left, 1 middle, 2 right third of the square."""
    cols = np.tile(np.arange(side), side)
    classes = np.minimum(cols * 3 // side, 2)
    probability = np.full((side * side, 3), 0.1)
    probability[np.arange(side * side), classes] = 0.8
    return probability


def test_the_payload_holds_each_cells_class_and_confidence():
    probability = _grid()
    points = (np.zeros((4, 2)), np.array([0, 1, 2, 1]))
    payload = live.boundary(probability, ((0, 1), (0, 1)), points, points, "classification")
    assert payload["classes"] == 3 and payload["resolution"] == 10
    grid = np.frombuffer(base64.b64decode(payload["grid"]), np.uint8)
    assert grid.tolist() == probability.argmax(1).tolist()
    confidence = np.frombuffer(base64.b64decode(payload["confidence"]), np.uint8)
    assert set(confidence.tolist()) == {204}  # 0.8 of 255
    assert np.frombuffer(base64.b64decode(payload["train"]["label"]), np.uint8).tolist() == [
        0,
        1,
        2,
        1,
    ]


def test_two_classes_keep_the_probability_grid():
    payload = live.boundary(
        np.linspace(0, 1, 100),
        ((0, 1), (0, 1)),
        (np.zeros((1, 2)), np.array([1])),
        (np.zeros((1, 2)), np.array([0])),
        "classification",
    )
    assert "classes" not in payload and "confidence" not in payload


def test_boundary_length_between_predicted_classes():
    # Two vertical boundaries, each crossing all 10 rows of cells one unit apart: 20 cell
    # edges, times the Cauchy-Crofton factor pi/4 (core/boundary.py).
    extent = ((0, 9), (0, 9))
    lengths = boundary_length(np.stack([_grid(), _grid()]), extent)
    np.testing.assert_allclose(lengths, [np.pi / 4 * 20] * 2)
