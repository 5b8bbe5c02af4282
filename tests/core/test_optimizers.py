"""The flat optimizers are torch.optim's fused ones without the bookkeeping: same numbers."""

from __future__ import annotations

import pytest
import torch

from dropout_viz.core.optimizers import FlatAdam, FlatSGD


def _gradients(steps: int) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(1)
    return [torch.randn(257, generator=g) for _ in range(steps)]


def _run(make, steps: int = 12) -> torch.Tensor:
    """Steps with changing gradients; halfway, new learning rate and weight decay."""
    param = torch.nn.Parameter(torch.linspace(-1, 1, 257))
    optimizer = make(param)
    for i, grad in enumerate(_gradients(steps)):
        if i == steps // 2:
            optimizer.param_groups[0]["lr"] = 0.003
            optimizer.param_groups[0]["weight_decay"] = 0.1
        param.grad = grad
        optimizer.step()
    return param.detach()


@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_flat_adam_matches_torch_fused_adam_bit_for_bit(weight_decay):
    ours = _run(lambda p: FlatAdam(p, lr=0.05, weight_decay=weight_decay))
    theirs = _run(lambda p: torch.optim.Adam([p], lr=0.05, weight_decay=weight_decay, fused=True))
    assert not torch.equal(ours, torch.linspace(-1, 1, 257))  # it did move
    assert torch.equal(ours, theirs)


def test_flat_adam_matches_plain_adam_closely():
    """And the fused kernel is Adam: torch's reference (for-loop) implementation agrees."""
    ours = _run(lambda p: FlatAdam(p, lr=0.05))
    reference = _run(lambda p: torch.optim.Adam([p], lr=0.05, foreach=False))
    torch.testing.assert_close(ours, reference)


@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_flat_sgd_matches_torch_fused_sgd_bit_for_bit(weight_decay):
    def theirs(p):
        return torch.optim.SGD([p], lr=0.05, momentum=0.9, weight_decay=weight_decay, fused=True)

    ours = _run(lambda p: FlatSGD(p, lr=0.05, momentum=0.9, weight_decay=weight_decay))
    assert torch.equal(ours, _run(theirs))
    reference = _run(lambda p: torch.optim.SGD([p], lr=0.05, momentum=0.9, foreach=False))
    torch.testing.assert_close(_run(lambda p: FlatSGD(p, lr=0.05, momentum=0.9)), reference)
