"""The lesson's example network and a small MLP whose dropout layers can be read back."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import torch
from torch import Tensor, nn

from . import limits
from .dropout import Dropout

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


class SimpleNN(nn.Module):
    """The seed lesson's network: Linear(10, 50) -> ReLU -> Dropout(p=0.3) -> Linear(50, 1).

    Same attribute names and construction order as the plain-PyTorch version, so
    state dicts load both ways and a shared seed gives the same outputs.
    """

    def __init__(self, p: float = 0.3, mode: str = "inverted") -> None:
        super().__init__()
        self.fc1 = nn.Linear(10, 50)
        self.dropout = Dropout(p=p, mode=mode)
        self.fc2 = nn.Linear(50, 1)

    def forward(self, x: Tensor) -> Tensor:
        x = torch.relu(self.fc1(x))
        x = self.dropout(x)  # randomly zero some activations during training
        return self.fc2(x)


DropRates = float | Sequence[float]  # one drop rate for every hidden layer, or one per layer


def drop_rates_per_layer(drop_rates: DropRates, n_layers: int) -> tuple[float, ...]:
    """One drop rate per hidden layer, each checked against ``limits.DROP_RATE``."""
    if isinstance(drop_rates, int | float):
        rates = (float(drop_rates),) * n_layers
    else:
        rates = tuple(float(p) for p in drop_rates)
    if len(rates) != n_layers:
        raise ValueError(f"Give one dropout rate per hidden layer ({n_layers}), got {len(rates)}.")
    for p in rates:
        limits.DROP_RATE.check(p)
    return rates


def check_architecture(hidden: Sequence[int], activation: str) -> tuple[int, ...]:
    """The hidden widths as ints, if the layer count, widths and activation are allowed."""
    hidden = tuple(int(w) for w in hidden)
    limits.LAYERS.check(len(hidden))
    for width in hidden:
        limits.WIDTH.check(width)
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
    return hidden


def n_weights(sizes: Sequence[int]) -> int:
    """Weights and biases of an MLP with these layer sizes (input, hidden..., output)."""
    return sum((fan_in + 1) * fan_out for fan_in, fan_out in pairwise(sizes))


class MLP(nn.Module):
    """input -> [Dropout] -> (Linear -> activation -> Dropout) x len(hidden) -> Linear.

    After a forward pass, ``hidden_activations[i]`` is layer i's activation before
    dropout, shaped (batch, hidden[i]), and ``keep_masks[i]`` the mask that pass used.
    """

    def __init__(
        self,
        in_features: int,
        hidden: Sequence[int] = (16, 16),
        out_features: int = 1,
        drop_rates: DropRates = 0.0,
        input_drop_rate: float = 0.0,
        activation: str = "relu",
        dropout_mode: str = "inverted",
    ) -> None:
        super().__init__()
        hidden = check_architecture(hidden, activation)
        self.sizes = (in_features, *hidden, out_features)
        self.activation = activation
        self.input_dropout = Dropout(input_drop_rate, mode=dropout_mode)
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(self.sizes, self.sizes[1:]))
        self.act = ACTIVATIONS[activation]()
        self.dropouts = nn.ModuleList(
            Dropout(p, mode=dropout_mode) for p in drop_rates_per_layer(drop_rates, len(hidden))
        )

    def forward(self, x: Tensor) -> Tensor:
        x = self.input_dropout(x)
        for linear, dropout in zip(self.linears, self.dropouts):
            x = dropout(self.act(linear(x)))  # (batch, width)
        return self.linears[-1](x)

    # --- what the pages read ---------------------------------------------------------
    @property
    def drop_rates(self) -> list[float]:
        return [d.p for d in self.dropouts]

    def set_drop_rates(self, drop_rates: DropRates) -> None:
        """Change p in place (takes effect at the next forward; weights are untouched)."""
        for dropout, p in zip(self.dropouts, drop_rates_per_layer(drop_rates, len(self.dropouts))):
            dropout.p = p

    def dropout_layers(self) -> list[Dropout]:
        return [self.input_dropout, *self.dropouts]

    def set_generator(self, generator: torch.Generator | None) -> None:
        """Draw every mask of this model from ``generator`` (None: torch's global one)."""
        for dropout in self.dropout_layers():
            dropout.generator = generator

    def set_mc(self, mc: bool) -> None:
        """Keep dropout on in eval mode (Monte-Carlo dropout) or switch it back off."""
        for dropout in self.dropout_layers():
            dropout.mc = mc

    @property
    def hidden_activations(self) -> list[Tensor | None]:
        return [d.last_input for d in self.dropouts]

    @property
    def keep_masks(self) -> list[Tensor | None]:
        return [d.last_keep_mask for d in self.dropouts]
