"""Adam and SGD for the one flat parameter of a ``StackedMLP``, without per-step bookkeeping.

These call the fused kernels that ``torch.optim.Adam(fused=True)`` and
``torch.optim.SGD(fused=True)`` call, with the same arguments, so the numbers are the
same bit for bit (``tests/core/test_optimizers.py`` checks that against ``torch.optim``).
Why not ``torch.optim`` itself: its ``step()`` walks param groups, looks up state, groups
tensors by device and enters the profiler around that one kernel, several times the
kernel's own time, and a twin's whole step is measurably slower for it (public fused and
foreach Adam side by side: ``benchmarks/bench_core_choices.py``). The price: the kernels
are private ATen ops (``torch._fused_adam_``), pinned with torch in requirements.txt and
held to ``torch.optim`` by the test.

Like ``torch.optim``'s, their settings live in ``param_groups[0]`` ("lr",
"weight_decay"), so a running model can take a new learning rate at once.
"""

from __future__ import annotations

import copy

import torch
from torch import Tensor


class _FlatOptimizer:
    def __init__(self, param: Tensor, lr: float, weight_decay: float) -> None:
        self.param = param
        self.param_groups = [{"lr": lr, "weight_decay": weight_decay}]

    def load_state(self, other: _FlatOptimizer) -> None:
        """Take other's settings and state (moments, step count) for this one's parameter."""
        for name, value in vars(other).items():
            if name == "param":
                continue
            if isinstance(value, Tensor):
                getattr(self, name).copy_(value)
            else:
                setattr(self, name, copy.deepcopy(value))


class FlatAdam(_FlatOptimizer):
    """``torch.optim.Adam(fused=True)`` with default betas and eps, for one tensor."""

    def __init__(
        self,
        param: Tensor,
        lr: float,
        weight_decay: float = 0.0,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(param, lr, weight_decay)
        self.betas, self.eps = betas, eps
        self.exp_avg = torch.zeros_like(param, memory_format=torch.preserve_format)
        self.exp_avg_sq = torch.zeros_like(param, memory_format=torch.preserve_format)
        # A float32 tensor, as torch.optim keeps it: the kernel reads the step count from it.
        self.state_step = torch.zeros((), dtype=torch.float32)

    @torch.no_grad()
    def step(self) -> None:
        group = self.param_groups[0]
        self.state_step += 1
        torch._fused_adam_(
            [self.param],
            [self.param.grad],
            [self.exp_avg],
            [self.exp_avg_sq],
            [],  # no AMSGrad
            [self.state_step],
            lr=group["lr"],
            beta1=self.betas[0],
            beta2=self.betas[1],
            weight_decay=group["weight_decay"],
            eps=self.eps,
            amsgrad=False,
            maximize=False,
        )


class FlatSGD(_FlatOptimizer):
    """``torch.optim.SGD(fused=True)`` with momentum (no dampening, not Nesterov)."""

    def __init__(
        self, param: Tensor, lr: float, momentum: float = 0.9, weight_decay: float = 0.0
    ) -> None:
        super().__init__(param, lr, weight_decay)
        self.momentum = momentum
        self.momentum_buffer = torch.empty_like(param)
        self._first_step = True  # the kernel then starts the buffer from the gradient

    @torch.no_grad()
    def step(self) -> None:
        group = self.param_groups[0]
        torch._fused_sgd_(
            [self.param],
            [self.param.grad],
            [self.momentum_buffer],
            weight_decay=group["weight_decay"],
            momentum=self.momentum,
            lr=group["lr"],
            dampening=0.0,
            nesterov=False,
            maximize=False,
            is_first_step=self._first_step,
        )
        self._first_step = False


# Every SGD here (the Playground's, both sweep engines') uses this momentum.
SGD_MOMENTUM = 0.9


def flat_optimizer(name: str, param: Tensor, lr: float, weight_decay: float) -> _FlatOptimizer:
    """ "adam" or "sgd" for a stack's one flat parameter."""
    if name == "adam":
        return FlatAdam(param, lr=lr, weight_decay=weight_decay)
    return FlatSGD(param, lr=lr, momentum=SGD_MOMENTUM, weight_decay=weight_decay)


def torch_optimizer(name: str, params, lr: float, weight_decay: float) -> torch.optim.Optimizer:
    """The same settings as ``flat_optimizer``, as plain ``torch.optim`` (the loop engine's)."""
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    return torch.optim.SGD(params, lr=lr, momentum=SGD_MOMENTUM, weight_decay=weight_decay)
