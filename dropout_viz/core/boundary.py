"""How complex a decision boundary is: its length on the prediction grid.

The Playground predicts on a square grid every screen update (``limits.BOUNDARY_GRID``
cells a side); a network that bends its boundary around single training points draws
a longer one, islands included. Counting the neighbouring cells whose predicted class
differs, times the cell size, measures that length in the data's own units; the
factor π/4 makes the count exact on average over a curve's directions (the
Cauchy–Crofton formula: a straight piece of length L crosses (4/π)·L/h grid lines
of spacing h on average). A single straight line comes out between −21 % (along an
axis) and +11 % (diagonal) of its length, the same for both twins of one scene.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def boundary_length(
    probability: np.ndarray, extent: Sequence[tuple[float, float]], threshold: float = 0.5
) -> np.ndarray | float:
    """Length of the class boundary on a square grid of P(class 1), in data units.

    probability: (side², ) or (K, side²), row by row from the bottom (``data.grid``); or
    (K, side², classes) probabilities of more than two classes.
    Returns a float, or (K,) lengths (benchmarks/bench_boundary.py times it).
    """
    probability = np.asarray(probability)
    # More than two classes, (K, side², classes): the boundaries between predicted classes.
    cells = probability.argmax(-1) if probability.ndim == 3 else probability > threshold
    side = math.isqrt(cells.shape[-1])
    if side * side != cells.shape[-1] or side < 2:
        raise ValueError(f"Expected a square grid of predictions, got {cells.shape[-1]}.")
    cls = cells.reshape(-1, side, side)  # (models, y, x)
    (x0, x1), (y0, y1) = extent[0], extent[-1]
    dx, dy = (x1 - x0) / (side - 1), (y1 - y0) / (side - 1)
    # Two cells side by side in a row differ: a piece of boundary one cell (dy) tall.
    along_x = (cls[:, :, 1:] != cls[:, :, :-1]).reshape(len(cls), -1).sum(1)
    along_y = (cls[:, 1:] != cls[:, :-1]).reshape(len(cls), -1).sum(1)
    length = (math.pi / 4) * (along_x * dy + along_y * dx)
    return float(length[0]) if cells.ndim == 1 else length
