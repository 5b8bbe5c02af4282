"""One dropout layer up close: its activations, this pass's keep mask, and the expectation.

    h = example_activations(seed=0, n_examples=8)   # (examples, units)
    one = drop(h, 0.5, draw_generator(0, draw=0))   # h, m and h·m/(1−p)
    conv = running_mean(h[0], 0.5, 1000, draw_generator(0, 0, stream=1))
    conv.inside_band()                              # per unit: |mean − h| ≤ 2σ/√N

Every mask comes from the core ``Dropout`` with a private generator, so a page's
draws never depend on what other users of the server are doing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from .dropout import Dropout
from .models import SimpleNN
from .rng import seeded


def example_activations(seed: int, n_examples: int) -> Tensor:
    """h = relu(fc1(x)) of the lesson's SimpleNN for x = torch.randn(n_examples, 10).

    The layer dropout acts on in the example network; untrained weights, as in the lesson.
    """
    if n_examples < 1:
        raise ValueError(f"Use at least one example, got {n_examples}.")
    with seeded(seed):  # layer init draws from torch's global generator
        model = SimpleNN()
        x = torch.randn(n_examples, 10)
    with torch.no_grad():
        return torch.relu(model.fc1(x))  # (examples, 50)


def draw_generator(seed: int, draw: int, stream: int = 0) -> torch.Generator:
    """A private generator for mask number ``draw`` of a seed; streams keep uses apart."""
    # SeedSequence mixes the three numbers, so (seed, draw) pairs never share a stream.
    mixed = np.random.SeedSequence([seed, draw, stream]).generate_state(2, dtype=np.uint32)
    return torch.Generator().manual_seed(int(mixed[0]) << 32 | int(mixed[1]))


@dataclass(frozen=True)
class LayerPass:
    """One training-mode forward pass through a dropout layer."""

    activations: Tensor  # h, (examples, units): what eval mode passes on unchanged
    keep_mask: Tensor  # m, bool, same shape: one 0/1 per unit PER EXAMPLE
    output: Tensor  # what the next layer sees in training
    drop_rate: float
    mode: str = "inverted"

    @property
    def kept_per_example(self) -> list[int]:
        return self.keep_mask.sum(1).tolist()


def drop(
    h: Tensor, drop_rate: float, generator: torch.Generator, mode: str = "inverted"
) -> LayerPass:
    """Pass h through a training-mode ``Dropout`` once and read back its mask and output."""
    layer = Dropout(drop_rate, mode=mode, generator=generator)
    layer.train()
    with torch.no_grad():
        output = layer(h)
    return LayerPass(h, layer.last_keep_mask, output, float(drop_rate), mode)


def sample_std(h: Tensor, drop_rate: float) -> Tensor:
    """Standard deviation of one dropped-and-scaled activation h·m/(1−p), m ~ Bernoulli(1−p).

    Var = h²·(1−p)/(1−p)² − h² = h²·p/(1−p).
    """
    if drop_rate >= 1:
        return torch.full_like(h, math.inf)
    return h.abs() * math.sqrt(drop_rate / (1 - drop_rate))


@dataclass(frozen=True)
class Convergence:
    """Running means of one example's h·m/(1−p) over 1…N fresh masks, for every unit."""

    target: Tensor  # h of the example, (units,): the eval-mode activation
    running_mean: Tensor  # (N, units): mean over the first n masks, n = 1…N
    sigma: Tensor  # (units,): std of ONE sample, see sample_std
    drop_rate: float

    @property
    def n_masks(self) -> int:
        return self.running_mean.shape[0]

    @property
    def counts(self) -> Tensor:
        return torch.arange(1, self.n_masks + 1, dtype=self.running_mean.dtype)

    def band(self, z: float = 2.0) -> Tensor:
        """Half-width z·σ/√n of the band around h, (N, units)."""
        return z * self.sigma[None, :] / self.counts.sqrt()[:, None]

    def inside_band(self, z: float = 2.0) -> Tensor:
        """Bool per unit: after all N masks, is the mean within z·σ/√N of h?"""
        error = (self.running_mean[-1] - self.target).abs()
        return error <= self.band(z)[-1] + 1e-9  # + a float32 rounding margin for σ = 0


def running_mean(
    h_example: Tensor, drop_rate: float, n_masks: int, generator: torch.Generator
) -> Convergence:
    """Resample the mask n_masks times for one example and average as the masks come in."""
    if n_masks < 1:
        raise ValueError(f"Use at least one mask, got {n_masks}.")
    layer = Dropout(drop_rate, generator=generator)
    layer.train()
    with torch.no_grad():
        samples = layer(h_example.expand(n_masks, -1)).double()  # (N, units), one mask per row
    counts = torch.arange(1, n_masks + 1, dtype=torch.float64)[:, None]
    return Convergence(
        target=h_example.double(),
        running_mean=samples.cumsum(0) / counts,
        sigma=sample_std(h_example.double(), drop_rate),
        drop_rate=float(drop_rate),
    )
