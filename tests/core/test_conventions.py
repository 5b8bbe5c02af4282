"""Three scaling conventions: their train/eval means, and a model trained each way."""

import math

import pytest
import torch

from dropout_viz.core import conventions as conv
from dropout_viz.core.masks import draw_generator, example_activations


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_eval_over_train_mean_is_one_except_for_the_unscaled_bug(p):
    h = example_activations(0, 8)
    n_masks = 2000
    means = {m.mode: m for m in conv.convention_means(h, p, n_masks, draw_generator(0, 0))}
    # Standard error of the train-mode mean of inverted dropout: each of the n_masks × 400
    # draws has variance h²·p/(1−p). Allow 5 standard errors (scaled per mode).
    se = math.sqrt(float((h.double() ** 2).mean()) * p / (1 - p) / (n_masks * h.numel()))
    mean_h = float(h.double().mean())
    assert means["inverted"].eval_mean == pytest.approx(mean_h)
    assert means["classic"].eval_mean == pytest.approx((1 - p) * mean_h)
    assert means["unscaled"].eval_mean == pytest.approx(mean_h)
    assert means["inverted"].train_mean == pytest.approx(mean_h, abs=5 * se)
    for mode in ("classic", "unscaled"):
        assert means[mode].train_mean == pytest.approx((1 - p) * mean_h, abs=5 * se * (1 - p))
    for mode, result in means.items():
        assert result.ratio == pytest.approx(conv.expected_ratio(mode, p), rel=0.03)


def test_p_zero_changes_nothing():
    h = example_activations(0, 4)
    for result in conv.convention_means(h, 0.0, 10, draw_generator(0, 0)):
        assert result.ratio == pytest.approx(1.0)


@pytest.fixture(scope="module")
def runs():
    return {run.mode: run for run in conv.train_conventions(0.5, seed=0)}


def test_classic_and_unscaled_train_the_same_network(runs):
    # Neither scales in training, and the seed fixes data, weights, batches and masks.
    assert torch.equal(runs["classic"].flat_weights, runs["unscaled"].flat_weights)
    assert not torch.equal(runs["inverted"].flat_weights, runs["classic"].flat_weights)


def test_the_bug_inflates_activations_and_costs_loss_and_accuracy(runs):
    # First hidden layer, 20 masks per test point: the ratio's noise is well under 2%.
    assert runs["unscaled"].ratio == pytest.approx(2.0, rel=0.05)
    assert runs["inverted"].ratio == pytest.approx(1.0, rel=0.05)
    assert runs["classic"].ratio == pytest.approx(1.0, rel=0.05)
    assert runs["unscaled"].test_loss > 2 * runs["classic"].test_loss
    assert runs["unscaled"].test_accuracy < runs["classic"].test_accuracy
    assert runs["inverted"].test_accuracy > 0.85  # the reference learned the circles


def test_progress_is_reported_up_to_one():
    seen = []
    conv.train_conventions(0.3, seed=1, steps=20, on_progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == pytest.approx(1.0)
