"""The Playground's twin for many seeds at once, each seed on its own data, as one stack.

    twins = SeedTwins(DataConfig("moons", 60, 240, 0.45), TrainConfig(drop_rate=0.5), range(10))
    twins.advance(6000)            # a long Play, for every seed at once
    result = twins.measure()       # per seed: both twins' losses, accuracies, boundaries
    result.tally()                 # in how many seeds dropout won, and by how much

Seed s trains the twin the Playground trains for seed s, bit for bit (tested): the
data of ``replace(data, seed=s)``, the initial weights and masks of seed s, full
batches, the same optimizer kernel. ``StackedMLP`` takes a (K, batch, in) input, one
dataset per model; losses and their gradients are taken seed by seed on the twin's
own (2, n, out) slice, with ``losses``' functions. A claim over ten seeds then
costs about what three twins cost, and any seed of it can be replayed in the Playground.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import torch
from torch import Tensor

from . import limits
from .boundary import boundary_length
from .data import DataConfig, grid, make_dataset
from .losses import loss_grad, loss_per_model
from .models import DropRates
from .optimizers import flat_optimizer
from .stacked import StackedMLP
from .train_config import TrainConfig


@dataclass(frozen=True)
class TwinPoint:
    """One model of a twin, measured in eval mode."""

    train_loss: float
    test_loss: float
    train_acc: float | None
    test_acc: float | None
    boundary: float | None  # decision-boundary length on the prediction grid; None: regression

    @property
    def gap(self) -> float:
        return self.test_loss - self.train_loss


@dataclass(frozen=True)
class SeedTwin:
    seed: int
    drop_rate: DropRates
    step: int
    no_dropout: TwinPoint
    dropout: TwinPoint

    @property
    def accuracy_gain(self) -> float | None:
        """Test accuracy with dropout minus without (0.025 = 2.5 points)."""
        if self.dropout.test_acc is None:
            return None
        return self.dropout.test_acc - self.no_dropout.test_acc

    @property
    def boundary_ratio(self) -> float | None:
        """How many times longer the no-dropout twin's boundary is."""
        if self.dropout.boundary is None:
            return None
        return self.no_dropout.boundary / max(self.dropout.boundary, 1e-9)


@dataclass(frozen=True)
class SeedTwinsResult:
    twins: list[SeedTwin]

    def tally(self, accuracy_margin: float = 0.02, boundary_margin: float = 1.2) -> dict:
        """Counts over seeds: dropout ahead by >= accuracy_margin, a smaller gap, and a
        no-dropout boundary at least boundary_margin times as long; the mean gain."""
        twins = self.twins
        gains = [t.accuracy_gain for t in twins if t.accuracy_gain is not None]
        ratios = [t.boundary_ratio for t in twins if t.boundary_ratio is not None]
        return {
            "seeds": len(twins),
            "accuracy_wins": sum(g >= accuracy_margin - 1e-9 for g in gains),
            "mean_accuracy_gain": statistics.fmean(gains) if gains else None,
            "smaller_gap": sum(t.dropout.gap < t.no_dropout.gap for t in twins),
            "longer_boundary": sum(r >= boundary_margin for r in ratios),
        }


