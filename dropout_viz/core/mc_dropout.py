"""Monte-Carlo dropout: keep dropout on at inference, predict T times, read the spread.

    data = sine_with_gap(MCConfig())
    model = train_regressor(data, MCConfig())
    prediction = mc_predict(model, grid, passes=100, generator=generator(1))
    prediction.mean, prediction.std            # (points,) each

The training points leave out a stretch of x (the gap), so the spread has
somewhere to grow: where the model saw no data, its random sub-networks
disagree more.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from . import limits
from .dropout import Dropout
from .models import MLP
from .rng import generator, seeded

ProgressCallback = Callable[[float], None]

X_RANGE = (-math.pi, math.pi)
GAP = (-1.0, 1.0)  # training points in here are left out


@dataclass(frozen=True)
class MCConfig:
    drop_rate: float = 0.2
    seed: int = 0
    n_points: int = 100  # drawn over X_RANGE before the gap is cut out
    noise: float = 0.1
    # Three ReLU layers: with fewer, the spread stays nearly flat across the gap.
    hidden: tuple[int, ...] = (64, 64, 64)
    steps: int = 600
    learning_rate: float = 0.005

    def validate(self) -> MCConfig:
        check_mc_run(self.drop_rate, self.seed, self.noise)
        if self.n_points < 4:
            raise ValueError(f"Use at least 4 points, got {self.n_points}.")
        return self


def check_mc_run(drop_rate: float, seed: int, noise: float) -> None:
    """What every Monte-Carlo experiment needs of its p, seed and noise."""
    limits.DROP_RATE.check(drop_rate)
    if drop_rate == 0:
        raise ValueError(
            "Monte-Carlo dropout needs p > 0: with nothing dropped every pass is the same."
        )
    limits.SEED.check(seed)
    limits.NOISE.check(noise)


class SubNetworkDropout(Dropout):
    """``Dropout`` that, given (passes, points, units), draws ONE mask per pass for all points.

    Each Monte-Carlo pass is then one random sub-network, a whole curve over x. With a
    mask per point the mean and spread at each x would be the same in distribution, but a
    single pass would be a jagged mix of sub-networks. Training inputs, (batch, units),
    get a mask per example as usual.
    """

    def _draw_noise(self, input: Tensor) -> Tensor:
        if input.dim() < 3:
            return super()._draw_noise(input)
        shape = (input.shape[0], *[1] * (input.dim() - 2), input.shape[-1])  # (passes, 1, units)
        noise = torch.empty(shape, dtype=input.dtype).bernoulli_(
            self._keep, generator=self.generator
        )
        if self.mode == "inverted":
            noise.div_(self._keep_divisor)
        return noise  # broadcasts over the points


def one_mask_per_pass(model: MLP) -> MLP:
    """Give the model's hidden dropout layers SubNetworkDropout (same p and mode), in place."""
    model.dropouts = nn.ModuleList(SubNetworkDropout(d.p, mode=d.mode) for d in model.dropouts)
    return model


def make_model(config: MCConfig) -> MLP:
    """The regression MLP, its dropout layers drawing one mask per Monte-Carlo pass."""
    with seeded(config.seed):  # nn.Linear's init draws from torch's global generator
        model = MLP(1, config.hidden, 1, drop_rates=config.drop_rate, activation="relu")
    one_mask_per_pass(model)
    model.set_generator(generator(config.seed + 1))  # this model's own masks
    return model


@dataclass(frozen=True)
class GapData:
    x_train: Tensor  # (n, 1), none inside GAP
    y_train: Tensor  # (n, 1)
    gap: tuple[float, float]
    x_range: tuple[float, float]


def sine_with_gap(config: MCConfig) -> GapData:
    """Noisy samples of sin(x) over X_RANGE, without the ones inside GAP."""
    g = generator(config.seed)
    low, high = X_RANGE
    x = low + (high - low) * torch.rand(config.n_points, 1, generator=g)
    y = torch.sin(x) + config.noise * torch.randn(config.n_points, 1, generator=g)
    outside = (x[:, 0] <= GAP[0]) | (x[:, 0] >= GAP[1])
    return GapData(x[outside], y[outside], GAP, X_RANGE)


