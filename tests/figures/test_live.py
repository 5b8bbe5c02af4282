"""The live canvas payloads: what the JS painter receives, decoded back in Python."""

import numpy as np
import pytest

from dropout_viz.figures import live


def test_packing_round_trips():
    values = np.array([0.0, 1.5, -2.25, 1e-6], dtype=np.float32)
    assert np.array_equal(live.unpack_f32(live.pack_f32(values)), values)
    assert np.isnan(live.unpack_f32(live.pack_f32([1.0, None]))[1])  # a gap in a line
    assert live.unpack_u8(live.pack_u8([0, 7, 255])).tolist() == [0, 7, 255]


def points(n=5, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 2)).astype(np.float32), rng.integers(0, 2, n)


def test_boundary_grid_is_one_byte_per_cell():
    prediction = np.linspace(0, 1, 16)
    payload = live.boundary(
        prediction,
        [(-1, 1), (-2, 2)],
        points(),
        points(7, 1),
        "classification",
        highlight=3,
        title="No dropout",
    )
    assert payload["resolution"] == 4
    grid = live.unpack_u8(payload["grid"])
    assert grid[0] == 0 and grid[-1] == 255 and len(grid) == 16
    x, labels = points()
    assert np.array_equal(live.unpack_f32(payload["train"]["x"]), x[:, 0])
    assert live.unpack_u8(payload["train"]["label"]).tolist() == labels.tolist()
    assert payload["extent"] == [[-1.0, 1.0], [-2.0, 2.0]] and payload["highlight"] == 3


def test_boundary_for_regression_draws_a_curve_and_the_truth():
    xs = np.linspace(-3, 3, 10)
    train = (xs[:4, None].astype(np.float32), np.sin(xs[:4])[:, None])
    payload = live.boundary(
        np.sin(xs), [(-3, 3)], train, train, "regression", grid_x=xs, truth=np.sin(xs)
    )
    assert "grid" not in payload
    assert np.allclose(live.unpack_f32(payload["curve"]["y"]), np.sin(xs), atol=1e-6)
    low, high = payload["yextent"]
    assert low < -0.99 and high > 0.99


def test_network_marks_dropped_units_and_quantises_weights():
    sizes = (2, 3, 1)
    weights = [np.array([[1.0, -2.0, 0.5], [0.0, 2.0, -1.0]]), np.array([[1.0], [-1.0], [0.5]])]
    masks = [np.array([True, True]), np.array([True, False, True])]
    payload = live.network(sizes, weights, masks, input_names=["x1", "x2"])
    hidden = payload["layers"][1]
    assert live.unpack_u8(hidden["kept"]).tolist() == [1, 0, 1]
    first = live.unpack_u8(payload["weights"][0]).astype(int) - 127
    assert first.tolist() == [63, -127, 32, 0, 127, -63]  # w / max|w| × 127, half to even
    assert payload["summary"] == "1 units dropped in the drawn mask"


def test_network_draws_at_most_a_few_dozen_units_per_layer():
    sizes = (2, 100, 1)
    weights = [np.ones((2, 100)), np.ones((100, 1))]
    payload = live.network(sizes, weights, [None, np.ones(100, bool)])
    hidden = payload["layers"][1]
    assert hidden["units"] == live.MAX_DRAWN_UNITS
    assert hidden["hidden_units"] == 100 - live.MAX_DRAWN_UNITS
    assert len(live.unpack_u8(payload["weights"][0])) == 2 * live.MAX_DRAWN_UNITS


def test_network_drop_frequency_replaces_the_single_mask():
    payload = live.network(
        (2, 2, 1),
        [np.ones((2, 2)), np.ones((2, 1))],
        [None, None],
        drop_frequency=[None, np.array([0.0, 1.0])],
    )
    assert live.unpack_u8(payload["layers"][1]["dropped_share"]).tolist() == [0, 255]
    assert "kept" not in payload["layers"][1]


@pytest.mark.parametrize("n", [5, 240, 241, 1000])
def test_lines_are_thinned_but_keep_the_newest_point(n):
    steps = list(range(0, 10 * n, 10))
    payload = live.lines([{"name": "test", "y": [float(s) for s in steps], "color": "#000"}], steps)
    xs = live.unpack_f32(payload["x"])
    assert len(xs) <= live.MAX_CURVE_POINTS
    assert xs[-1] == steps[-1]
    assert np.array_equal(live.unpack_f32(payload["series"][0]["y"]), xs)


def test_board_keeps_panels_in_order():
    board = live.board([{"kind": "lines"}, {"kind": "stack", "panels": []}], step=12)
    assert [p["kind"] for p in board["panels"]] == ["lines", "stack"] and board["step"] == 12
