"""Figures of the ensemble: thumbnails, average vs eval mode, distance, test score, histogram."""

import numpy as np
import pytest

from dropout_viz.figures import inference as fig
from dropout_viz.figures import thinned


def traces(figure, name):
    return [t for t in figure.data if t.name == name]


def masks(shown=10, seed=0):
    rng = np.random.default_rng(seed)
    return [np.ones((shown, 2), bool), rng.random((shown, 40)) < 0.5, rng.random((shown, 8)) < 0.5]


def test_sub_networks_draw_each_mask_and_each_boundary():
    keep = masks()
    predictions = np.random.default_rng(1).random((10, 16 * 16))
    train = (np.random.default_rng(2).normal(size=(12, 2)), np.arange(12) % 2)
    extent = ((-2.0, 2.0), (-1.0, 1.0))
    figure = thinned.sub_networks(
        (2, 40, 8, 1), keep, predictions, "classification", train, extent=extent
    )
    dropped = traces(figure, "unit dropped")
    assert len(dropped) == 10
    # Wider layers draw their first THUMB_UNITS units: count the dropped ones among them.
    drawn = thinned.THUMB_UNITS
    for i, trace in enumerate(dropped):
        expected = (~keep[1][i, :drawn]).sum() + (~keep[2][i]).sum()
        assert len(trace.x) == expected
    heatmaps = [t for t in figure.data if t.type == "heatmap"]
    assert len(heatmaps) == 10
    np.testing.assert_allclose(heatmaps[3].z, predictions[3].reshape(16, 16))
    assert heatmaps[0].x[0] == -2.0 and heatmaps[0].y[-1] == 1.0
    kept = keep[1][0].sum() + keep[2][0].sum()
    assert figure.layout.annotations[0].text == f"#1: {kept}/48 kept"
    assert sum(t.showlegend is not False for t in figure.data if t.name == "unit kept") == 1


def test_sub_networks_for_regression_draw_curves():
    keep = masks(shown=8)
    x_line = np.linspace(-3, 3, 50)
    curves = np.sin(x_line)[None, :] + np.arange(8)[:, None]
    train = (np.linspace(-3, 3, 9).reshape(-1, 1), np.zeros((9, 1)))
    figure = thinned.sub_networks(
        (1, 40, 8, 1), keep, curves, "regression", train, x_line=x_line, columns=4
    )
    lines = traces(figure, "this sub-network")
    assert len(lines) == 8
    np.testing.assert_allclose(lines[5].y, curves[5])


def test_average_vs_eval_shows_the_difference():
    average, eval_prediction = np.linspace(0, 1, 100), np.full(100, 0.5)
    train = (np.zeros((4, 2)), np.array([0, 1, 0, 1]))
    figure = thinned.average_vs_eval(
        average,
        eval_prediction,
        7,
        "classification",
        train,
        extent=((-1, 1), (-1, 1)),
        point=np.array([0.1, 0.2]),
    )
    heatmaps = [t for t in figure.data if t.type == "heatmap"]
    np.testing.assert_allclose(heatmaps[2].z.ravel(), average - eval_prediction)
    assert figure.layout.coloraxis2.cmin == -0.5 and figure.layout.coloraxis2.cmax == 0.5
    assert figure.layout.annotations[0].text == "average of 7 sub-networks"
    stars = traces(figure, "the input below")
    assert len(stars) == 3 and stars[0].x == (0.1,)


def test_distance_chart_marks_n_and_the_floor():
    counts = np.arange(1, 501)
    noise = 0.2 / np.sqrt(counts)
    distance = np.sqrt(0.05**2 + noise**2)
    figure = fig.distance(counts, distance, noise, 0.05, 50, of_outputs=noise)
    assert traces(figure, "N = 50, the slider")[0].x == (50, 50)
    np.testing.assert_allclose(traces(figure, "what N → ∞ leaves: 0.050")[0].y, 0.05)
    np.testing.assert_allclose(traces(figure, "averaging P(class 1) (the ensemble)")[0].y, distance)
    assert traces(figure, "averaging the outputs (logits), then the sigmoid")
    assert figure.layout.xaxis.type == "log"
    assert figure.layout.xaxis.range == (0, pytest.approx(np.log10(500)))


def test_test_score_in_percent_with_the_match():
    counts = np.arange(1, 11)
    figure = fig.test_score(counts, np.linspace(0.2, 0.1, 10), 0.15, "test error", 3, 6)
    np.testing.assert_allclose(
        traces(figure, "average of N sub-networks")[0].y, np.linspace(20, 10, 10)
    )
    assert traces(figure, "full network, eval mode: 15 %")
    assert traces(figure, "as good from N = 6 on")[0].x == (6, 6)
    assert figure.layout.yaxis.title.text == "test error (%)"


def test_histogram_marks_eval_and_the_means():
    outputs = np.arange(100, dtype=float)
    figure = fig.output_histogram(outputs, 50.0, 10, "output", "point #3")
    np.testing.assert_allclose(figure.data[0].x, outputs)
    names = [t.name for t in figure.data[1:]]
    assert names == [
        "eval mode (all units, no mask): 50.000",
        "mean of all 100: 49.500",
        "mean of the first 10: 4.500",
    ]
    assert len(fig.output_histogram(outputs, 50.0, 100, "output", "x").data) == 3  # N = all
