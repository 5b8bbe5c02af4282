"""Figures of Monte-Carlo dropout."""

import numpy as np
import pytest

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


def test_mc_convergence_draws_mean_minus_eval_inside_the_band():
    running = np.array([1.5, 1.2, 1.1, 1.05])
    band = np.array([0.4, 0.28, 0.23, 0.2])
    figure = fig.mc_convergence(
        [{"label": "x = 2", "running_mean": running, "eval_value": 1.0, "band": band}], 4
    )
    band_trace, line = figure.data
    np.testing.assert_allclose(line.y, running - 1.0)
    np.testing.assert_allclose(band_trace.y, np.concatenate([band, -band[::-1]]))
    assert line.name == "x = 2: MC mean − eval mode"
    assert figure.layout.xaxis.type == "log"


def test_mc_maps_show_mean_and_uncertainty_with_the_hole():
    mean, entropy = np.linspace(0, 1, 100), np.linspace(0, 0.8, 100)
    train = (np.zeros((4, 2)), np.array([0, 1, 0, 1]))
    figure = fig.mc_maps(
        mean, entropy, "predictive entropy (bits)", ((-1, 1), (-1, 1)), train, ((0.5, 0.0), 0.3), 50
    )
    heatmaps = [t for t in figure.data if t.type == "heatmap"]
    np.testing.assert_allclose(heatmaps[1].z.ravel(), entropy)
    assert figure.layout.coloraxis2.cmax == pytest.approx(0.8)
    circles = [s for s in figure.layout.shapes if s.type == "circle"]
    assert len(circles) == 2 and (circles[0].x0, circles[0].x1) == (0.2, 0.8)
    assert figure.layout.annotations[0].text == "mean P(class 1) over 50 passes"
