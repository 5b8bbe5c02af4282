"""Monte-Carlo dropout in 2-D: a classifier's uncertainty where a region was left out.

    config = HoleConfig()
    data = moons_with_hole(config)
    model = train_classifier(data, config)
    maps = mc_classify(model, grid, passes=100, generator=generator(2))
    maps.mean, maps.entropy, maps.std            # (points,) each

The training points of two moons leave out a disc (the hole) where the two
classes come close, so the boundary there is the network's guess: its random
sub-networks guess differently, and the predictive entropy rises.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from . import limits
from .data import DataConfig, Dataset, make_dataset
from .mc_dropout import PassStats, check_mc_run, mc_predict, one_mask_per_pass
from .models import MLP
from .training import Run, TrainConfig

ProgressCallback = Callable[[float], None]

HOLE_CENTRE = (-0.8, 0.4)  # the tip of the lower moon, inside the upper moon's arc
HOLE_RADIUS = 0.7
# Wider than the data, so the maps also show what the network says far from it.
EXTENT = ((-3.6, 3.6), (-3.0, 3.0))
FAR = 1.0  # a map point farther than this from every training point is "far from the data"


@dataclass(frozen=True)
class HoleConfig:
    dataset: str = "moons"
    drop_rate: float = 0.2
    seed: int = 0
    n_points: int = 200  # drawn before the hole is cut out
    noise: float = 0.15
    # ReLU: far from the data each sub-network extrapolates along its own direction.
    hidden: tuple[int, ...] = (64, 64)
    steps: int = 1000
    learning_rate: float = 0.01
    hole_centre: tuple[float, float] = HOLE_CENTRE
    hole_radius: float = HOLE_RADIUS

    def validate(self) -> HoleConfig:
        check_mc_run(self.drop_rate, self.seed, self.noise)
        limits.N_TRAIN.check(self.n_points)
        if self.dataset not in limits.CLASSIFICATION_2D:
            raise ValueError(
                f"Choose a 2-D dataset ({', '.join(limits.CLASSIFICATION_2D)}), "
                f"got {self.dataset!r}."
            )
        if self.hole_radius <= 0:
            raise ValueError(f"The hole needs a radius > 0, got {self.hole_radius}.")
        return self

    def train_config(self) -> TrainConfig:
        return TrainConfig(
            hidden=self.hidden,
            drop_rate=self.drop_rate,
            activation="relu",
            learning_rate=self.learning_rate,
            seed=self.seed,
            eval_every=self.steps,  # only the end is read
        )


@dataclass(frozen=True)
class HoleData:
    data: Dataset  # training and test points, none inside the hole
    x_hole: Tensor  # (n, 2): test points that fell inside the hole, never trained on
    y_hole: Tensor  # (n,)
    centre: tuple[float, float]
    radius: float

    def in_hole(self, x: Tensor) -> Tensor:
        return (x - torch.tensor(self.centre)).norm(dim=1) < self.radius


def moons_with_hole(config: HoleConfig) -> HoleData:
    """Two moons without the points inside the hole; the test points there are kept apart."""
    config.validate()
    full = make_dataset(DataConfig(config.dataset, config.n_points, 500, config.noise, config.seed))
    centre, radius = config.hole_centre, config.hole_radius
    hole = HoleData(full, torch.empty(0, 2), torch.empty(0, dtype=torch.long), centre, radius)
    train_in, test_in = hole.in_hole(full.x_train), hole.in_hole(full.x_test)
    data = Dataset(
        full.config,
        full.x_train[~train_in],
        full.y_train[~train_in],
        full.x_test[~test_in],
        full.y_test[~test_in],
        full.n_classes,
    )
    return HoleData(data, full.x_test[test_in], full.y_test[test_in], centre, radius)


def train_classifier(
    hole: HoleData, config: HoleConfig, on_progress: ProgressCallback | None = None
) -> MLP:
    """Train the dropout classifier (full-batch Adam); its layers then draw a mask per pass."""
    run = Run(hole.data, config.validate().train_config())
    chunk = max(1, config.steps // 20)
    while run.step_count < config.steps and run.status == "running":
        run.step(min(chunk, config.steps - run.step_count))
        if on_progress:
            on_progress(run.step_count / config.steps)
    return one_mask_per_pass(run.model.export(0))


def entropy_bits(p: Tensor) -> Tensor:
    """Entropy of a coin with P(heads) = p, in bits: 0 when sure, 1 at p = 0.5."""
    p = p.clamp(1e-7, 1 - 1e-7)
    return -(p * p.log2() + (1 - p) * (1 - p).log2())


@dataclass(frozen=True)
class MCMaps(PassStats):
    samples: Tensor  # (passes, points): P(class 1) of each random sub-network
    eval_prediction: Tensor  # (points,): P(class 1) with dropout off

    @property
    def entropy(self) -> Tensor:
        """Predictive entropy: the entropy of the mean probability (bits)."""
        return entropy_bits(self.mean)

    def select(self, index: Tensor | slice) -> MCMaps:
        return MCMaps(self.samples[:, index], self.eval_prediction[index])


def mc_classify(model: MLP, x: Tensor, passes: int, generator: torch.Generator) -> MCMaps:
    """P(class 1) of T random sub-networks at every point (dropout kept on at inference)."""
    prediction = mc_predict(model, x, passes, generator)
    return MCMaps(torch.sigmoid(prediction.samples), torch.sigmoid(prediction.eval_prediction))


def far_from(points: Tensor, data: Tensor, distance: float = FAR) -> Tensor:
    """Bool per point: farther than ``distance`` from every row of data."""
    return torch.cdist(points, data).min(1).values > distance


@dataclass(frozen=True)
class RegionUncertainty:
    """Mean predictive entropy (bits) and std of P in three places."""

    entropy: dict[str, float]  # "training points", "held-out region", "far from the data"
    std: dict[str, float]


def region_uncertainty(
    model: MLP, hole: HoleData, grid: Tensor, passes: int, generator: torch.Generator
) -> tuple[MCMaps, RegionUncertainty]:
    """MC maps on the grid, and the uncertainty on the training points, in the hole (at the
    held-out test points) and on grid points far from the data, from the same passes."""
    x_train = hole.data.x_train
    points = torch.cat([grid, x_train, hole.x_hole])
    maps = mc_classify(model, points, passes, generator)
    n_grid, n_train = len(grid), len(x_train)
    where = {
        "training points": slice(n_grid, n_grid + n_train),
        "held-out region": slice(n_grid + n_train, None),
        "far from the data": far_from(grid, x_train).nonzero()[:, 0],
    }
    entropy, std = maps.entropy, maps.std

    def mean(values: Tensor, index) -> float:
        chosen = values[index]
        return float(chosen.mean()) if chosen.numel() else math.nan

    summary = RegionUncertainty(
        {name: mean(entropy, index) for name, index in where.items()},
        {name: mean(std, index) for name, index in where.items()},
    )
    return maps.select(slice(0, n_grid)), summary
