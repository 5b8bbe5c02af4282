"""Figures of one dropout layer up close: the data each trace carries, and the axes."""

import numpy as np
import pytest

from dropout_viz.figures import masks as fig


@pytest.fixture
def layer():
    rng = np.random.default_rng(0)
    h = np.maximum(rng.normal(size=(4, 6)), 0)
    mask = rng.random((4, 6)) < 0.5
    return h, mask, h * mask / 0.5


def test_layer_pass_draws_h_m_and_the_output_in_one_layout(layer):
    h, mask, out = layer
    figure = fig.layer_pass(h, mask, out, 0.5)
    assert [t.type for t in figure.data] == ["heatmap"] * 3
    np.testing.assert_array_equal(figure.data[0].z, h)
    np.testing.assert_array_equal(figure.data[1].z, mask.astype(int))
    np.testing.assert_array_equal(figure.data[2].z, out)
    assert figure.data[1].texttemplate == "%{z}"  # the 0/1 of each cell is written in it
    assert "× 2" in figure.layout.annotations[2].text  # 1/(1−p) at p = 0.5
    assert figure.layout.xaxis3.title.text == "hidden unit (0–5)"
    assert all(figure.layout[f"yaxis{i}"].title.text == "example" for i in ("", "2", "3"))


def test_h_and_the_output_share_one_colour_range(layer):
    h, mask, out = layer
    figure = fig.layer_pass(h, mask, out, 0.5)
    first, second = figure.layout.coloraxis, figure.layout.coloraxis2
    assert (first.cmin, first.cmax) == (second.cmin, second.cmax) == (0, pytest.approx(out.max()))
    assert first.colorbar.title.text == "activation"


def test_convergence_band_surrounds_h():
    n = np.arange(1, 101)
    band = 2 * 0.5 / np.sqrt(n)
    figure = fig.convergence(n, np.full(100, 1.1), 1.0, band, unit=3, example=0)
    band_trace, target, mean = figure.data
    np.testing.assert_allclose(band_trace.y[:100], 1.0 + band)
    np.testing.assert_allclose(band_trace.y[100:], (1.0 - band)[::-1])
    np.testing.assert_array_equal(target.y, np.ones(100))
    np.testing.assert_array_equal(mean.y, np.full(100, 1.1))
    assert figure.layout.xaxis.type == "log"
    assert figure.layout.xaxis.title.text.startswith("N, number of masks")
    assert "Unit 3 of example 0" in figure.layout.title.text


def test_units_after_colours_the_units_outside_their_band():
    target = np.array([1.0, 1.0, 0.0])
    mean = np.array([1.05, 1.5, 0.0])
    figure = fig.units_after(target, mean, np.array([0.1, 0.1, 0.0]), n_masks=100)
    colours = figure.data[1].marker.color
    assert colours == (fig.KEPT_COLOR, fig.NO_DROPOUT_COLOR, fig.KEPT_COLOR)
    np.testing.assert_array_equal(figure.data[0].error_y.array, [0.1, 0.1, 0.0])


def test_conventions_bars():
    figure = fig.conventions(["inverted", "classic", "unscaled"], [1, 0.5, 0.5], [1, 0.5, 1])
    train, evaluation = figure.data
    assert list(train.x) == ["inverted (PyTorch)", "classic (2014 paper)", "unscaled (the bug)"]
    assert list(train.y) == [1, 0.5, 0.5] and list(evaluation.y) == [1, 0.5, 1]
    assert figure.layout.barmode == "group"
    assert figure.layout.yaxis.title.text == "mean activation passed on"


def test_histograms_are_shares_in_percent_with_the_means_marked():
    rng = np.random.default_rng(1)
    without, with_dropout = rng.exponential(2.0, 1000), rng.exponential(0.7, 1000)
    figure = fig.activation_histograms(
        [without, with_dropout], [without[:50], with_dropout[:50]], bins=20
    )
    assert len(figure.data) == 4
    for trace in figure.data:  # each histogram sums to 100% (padding points repeat the ends)
        assert np.sum(trace.y[1:-1]) == pytest.approx(100)
    assert figure.data[0].name == f"no dropout (mean {without.mean():.2f})"
    mean_lines = [shape.x0 for shape in figure.layout.shapes]
    assert mean_lines[:2] == [pytest.approx(without.mean()), pytest.approx(with_dropout.mean())]
    assert figure.layout.yaxis.title.text == "share of all activations (%)"
    assert figure.layout.xaxis2.title.text == "a unit's mean over the test digits"
