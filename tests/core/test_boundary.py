"""Decision-boundary length on the prediction grid, against shapes whose length is known."""

import math

import numpy as np
import pytest
import torch

from dropout_viz.core import limits
from dropout_viz.core.boundary import boundary_length
from dropout_viz.core.data import grid

EXTENT = ((-2.0, 2.0), (-2.0, 2.0))


def probabilities(inside, side: int = limits.BOUNDARY_GRID) -> np.ndarray:
    """P(class 1) = 1 where inside(x, y), else 0, on the Playground's grid."""
    points = grid(EXTENT, side).numpy()
    return inside(points[:, 0], points[:, 1]).astype(float)


def test_one_class_everywhere_has_no_boundary():
    assert boundary_length(np.full(40 * 40, 0.9), EXTENT) == 0.0


@pytest.mark.parametrize("radius", [0.6, 1.0, 1.6])
def test_a_circle_measures_its_circumference(radius):
    # Cauchy–Crofton: exact on average over directions, and a circle has every
    # direction. 6 %: a 40-cell grid rounds the circle to whole cells (at the smallest
    # radius ~12 cells across).
    length = boundary_length(probabilities(lambda x, y: x**2 + y**2 < radius**2), EXTENT)
    assert length == pytest.approx(2 * math.pi * radius, rel=0.06)


def test_straight_lines_come_out_within_the_documented_range():
    vertical = boundary_length(probabilities(lambda x, y: x > 0.05), EXTENT)  # true length 4
    diagonal = boundary_length(probabilities(lambda x, y: y > x + 0.01), EXTENT)  # 4·√2
    assert 4 * (math.pi / 4) == pytest.approx(vertical, rel=0.05)  # −21 % along an axis
    assert diagonal / (4 * math.sqrt(2)) == pytest.approx(1.11, abs=0.03)  # +11 % diagonal


def test_islands_add_their_own_boundary():
    line = probabilities(lambda x, y: x > 0.05)
    island = line.copy()
    island[20 * 40 + 5] = 1.0  # one cell of class 1 deep inside class 0
    cell = 4 / 39
    assert boundary_length(island, EXTENT) == pytest.approx(
        boundary_length(line, EXTENT) + math.pi / 4 * 4 * cell
    )


def test_a_stack_of_grids_gives_one_length_each():
    circle = probabilities(lambda x, y: x**2 + y**2 < 1)
    line = probabilities(lambda x, y: x > 0.05)
    lengths = boundary_length(torch.tensor(np.stack([circle, line])).numpy(), EXTENT)
    assert lengths.shape == (2,)
    assert lengths[0] == boundary_length(circle, EXTENT)
    assert lengths[1] == boundary_length(line, EXTENT)


def test_a_grid_that_is_not_square_is_refused():
    with pytest.raises(ValueError, match="square grid"):
        boundary_length(np.zeros(40 * 39), EXTENT)
