"""Hidden activations of the digit twins, without and with dropout."""

import pytest
import torch

from dropout_viz.core import sparsity


def test_dropout_twin_is_sparser_with_a_lower_mean_activation():
    result = sparsity.train_twins(0.5, seed=0)
    assert result.activations.shape == (2, sparsity.DATA.n_test, sparsity.HIDDEN)
    assert bool((result.activations >= 0).all())  # ReLU outputs
    without, with_dropout = result.mean_activation
    # Measured 1.00 -> 0.40 at this seed (and 1.0-1.1 -> 0.4-0.5 for seeds 0-2): a wide margin.
    assert with_dropout < 0.7 * without
    assert result.zero_share[1] > result.zero_share[0]
    assert result.unit_means.shape == (2, sparsity.HIDDEN)
    assert min(result.test_accuracy) > 0.85


def test_at_p_zero_the_twins_are_identical():
    result = sparsity.train_twins(0.0, seed=0, steps=10)
    assert torch.equal(result.activations[0], result.activations[1])
    assert result.mean_activation[0] == pytest.approx(result.mean_activation[1])
