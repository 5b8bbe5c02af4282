"""The lesson's example network and a small MLP whose dropout layers can be read back."""

from __future__ import annotations

from collections.abc import Sequence

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


def _per_layer(drop_rates: float | Sequence[float], n_layers: int) -> list[float]:
    if isinstance(drop_rates, (int, float)):
        return [float(drop_rates)] * n_layers
    rates = [float(p) for p in drop_rates]
    if len(rates) != n_layers:
        raise ValueError(f"Give one dropout rate per hidden layer ({n_layers}), got {len(rates)}.")
    return rates


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
        drop_rates: float | Sequence[float] = 0.0,
        input_drop_rate: float = 0.0,
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
        self.sizes = (in_features, *hidden, out_features)
        self.activation = activation
        self.input_dropout = Dropout(input_drop_rate, mode=dropout_mode)
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(self.sizes, self.sizes[1:]))
        self.act = ACTIVATIONS[activation]()
        self.dropouts = nn.ModuleList(
            Dropout(p, mode=dropout_mode) for p in _per_layer(drop_rates, len(hidden))
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

    def set_drop_rates(self, drop_rates: float | Sequence[float]) -> None:
        """Change p in place (takes effect at the next forward; weights are untouched)."""
        for dropout, p in zip(self.dropouts, _per_layer(drop_rates, len(self.dropouts))):
            limits.DROP_RATE.check(p)
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
