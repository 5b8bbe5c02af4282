"""Monte-Carlo dropout in 2-D: two moons with a region left out."""

import math
from dataclasses import replace

import pytest
import torch

from dropout_viz.core import limits
from dropout_viz.core import mc_classify as mcc
from dropout_viz.core.data import grid
from dropout_viz.core.rng import generator


def test_no_training_point_in_the_hole_and_the_held_out_ones_inside():
    hole = mcc.moons_with_hole(mcc.HoleConfig())
    assert not bool(hole.in_hole(hole.data.x_train).any())
    assert not bool(hole.in_hole(hole.data.x_test).any())
    assert len(hole.x_hole) > 20 and bool(hole.in_hole(hole.x_hole).all())
    assert 0.7 * 200 < len(hole.data.x_train) < 200  # the hole took its share
    again = mcc.moons_with_hole(mcc.HoleConfig())
    assert torch.equal(hole.data.x_train, again.data.x_train)


def test_entropy_in_bits_matches_torch_distributions():
    p = torch.tensor([0.0, 0.01, 0.3, 0.5, 0.9, 1.0])
    expected = torch.distributions.Bernoulli(probs=p.clamp(1e-7, 1 - 1e-7)).entropy() / math.log(2)
    torch.testing.assert_close(mcc.entropy_bits(p), expected, rtol=1e-5, atol=1e-6)
    assert float(mcc.entropy_bits(torch.tensor(0.5))) == pytest.approx(1.0)


def test_entropy_is_higher_in_the_held_out_region_than_on_the_training_points():
    """Measured ratios (held-out / training points) of 11-130 at seeds 0-3 for the default
    p = 0.2, and of at least 1.5 over p = 0.05-0.5; require 3x at seeds 0-3. T = 100 passes,
    as the page's default."""
    x = grid(mcc.EXTENT, 30)
    for seed in range(4):
        config = replace(mcc.HoleConfig(), seed=seed)
        hole = mcc.moons_with_hole(config)
        model = mcc.train_classifier(hole, config)
        maps, where = mcc.region_uncertainty(model, hole, x, 100, generator(seed + 3))
        entropy = where.entropy
        assert entropy["held-out region"] > 3 * entropy["training points"], (seed, entropy)
        assert entropy["far from the data"] > 2 * entropy["training points"], (seed, entropy)
        assert maps.samples.shape == (100, 900)
        torch.testing.assert_close(maps.entropy, mcc.entropy_bits(maps.samples.mean(0)))


def test_passes_run_in_bounded_chunks(monkeypatch):
    """However large T and the grid, one forward holds at most MAX_BATCH_FLOATS activations."""
    config = replace(mcc.HoleConfig(), steps=20)
    model = mcc.train_classifier(mcc.moons_with_hole(config), config)
    x = grid(mcc.EXTENT, 20)  # 400 points, 64 units wide
    monkeypatch.setattr(limits, "MAX_BATCH_FLOATS", 400 * 64 * 7)  # 7 passes per forward
    sizes = []
    model.dropouts[0].register_forward_hook(lambda m, args, out: sizes.append(args[0].numel()))
    maps = mcc.mc_classify(model, x, 30, generator(1))
    assert maps.samples.shape == (30, 400)
    assert max(sizes[:-1]) <= limits.MAX_BATCH_FLOATS and len(sizes) == 5 + 1  # + the eval pass
    assert bool((maps.samples[0] != maps.samples[1]).any())  # a new sub-network per pass
    again = mcc.mc_classify(model, x, 30, generator(1))
    assert torch.equal(maps.samples, again.samples)


def test_validation():
    with pytest.raises(ValueError, match="p > 0"):
        replace(mcc.HoleConfig(), drop_rate=0.0).validate()
    with pytest.raises(ValueError, match="2-D dataset"):
        replace(mcc.HoleConfig(), dataset="sine").validate()
    with pytest.raises(ValueError, match="radius"):
        replace(mcc.HoleConfig(), hole_radius=0.0).validate()
