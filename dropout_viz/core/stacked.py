"""K small MLPs of one architecture, trained as one computation.

A step of a 2-16-16-1 network is a few hundred tiny tensor operations, each
costing more in overhead than in arithmetic. Stacking K models' weights as
(K, in, out) tensors runs all of them through the same few operations
(``torch.baddbmm``), so the overhead is paid once for all K. Each model keeps
its own weights, drop rates, and a seed for its initial weights and its own
stream of dropout masks, so model k trains exactly as it would alone; the losses
are summed, so each slice of a stacked weight receives exactly its own model's
gradient.

All weights live in ONE flat parameter, and each layer's (K, in, out) weight
and (K, 1, out) bias are views into it, so the optimizer updates one tensor per
step instead of two per layer. The tricks that make a step fast (random bits,
rounding alike, product orientation, views made once) are in ``speedups.py``.

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
from .models import MLP, DropRates, check_architecture, drop_rates_per_layer, n_weights
from .rng import generator, mask_generator
from .speedups import (
    SIMD_BLOCK,
    StackedDropout,
    ViewsOf,
    is_narrow,
    narrow_output,
    narrow_output_backward,
    sigmoid_per_model,
)

# tanh's SIMD and scalar paths agree on this build (0 of 200,000 values differ);
# sigmoid's do not, see speedups.per_model_empty.
_ACTIVATE = {"relu": Tensor.relu_, "tanh": Tensor.tanh_, "sigmoid": sigmoid_per_model}

# d(activation)/d(pre-activation) times the incoming gradient, from the activation's
# output: the same kernels autograd uses for these functions, so the results match.
_ACTIVATION_GRADS = {
    "relu": lambda grad, out: torch.ops.aten.threshold_backward(grad, out, 0),
    "tanh": torch.ops.aten.tanh_backward,
    "sigmoid": torch.ops.aten.sigmoid_backward,
}


def _rates_per_model(drop_rates: Sequence[DropRates], n_layers: int) -> Tensor:
    """(K, n_layers) tensor of drop rates from per-model floats or per-layer lists."""
    rows = [drop_rates_per_layer(rates, n_layers) for rates in drop_rates]
    # float64, so a float64 stack gets exactly 0.3, not float32's 0.30000001.
    return torch.tensor(rows, dtype=torch.float64).reshape(len(rows), n_layers)


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
        drop_rates: Sequence[DropRates] | None = None,
        input_drop_rates: Sequence[float] | None = None,
        activation: str = "relu",
        dropout_mode: str = "inverted",
        dtype: torch.dtype = torch.float32,
    ) -> None:
        super().__init__()
        hidden = check_architecture(hidden, activation)
        self.seeds = [int(s) for s in seeds]
        self.k = k = len(self.seeds)
        if k == 0:
            raise ValueError("A stack needs at least one model.")
        n_params = n_weights((in_features, *hidden, out_features))
        if k * n_params > limits.MAX_SWEEP_PARAMETERS:
            raise ValueError(
                f"{k} models of {n_params:,} weights exceed the limit of "
                f"{limits.MAX_SWEEP_PARAMETERS:,} weights: use fewer or smaller models."
            )
        self.sizes = (in_features, *hidden, out_features)
        self.activation, self.dropout_mode, self.dtype = activation, dropout_mode, dtype
        # Padded to whole SIMD blocks (see SIMD_BLOCK); the padding stays 0 and unused.
        self._n_weights = k * n_params
        padding = -self._n_weights % SIMD_BLOCK
        self.flat = nn.Parameter(torch.zeros(self._n_weights + padding, dtype=dtype))
        # Without autograd (training steps, evaluation) views of flat and of its gradient
        # are made once: the optimizer changes flat in place.
        self._plain_views, self._grad_view = ViewsOf(), ViewsOf()
        self._split_sizes = [
            *(
                size
                for fan_in, fan_out in zip(self.sizes, self.sizes[1:])
                for size in (k * fan_in * fan_out, k * fan_out)  # weight, then bias
            ),
            padding,
        ]
        # One stream per model, shared by its layers in forward order.
        self.mask_generators = [mask_generator(seed) for seed in self.seeds]
        self.input_dropout, *dropouts = (
            StackedDropout(
                torch.zeros(k, 1, 1, dtype=dtype),
                mode=dropout_mode,
                generators=self.mask_generators,
            )
            for _ in range(len(hidden) + 1)
        )
        self.dropouts = nn.ModuleList(dropouts)
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
        if torch.is_grad_enabled():
            return self._layer_views(self.flat)  # fresh views, which carry gradients to flat
        return self._plain_views.get(self.flat, self._layer_views)

    def _layer_views(self, flat: Tensor) -> list[tuple[Tensor, Tensor]]:
        # One split (not one slice per tensor): its backward is a single concatenation.
        pieces = iter(flat.split(self._split_sizes))
        return [
            (next(pieces).view(self.k, fan_in, fan_out), next(pieces).view(self.k, 1, fan_out))
            for fan_in, fan_out in zip(self.sizes, self.sizes[1:])
        ]

    def forward(self, x: Tensor, example_rows: Sequence[int] | None = None) -> Tensor:
        """(batch, in) or (K, batch, in) -> (K, batch, out).

        example_rows: per model, how many leading rows of the batch are its own
        examples (the rest only pad a smaller training set); None means all.
        """
        if x.dim() == 2:
            x = x.expand(self.k, *x.shape)  # every model sees the same batch: no copy
        if example_rows is not self.input_dropout.example_rows:
            # nn.Module's __setattr__ is slow enough to show in a step: set only on change.
            for dropout in self.dropout_layers():
                dropout.example_rows = example_rows
        x = self.input_dropout(x)
        *hidden, (weight_out, bias_out) = self.layers()
        for (weight, bias), dropout in zip(hidden, self.dropouts):
            # In place on the fresh product (but sigmoid): one (K, batch, width) tensor less.
            x = dropout(_ACTIVATE[self.activation](torch.baddbmm(bias, x, weight)))
        if is_narrow(weight_out):
            return narrow_output(x, weight_out, bias_out)  # = baddbmm(bias_out, x, weight_out)
        return torch.baddbmm(bias_out, x, weight_out)  # (K, batch, out)

    # --- backpropagation, written out ---------------------------------------------------
    @torch.no_grad()
    def backward(self, grad_output: Tensor) -> None:
        """Set ``flat.grad`` from d(loss)/d(output) of the last forward pass, by hand.

        What autograd would compute, from what the dropout layers recorded: each
        layer's input (a dropout output) and each activation (a dropout input). It is
        the lesson in code: the gradient reaches a hidden unit only if the unit was
        kept, multiplied by the same 1/(1-p) as its activation. Written out, a training
        step skips building autograd's graph. Tests check it against autograd.
        """
        layers = self.layers()
        inputs = [d.record.output for d in self.dropout_layers()]  # each linear layer's input
        (weight, _), x = layers[-1], inputs[-1]
        grad = grad_output
        if is_narrow(weight):
            grad_weight, back = narrow_output_backward(grad, x, weight)
        else:
            grad_weight, back = torch.bmm(x.mT, grad), torch.bmm(grad, weight.mT)
        pieces = [grad_weight, grad.sum(1, keepdim=True)]  # d weight, d bias
        for i in range(len(self.dropouts) - 1, -1, -1):
            dropout = self.dropouts[i]
            grad = _ACTIVATION_GRADS[self.activation](dropout.input_grad(back), dropout.last_input)
            pieces[:0] = [torch.bmm(inputs[i].mT, grad), grad.sum(1, keepdim=True)]
            if i > 0:  # the input layer's own input needs no gradient
                back = torch.bmm(grad, layers[i][0].mT)
        grad = self.flat.grad
        if grad is None:
            with torch.inference_mode(False):  # a normal tensor, writable in any mode
                grad = self.flat.grad = torch.zeros_like(self.flat)  # the padding's stays 0
        weights_grad = self._grad_view.get(grad, self._weights_part)  # a view made once
        torch.cat([piece.reshape(-1) for piece in pieces], out=weights_grad)

    def _weights_part(self, grad: Tensor) -> Tensor:
        return grad[: self._n_weights]  # without the padding

    # --- drop rates -----------------------------------------------------------------
    @property
    def drop_rates(self) -> Tensor:
        """(K, hidden layers) drop rates."""
        return torch.cat([d.p.reshape(self.k, 1) for d in self.dropouts], dim=1)

    def set_drop_rates(
        self, drop_rates: Sequence[DropRates], input_drop_rates: Sequence[float] | None = None
    ) -> None:
        """Change rates in place (weights untouched): per model, a float or one per layer."""
        if len(drop_rates) != self.k:
            raise ValueError(f"Give one dropout rate per model ({self.k}), got {len(drop_rates)}.")
        rates = _rates_per_model(drop_rates, len(self.dropouts)).to(self.dtype)
        for layer, dropout in enumerate(self.dropouts):
            dropout.p = rates[:, layer].reshape(self.k, 1, 1).clone()
        if input_drop_rates is not None:
            input_rates = _rates_per_model(input_drop_rates, 1).to(self.dtype)
            self.input_dropout.p = input_rates.reshape(self.k, 1, 1)

    def dropout_layers(self) -> list[Dropout]:
        return [self.input_dropout, *self.dropouts]

    def set_generator(self, generator: torch.Generator | None) -> None:
        """Draw every model's masks from one generator (None: torch's global one).

        The models' masks then depend on each other; per-model streams are the default.
        """
        for dropout in self.dropout_layers():
            dropout.generator, dropout.generators = generator, None

    # --- copies ------------------------------------------------------------------------
    def copy(self) -> StackedMLP:
        """An independent stack in exactly this state: weights, rates and mask streams."""
        model = StackedMLP(
            self.seeds,
            self.sizes[0],
            self.sizes[1:-1],
            self.sizes[-1],
            drop_rates=self.drop_rates.tolist(),
            input_drop_rates=self.input_dropout.p.flatten().tolist(),
            activation=self.activation,
            dropout_mode=self.dropout_mode,
            dtype=self.dtype,
        )
        with torch.no_grad():
            model.flat.copy_(self.flat)
        for new, old in zip(model.mask_generators, self.mask_generators):
            new.set_state(old.get_state())
        return model

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
        ).to(self.dtype)
        with torch.no_grad():
            for plain, (weight, bias) in zip(mlp.linears, self.layers()):
                plain.weight.copy_(weight[k].T)  # nn.Linear keeps (out, in)
                plain.bias.copy_(bias[k, 0])
        return mlp
