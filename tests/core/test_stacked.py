import math

import torch

from dropout_viz.core.stacked import StackedDropout, StackedMLP


def test_each_model_initialised_from_its_own_seed_only():
    pair = StackedMLP([5, 6], 2, (8, 4), 1)
    alone = StackedMLP([6], 2, (8, 4), 1)
    for (w2, b2), (w1, b1) in zip(pair.layers(), alone.layers()):
        assert torch.equal(w2[1], w1[0]) and torch.equal(b2[1], b1[0])
        assert not torch.equal(w2[0], w2[1])


def test_exported_model_computes_the_same_as_its_slice():
    stack = StackedMLP([1, 2, 3], 3, (7, 5), 2, activation="sigmoid").eval()
    x = torch.randn(10, 3)
    out = stack(x)
    for k in range(3):
        assert torch.allclose(stack.export(k).eval()(x), out[k], atol=1e-6)


def test_fast_masks_keep_the_right_fraction_and_leave_p0_untouched():
    p = torch.tensor([0.0, 0.3, 0.8, 1.0]).view(4, 1, 1)
    d = StackedDropout(p, generator=torch.Generator().manual_seed(0))
    x = torch.ones(4, 500, 100)
    out = d(x)
    assert torch.equal(out[0], x[0])
    assert (out[3] == 0).all()
    n = 500 * 100
    for k, rate in [(1, 0.3), (2, 0.8)]:
        kept = d.last_keep_mask[k].float().mean().item()
        assert abs(kept - (1 - rate)) < 4 * math.sqrt(rate * (1 - rate) / n)  # 4 sigma
        assert torch.allclose(out[k][out[k] != 0], torch.tensor(1 / (1 - rate)))
    # Every unit is equally likely to drop: no position is biased by the bit trick.
    column_rate = (~d.last_keep_mask[1]).float().mean(0)
    assert (column_rate - 0.3).abs().max() < 5 * math.sqrt(0.21 / 500)


def test_per_model_rates_change_in_place():
    stack = StackedMLP([0, 0], 2, (4, 4), 1, drop_rates=[0.1, [0.2, 0.3]])
    assert torch.allclose(stack.drop_rates, torch.tensor([[0.1, 0.1], [0.2, 0.3]]))
    before = stack.flat.detach().clone()
    stack.set_drop_rates([0.5, 0.0])
    assert torch.allclose(stack.drop_rates, torch.tensor([[0.5, 0.5], [0.0, 0.0]]))
    assert torch.equal(stack.flat, before)