def train_regressor(
    data: GapData, config: MCConfig, on_progress: ProgressCallback | None = None
) -> MLP:
    """Fit an MLP with dropout to the points (Adam, full batch, MSE)."""
    model = make_model(config.validate())
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
    model.train()
    report_every = max(1, config.steps // 20)
    for step in range(1, config.steps + 1):
        loss = F.mse_loss(model(data.x_train), data.y_train)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if on_progress and (step % report_every == 0 or step == config.steps):
            on_progress(step / config.steps)
    return model


class PassStats:
    """The mean and spread over the passes of a ``samples`` tensor (passes, points)."""

    samples: Tensor

    @property
    def mean(self) -> Tensor:
        return self.samples.mean(0)

    @property
    def std(self) -> Tensor:
        return self.samples.std(0)


@dataclass(frozen=True)
class MCPrediction(PassStats):
    x: Tensor  # (points,)
    samples: Tensor  # (passes, points): one prediction per random sub-network
    eval_prediction: Tensor  # (points,): ordinary inference, dropout off

    def band_width(self, where: Tensor) -> float:
        """Mean width of the ±2 std band over the points where ``where`` is True."""
        return float(4 * self.std[where].mean())


@torch.no_grad()
def mc_predict(model: MLP, x: Tensor, passes: int, generator: torch.Generator) -> MCPrediction:
    """T predictions with dropout kept on at inference (model.eval() + Monte-Carlo switch)."""
    if passes < 2:
        raise ValueError(f"Monte-Carlo dropout needs at least 2 passes, got {passes}.")
    model.eval()
    model.set_generator(generator)
    model.set_mc(True)
    # Batched forwards of at most MAX_BATCH_FLOATS activations, whatever T and the grid;
    # SubNetworkDropout gives each pass one mask for all points.
    chunk = max(1, limits.MAX_BATCH_FLOATS // (len(x) * max(model.sizes[1:-1])))
    try:
        samples = torch.cat(
            [
                model(x.expand(min(chunk, passes - start), *x.shape))[..., 0]
                for start in range(0, passes, chunk)
            ]
        )  # (passes, points)
    finally:
        model.set_mc(False)
    eval_prediction = model(x)[:, 0]
    return MCPrediction(x[:, 0], samples, eval_prediction)


@dataclass(frozen=True)
class PointConvergence:
    """The running mean of the T passes at one input, closing in on the eval-mode output."""

    x: float
    running_mean: Tensor  # (T,): mean of the first n passes, n = 1 … T
    eval_value: float  # the full network, dropout off
    sigma: float  # std of one pass there (over the T passes)

    @property
    def counts(self) -> Tensor:
        return torch.arange(1, len(self.running_mean) + 1, dtype=self.running_mean.dtype)

    def band(self, z: float = 2.0) -> Tensor:
        """Half-width z·σ/√n: how far from the eval value noise alone would put the mean."""
        return z * self.sigma / self.counts.sqrt()

    @property
    def distance(self) -> float:
        """|mean of all T passes − eval-mode output|."""
        return abs(float(self.running_mean[-1]) - self.eval_value)


def convergence_at(prediction: MCPrediction, index: int) -> PointConvergence:
    """How the MC mean at prediction.x[index] approaches the eval-mode output as T grows."""
    samples = prediction.samples[:, index].double()  # (T,)
    counts = torch.arange(1, len(samples) + 1, dtype=torch.float64)
    return PointConvergence(
        float(prediction.x[index]),
        samples.cumsum(0) / counts,
        float(prediction.eval_prediction[index]),
        float(samples.std()),
    )


def regions(x: Tensor, data: GapData) -> dict[str, Tensor]:
    """Masks over x: where training points lie, and inside the gap."""
    low, high = data.x_range
    in_gap = (x > data.gap[0]) & (x < data.gap[1])
    return {"data": (x >= low) & (x <= high) & ~in_gap, "gap": in_gap}
