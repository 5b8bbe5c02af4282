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
        limits.DROP_RATE.check(self.drop_rate)
        if self.drop_rate == 0:
            raise ValueError(
                "Monte-Carlo dropout needs p > 0: with nothing dropped every pass is the same."
            )
        limits.SEED.check(self.seed)
        limits.NOISE.check(self.noise)
        if self.n_points < 4:
            raise ValueError(f"Use at least 4 points, got {self.n_points}.")
        return self


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


def make_model(config: MCConfig) -> MLP:
    """The regression MLP, its dropout layers drawing one mask per Monte-Carlo pass."""
    with seeded(config.seed):  # nn.Linear's init draws from torch's global generator
        model = MLP(1, config.hidden, 1, drop_rates=config.drop_rate, activation="relu")
    model.dropouts = nn.ModuleList(SubNetworkDropout(d.p) for d in model.dropouts)
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


@dataclass(frozen=True)
class MCPrediction:
    x: Tensor  # (points,)
    samples: Tensor  # (passes, points): one prediction per random sub-network
    eval_prediction: Tensor  # (points,): ordinary inference, dropout off

    @property
    def mean(self) -> Tensor:
        return self.samples.mean(0)

    @property
    def std(self) -> Tensor:
        return self.samples.std(0)

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
    try:
        # One batched forward; SubNetworkDropout gives each pass one mask for all points.
        samples = model(x.expand(passes, *x.shape))[..., 0]  # (passes, points)
    finally:
        model.set_mc(False)
    eval_prediction = model(x)[:, 0]
    return MCPrediction(x[:, 0], samples, eval_prediction)


def regions(x: Tensor, data: GapData) -> dict[str, Tensor]:
    """Masks over x: where training points lie, and inside the gap."""
    low, high = data.x_range
    in_gap = (x > data.gap[0]) & (x < data.gap[1])
    return {"data": (x >= low) & (x <= high) & ~in_gap, "gap": in_gap}
