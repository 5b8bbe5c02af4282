"""One dropout layer up close: h, the mask, h·m/(1−p) and the running mean, against torch."""

import math

import pytest
import torch
from torch import nn

from dropout_viz.core import masks


class PlainSimpleNN(nn.Module):
    """The lesson's class as a learner types it: the oracle for the hidden layer."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 50)
        self.dropout = nn.Dropout(p=0.3)
        self.fc2 = nn.Linear(50, 1)


def test_activations_are_the_example_networks_hidden_layer():
    torch.manual_seed(4)
    plain = PlainSimpleNN()
    x = torch.randn(6, 10)
    expected = torch.relu(plain.fc1(x)).detach()
    assert torch.equal(masks.example_activations(4, 6), expected)


def test_activations_leave_the_global_generator_alone():
    state = torch.random.get_rng_state()
    masks.example_activations(1, 3)
    assert torch.equal(torch.random.get_rng_state(), state)


def test_one_pass_is_h_times_mask_over_keep_probability():
    h = masks.example_activations(0, 8)
    one = masks.drop(h, 0.3, masks.draw_generator(0, 0))
    assert one.keep_mask.dtype == torch.bool and one.keep_mask.shape == h.shape
    torch.testing.assert_close(one.output, h * one.keep_mask / 0.7)
    assert one.kept_per_example == one.keep_mask.sum(1).tolist()


def test_each_example_has_its_own_mask():
    one = masks.drop(torch.ones(16, 50), 0.5, masks.draw_generator(0, 0))
    rows = {tuple(row.tolist()) for row in one.keep_mask}
    assert len(rows) == 16  # a matrix, not one vector repeated per row


def test_same_draw_same_mask_next_draw_new_mask():
    h = torch.ones(8, 50)
    first = masks.drop(h, 0.5, masks.draw_generator(3, 0)).keep_mask
    again = masks.drop(h, 0.5, masks.draw_generator(3, 0)).keep_mask
    resampled = masks.drop(h, 0.5, masks.draw_generator(3, 1)).keep_mask
    other_stream = masks.drop(h, 0.5, masks.draw_generator(3, 0, stream=1)).keep_mask
    assert torch.equal(first, again)
    assert not torch.equal(first, resampled)
    assert not torch.equal(first, other_stream)


def test_running_mean_is_built_from_dropped_and_scaled_samples():
    h = torch.tensor([0.0, 0.5, 2.0])
    result = masks.running_mean(h, 0.25, 400, masks.draw_generator(0, 0))
    n = result.counts[:, None]
    # Undo the running mean: every single sample must be 0 or h/(1−p).
    samples = torch.diff(n * result.running_mean, dim=0, prepend=torch.zeros(1, 3))
    # float32 draws, undone in float64: equal to within rounding.
    is_zero = samples.abs() < 1e-5
    is_scaled = (samples - h.double() / 0.75).abs() < 1e-5
    assert bool((is_zero | is_scaled).all())
    assert bool((samples[:, 0] == 0).all())  # h = 0 stays 0 whatever the mask


def test_sample_std_matches_torch_std_of_many_draws():
    h = torch.tensor([1.0, 3.0])
    layer = nn.Dropout(0.4)
    torch.manual_seed(0)
    draws = layer(h.expand(200_000, 2))
    # 200,000 draws: the std's relative standard error is below 0.3%; 2% is a safe margin.
    torch.testing.assert_close(draws.std(0), masks.sample_std(h, 0.4), rtol=0.02, atol=0)


def test_after_1000_masks_the_mean_sits_in_the_band_of_h():
    """The issue's check: N = 1000 masks, the mean within ±2σ/√N of h.

    Over 5 seeds × 8 examples × 50 units (about 1000 active units, each an independent
    test) the 2σ band holds ~95.4% of the time; we require 90% (over 7 binomial standard
    deviations below), and every unit within 5σ/√N.
    """
    inside, within_5, active = 0, 0, 0
    for seed in range(5):
        h = masks.example_activations(seed, 8)
        for example in range(8):
            result = masks.running_mean(
                h[example], 0.5, 1000, masks.draw_generator(seed, 0, stream=1)
            )
            on = result.target > 0
            active += int(on.sum())
            inside += int(result.inside_band(2)[on].sum())
            within_5 += int(result.inside_band(5)[on].sum())
    assert active > 800
    assert inside / active >= 0.90
    assert within_5 == active


def test_band_shrinks_as_one_over_root_n():
    result = masks.running_mean(torch.tensor([1.0]), 0.5, 100, masks.draw_generator(0, 0))
    band = result.band()[:, 0]
    assert band[0] == pytest.approx(2 * math.sqrt(0.5 / 0.5))
    assert band[99] == pytest.approx(band[0] / 10)


@pytest.mark.parametrize("bad", [0, -1])
def test_bad_counts_raise_a_clear_error(bad):
    with pytest.raises(ValueError, match="at least one"):
        masks.example_activations(0, bad)
    with pytest.raises(ValueError, match="at least one"):
        masks.running_mean(torch.ones(3), 0.5, bad, masks.draw_generator(0, 0))