class SeedTwins:
    """Twins (no dropout, then one model per drop rate) for each seed, trained as one stack."""

    def __init__(
        self,
        data: DataConfig,
        train: TrainConfig,
        seeds: Iterable[int],
        drop_rates: Sequence[DropRates] | None = None,
        grid_side: int = limits.BOUNDARY_GRID,
    ) -> None:
        self.train = train = train.validate()
        if train.batch_size:
            raise ValueError("SeedTwins trains on full batches: use batch size 0.")
        self.seeds = list(seeds)
        self.rates = [train.drop_rate] if drop_rates is None else list(drop_rates)
        if not self.seeds or not self.rates:
            raise ValueError("Give at least one seed and one dropout rate.")
        sets = [make_dataset(replace(data, seed=s)) for s in self.seeds]
        first = sets[0]
        self.per_seed = per = 1 + len(self.rates)
        self.n_classes = first.n_classes
        self.model = StackedMLP(
            [s for s in self.seeds for _ in range(per)],
            first.in_features,
            train.hidden,
            first.out_features,
            drop_rates=[r for _ in self.seeds for r in (0.0, *self.rates)],
            input_drop_rates=[
                p for _ in self.seeds for p in (0.0, *[train.input_drop_rate] * (per - 1))
            ],
            activation=train.activation,
            dropout_mode=train.dropout_mode,
            dtype=first.x_train.dtype,
        )

        def stacked(tensors: list[Tensor]) -> Tensor:  # one per seed -> one per model
            return torch.stack(tensors).repeat_interleave(per, 0)

        self.x_train = stacked([d.x_train for d in sets])  # (K, n_train, in)
        self.x_test = stacked([d.x_test for d in sets])
        # Targets stay one per seed: losses and their gradients are taken seed by seed,
        # on a (models of one seed, n, out) slice, i.e. exactly the tensors a Twin has.
        self.y_train = [d.y_train for d in sets]
        self.y_test = [d.y_test for d in sets]
        # BCE wants float targets, as Run converts them once.
        self._y_fit = [y.float() if self.n_classes == 2 else y for y in self.y_train]
        self.extents = [d.extent() for d in sets]
        self.grid_inputs = None
        if first.task == "classification" and first.in_features == 2:
            self.grid_inputs = stacked([grid(e, grid_side) for e in self.extents])
        self.optimizer = flat_optimizer(
            train.optimizer, self.model.flat, train.learning_rate, train.weight_decay
        )
        self.step_count = 0

    def advance(self, steps: int) -> None:
        """Train every model `steps` more full-batch steps, as ``Run.step`` does."""
        model, x = self.model, self.x_train
        for _ in range(steps):
            with torch.inference_mode():
                output = model(x)
                model.backward(torch.cat(self._per_seed(loss_grad, output, self._y_fit)))
            self.optimizer.step()
        self.step_count += steps

    @torch.inference_mode()
    def measure(self) -> SeedTwinsResult:
        """Every twin now, in eval mode (a model that diverged shows non-finite losses)."""
        model = self.model.eval()
        try:
            train_loss, train_acc = self._losses(model(self.x_train), self.y_train)
            test_loss, test_acc = self._losses(model(self.x_test), self.y_test)
            lengths = [None] * model.k
            if self.grid_inputs is not None:
                logits = model(self.grid_inputs)[..., 0]  # (K, cells)
                lengths = [
                    float(length)
                    for i, extent in enumerate(self.extents)
                    # As the Playground draws it: twin.predict's sigmoid, one seed's twin.
                    for length in boundary_length(
                        torch.sigmoid(logits[i * self.per_seed : (i + 1) * self.per_seed]).numpy(),
                        extent,
                    )
                ]
        finally:
            model.train()

        def point(k: int) -> TwinPoint:
            return TwinPoint(
                train_loss[k].item(),
                test_loss[k].item(),
                None if train_acc is None else train_acc[k].item(),
                None if test_acc is None else test_acc[k].item(),
                lengths[k],
            )

        twins = [
            SeedTwin(
                seed, rate, self.step_count, point(i * self.per_seed), point(i * self.per_seed + j)
            )
            for i, seed in enumerate(self.seeds)
            for j, rate in enumerate(self.rates, start=1)
        ]
        return SeedTwinsResult(twins)

    def _per_seed(self, function, output: Tensor, targets: list[Tensor]) -> list:
        """function(one seed's (per_seed, n, out) slice of output, its targets, n_classes)."""
        per = self.per_seed
        return [
            function(output[i * per : (i + 1) * per], target, self.n_classes)
            for i, target in enumerate(targets)
        ]

    def _losses(self, output: Tensor, targets: list[Tensor]) -> tuple[Tensor, Tensor | None]:
        pairs = self._per_seed(loss_per_model, output, targets)
        losses = torch.cat([loss for loss, _ in pairs])
        accuracy = None if pairs[0][1] is None else torch.cat([acc for _, acc in pairs])
        return losses, accuracy
