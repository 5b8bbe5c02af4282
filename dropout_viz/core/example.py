"""The lesson's example network, run the way the lesson runs it.

``run_example(seed)`` does what the learner's code does after
``torch.manual_seed(seed)`` — build ``SimpleNN``, ``model.train()``, feed
``torch.randn(5, 10)`` — and goes on: three train-mode passes, three eval-mode
passes, and the mean of many train-mode passes. Its first pass prints exactly
what the learner's ``print(output)`` prints with that seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from .models import SimpleNN
from .rng import seeded

BATCH, IN_FEATURES, HIDDEN = 5, 10, 50
PASSES = 3
N_AVERAGE = 10_000
# The mean of N passes matches eval within Z standard errors (a false alarm per output
# about 1 time in 16,000 at Z = 4).
Z = 4.0


@dataclass(frozen=True)
class ExampleRun:
    seed: int
    inputs: Tensor  # (5, 10)
    train_outputs: Tensor  # (passes, 5): a new mask every pass, so they differ
    keep_masks: Tensor  # (passes, 5, 50) bool: the 50 hidden units' masks of each pass
    eval_outputs: Tensor  # (passes, 5): dropout off, so every pass is the same
    mean_of_train: Tensor  # (5,): the mean over n_average train-mode passes
    standard_error: Tensor  # (5,): std of one train-mode output / sqrt(n_average)
    n_average: int
    printed: str  # print(output) of the first pass, as the learner sees it

    @property
    def tolerance(self) -> Tensor:
        return Z * self.standard_error

    @property
    def difference(self) -> Tensor:
        return (self.mean_of_train - self.eval_outputs[0]).abs()

    @property
    def eval_matches_mean(self) -> bool:
        return bool((self.difference <= self.tolerance).all())

    @property
    def train_passes_differ(self) -> bool:
        return any(
            not torch.equal(self.train_outputs[0], self.train_outputs[i])
            for i in range(1, len(self.train_outputs))
        )

    @property
    def eval_passes_identical(self) -> bool:
        return all(torch.equal(self.eval_outputs[0], row) for row in self.eval_outputs[1:])


def run_example(seed: int, passes: int = PASSES, n_average: int = N_AVERAGE) -> ExampleRun:
    """The lesson's code with ``torch.manual_seed(seed)`` in front, plus eval mode and a mean."""
    if passes < 2:
        raise ValueError(f"Use at least two passes to compare, got {passes}.")
    if n_average < 2:
        raise ValueError(f"Average at least two train-mode passes, got {n_average}.")
    # The lesson's code draws from torch's global generator (init, input, masks); `seeded`
    # gives this run a private copy of it, so other users' runs cannot interleave.
    with seeded(seed):
        model = SimpleNN()
        model.train()  # enable dropout
        input_tensor = torch.randn(BATCH, IN_FEATURES)
        output = model(input_tensor)
        printed = str(output)
        train_outputs, masks = [output.detach()[:, 0]], [model.dropout.last_keep_mask]
        with torch.no_grad():
            for _ in range(passes - 1):
                train_outputs.append(model(input_tensor)[:, 0])
                masks.append(model.dropout.last_keep_mask)
            many = model(input_tensor.expand(n_average, BATCH, IN_FEATURES))[..., 0]  # (N, 5)
            model.eval()  # disable dropout
            eval_outputs = [model(input_tensor)[:, 0] for _ in range(passes)]
    many = many.double()
    return ExampleRun(
        seed=seed,
        inputs=input_tensor,
        train_outputs=torch.stack(train_outputs),
        keep_masks=torch.stack(masks),
        eval_outputs=torch.stack(eval_outputs),
        mean_of_train=many.mean(0),
        standard_error=many.std(0) / n_average**0.5,
        n_average=n_average,
        printed=printed,
    )
