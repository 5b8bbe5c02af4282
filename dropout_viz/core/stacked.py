"""K small MLPs of one architecture, trained as one computation.

A step of a 2-16-16-1 network is a few hundred tiny tensor operations, each
costing more in overhead than in arithmetic. Stacking K models' weights as
(K, in, out) tensors runs all of them through the same few operations
(``torch.baddbmm``), so the overhead is paid once for all K. Each model keeps
its own weights, drop rates and initial seed; the losses are summed, so each
slice of a stacked weight receives exactly its own model's gradient.

All weights live in ONE flat parameter, and each layer's (K, in, out) weight
and (K, 1, out) bias are views into it. The optimizer then updates one tensor
per step: on this machine ``torch.optim.Adam`` costs ~35 µs for one tensor and
~160 µs for six, which is most of a small network's step.

Model k can be exported as a plain ``MLP`` (``export``), which is how the tests
check this engine against K separate ``nn.Module``s.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn

from . import limits
from .dropout import Dropout
from .models import ACTIVATIONS, MLP
from .rng import generator

RateSpec = float | Sequence[float]  # one rate for every hidden layer, or one per layer


class StackedDropout(Dropout):
    """``Dropout`` with one rate per model, p of shape (K, 1, 1), and a cheaper draw.

    ``bernoulli_`` costs ~12 ns per unit here and dominated a stacked step. This
    draws 64 random bits per four units and keeps a unit when its 16 bits fall
    under the keep threshold (~2 ns per unit); rates are exact to 1/65536.
    """

    @Dropout.p.setter
    def p(self, p: Tensor) -> None:
        Dropout.p.fset(self, p)
        keep = self._keep  # (K, 1, 1)
        # A uniform int16 u is kept when u < threshold: threshold = -32768 + keep * 65536,
        # in int32 so that keep = 1 (always) and keep = 0 (never) are both exact.
        self._threshold = ((keep * 65536).round() - 32768).to(torch.int32)
        self._scale = torch.where(keep > 0, 1 / keep.clamp_min(1e-12), 0.0)

    def _draw_noise(self, input: Tensor) -> Tensor:
        n = input.numel()
        bits = torch.empty((n + 3) // 4, dtype=torch.int64)
        bits.random_(-(2**63), 2**63 - 1, generator=self.generator)  # all 64 bits uniform
        uniform16 = bits.view(torch.int16)[:n].view(input.shape)
        noise = (uniform16 < self._threshold).to(input.dtype)
        return noise.mul_(self._scale) if self.mode == "inverted" else noise


def _rates_per_model(drop_rates: Sequence[RateSpec], n_layers: int) -> Tensor:
    """(K, n_layers) tensor of drop rates from per-model floats or per-layer lists."""
    rows = []
    for spec in drop_rates:
        row = (
            [float(spec)] * n_layers if isinstance(spec, int | float) else [float(p) for p in spec]
        )
        if len(row) != n_layers:
            raise ValueError(
                f"Give one dropout rate per hidden layer ({n_layers}), got {len(row)}."
            )
        for p in row:
            limits.DROP_RATE.check(p)
        rows.append(row)
    return torch.tensor(rows, dtype=torch.float32).reshape(len(rows), n_layers)


class StackedMLP(nn.Module):
    """K copies of ``MLP``'s architecture, with per-model seeds and drop rates.

    ``forward`` takes (batch, in) shared by all models, or (K, batch, in), and
    returns (K, batch, out). Each dropout layer's ``p`` is a (K, 1, 1) tensor, so
    its ``last_keep_mask`` is (K, batch, width): every model's mask of that pass.
    """

    def __init__(
        self,
        seeds: Sequence[int],
        in_features: int,
        hidden: Sequence[int] = (16, 16),
        out_features: int = 1,
        drop_rates: Sequence[RateSpec] | None = None,
        input_drop_rates: Sequence[float] | None = None,
        activation: str = "relu",
        dropout_mode: str = "inverted",
    ) -> None:
        super().__init__()
        hidden = tuple(int(w) for w in hidden)
        limits.LAYERS.check(len(hidden))
        for width in hidden:
            limits.WIDTH.check(width)
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}"
            )
        self.seeds = [int(s) for s in seeds]
        self.k = k = len(self.seeds)
        if k == 0:
            raise ValueError("A stack needs at least one model.")
        n_params = sum((a + 1) * b for a, b in zip((in_features, *hidden), (*hidden, out_features)))
        if k * n_params > limits.MAX_SWEEP_PARAMETERS:
            raise ValueError(
                f"{k} models of {n_params:,} weights exceed the limit of "
                f"{limits.MAX_SWEEP_PARAMETERS:,} weights: use fewer or smaller models."
            )
        self.sizes = (in_features, *hidden, out_features)
        self.activation, self.dropout_mode = activation, dropout_mode
        self.flat = nn.Parameter(torch.empty(k * n_params))
        self._split_sizes = [
            size
            for fan_in, fan_out in zip(self.sizes, self.sizes[1:])
            for size in (k * fan_in * fan_out, k * fan_out)  # weight, then bias
        ]
        self.act = ACTIVATIONS[activation]()
        self.input_dropout = StackedDropout(torch.zeros(k, 1, 1), mode=dropout_mode)
        self.dropouts = nn.ModuleList(
            StackedDropout(torch.zeros(k, 1, 1), mode=dropout_mode) for _ in hidden
        )
        self.set_drop_rates(drop_rates if drop_rates is not None else [0.0] * k, input_drop_rates)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Initialise model k from seeds[k] alone, with nn.Linear's default distribution."""
        with torch.no_grad():
            layers = self.layers()
            for k, seed in enumerate(self.seeds):
                g = generator(seed)
                for weight, bias in layers:
                    bound = 1 / math.sqrt(weight.shape[1])
                    weight[k].uniform_(-bound, bound, generator=g)
                    bias[k].uniform_(-bound, bound, generator=g)

    def layers(self) -> list[tuple[Tensor, Tensor]]:
        """Per layer: weight (K, in, out) and bias (K, 1, out), views into ``flat``."""
        # One split (not one slice per tensor): its backward is a single concatenation.
        pieces = iter(self.flat.split(self._split_sizes))
        return [
            (next(pieces).view(self.k, fan_in, fan_out), next(pieces).view(self.k, 1, fan_out))
            for fan_in, fan_out in zip(self.sizes, self.sizes[1:])
        ]

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() == 2:
            x = x.expand(self.k, *x.shape)  # every model sees the same batch: no copy
        x = self.input_dropout(x)
        *hidden, (weight_out, bias_out) = self.layers()
        for (weight, bias), dropout in zip(hidden, self.dropouts):
            x = dropout(self.act(torch.baddbmm(bias, x, weight)))  # (K, batch, width)
        return torch.baddbmm(bias_out, x, weight_out)  # (K, batch, out)

    # --- drop rates -----------------------------------------------------------------
    @property
    def drop_rates(self) -> Tensor:
        """(K, hidden layers) drop rates."""
        return torch.cat([d.p.reshape(self.k, 1) for d in self.dropouts], dim=1)

    def set_drop_rates(
        self, drop_rates: Sequence[RateSpec], input_drop_rates: Sequence[float] | None = None
    ) -> None:
        """Change rates in place (weights untouched): per model, a float or one per layer."""
        if len(drop_rates) != self.k:
            raise ValueError(f"Give one dropout rate per model ({self.k}), got {len(drop_rates)}.")
        rates = _rates_per_model(drop_rates, len(self.dropouts))
        for layer, dropout in enumerate(self.dropouts):
            dropout.p = rates[:, layer].reshape(self.k, 1, 1).clone()
        if input_drop_rates is not None:
            self.input_dropout.p = _rates_per_model(input_drop_rates, 1).reshape(self.k, 1, 1)

    def dropout_layers(self) -> list[Dropout]:
        return [self.input_dropout, *self.dropouts]

    def set_generator(self, generator: torch.Generator | None) -> None:
        for dropout in self.dropout_layers():
            dropout.generator = generator

    # --- one model out of the stack -------------------------------------------------
    def export(self, k: int) -> MLP:
        """Model k as a plain ``MLP`` with the same weights and drop rates."""
        rates = self.drop_rates[k].tolist()
        mlp = MLP(
            self.sizes[0],
            self.sizes[1:-1],
            self.sizes[-1],
            drop_rates=rates,
            input_drop_rate=float(self.input_dropout.p[k]),
            activation=self.activation,
            dropout_mode=self.dropout_mode,
        )
        with torch.no_grad():
            for plain, (weight, bias) in zip(mlp.linears, self.layers()):
                plain.weight.copy_(weight[k].T)  # nn.Linear keeps (out, in)
                plain.bias.copy_(bias[k, 0])
        return mlp
