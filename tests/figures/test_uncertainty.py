"""Figures of Monte-Carlo dropout."""

import numpy as np

from dropout_viz.figures import uncertainty as fig


def make(samples: int = 30):
    x = np.linspace(-3, 3, 7)
    rng = np.random.default_rng(0)
    passes = np.sin(x) + rng.normal(0, 0.1, size=(samples, 7))
    return x, passes


def test_band_is_mean_plus_minus_two_std_and_the_gap_is_shaded():
    x, passes = make()
    mean, std = passes.mean(0), passes.std(0)
    figure = fig.mc_band(x, mean, std, passes, x[:3], np.sin(x[:3]), np.sin(x), (-1, 1), 30)
    band = figure.data[0]
    np.testing.assert_allclose(band.y[:7], mean + 2 * std)
    np.testing.assert_allclose(band.y[7:], (mean - 2 * std)[::-1])
    singles = [t for t in figure.data if t.legendgroup == "passes"]
    assert len(singles) == fig.MAX_SAMPLE_LINES  # a few passes, not all 30
    names = [t.name for t in figure.data]
    assert "mean of 30 passes" in names and "training points" in names
    (gap,) = figure.layout.shapes
    assert (gap.x0, gap.x1) == (-1, 1)
    assert figure.layout.annotations[0].text == "gap: no training points"
    assert figure.layout.xaxis.title.text == "x (input)"
    assert figure.layout.yaxis.title.text == "y (prediction)"


def test_spread_plots_two_std_without_a_stray_label():
    x, passes = make()
    figure = fig.spread(x, passes.std(0), (-1, 1), 30)
    np.testing.assert_allclose(figure.data[0].y, 2 * passes.std(0))
    assert len(figure.layout.annotations) == 0  # an unlabeled vrect must not say "new text"
    assert figure.layout.yaxis.title.text == "2 std of 30 predictions"
