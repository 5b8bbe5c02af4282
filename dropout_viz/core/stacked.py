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
from .rng import generator, mask_generator

RateSpec = float | Sequence[float]  # one rate for every hidden layer, or one per layer

# Whole SIMD blocks, in elements. ATen's CPU kernels run a SIMD loop over a tensor and
# finish the last (numel mod vector width) elements in a scalar loop, which rounds
# differently for some ops (no fused multiply-add; another exp). Over a stack that tail
# is the last model's alone, so two identical models drifted apart by float32 rounding
# within a few steps. ``flat`` is therefore padded to whole blocks (the fused optimizer
# kernels' tail is then padding), and so are the per-model rows of ``per_model_empty``.
# 32 elements (128 bytes of float32) are whole vectors, and whole per-thread work units
# of the fused optimizers, for AVX2 and AVX-512, in float32 and float64.
SIMD_BLOCK = 32


class StackedDropout(Dropout):
    """``Dropout`` for K stacked models: p of shape (K, 1, 1), one random stream per model.

    ``bernoulli_`` costs ~12 ns per unit here and dominated a stacked step. This
    draws 64 random bits per four units and keeps a unit when its 16 bits fall
    under its model's keep threshold; rates are exact to 1/65536.

    With ``generators`` (one per model) model k's masks come from generators[k]
    alone, and only models that drop units draw, so a model's masks do not depend
    on which other models share the stack. Without, one ``generator`` serves all.
    """

    def __init__(
        self,
        p: Tensor,
        inplace: bool = False,
        mode: str = "inverted",
        mc: bool = False,
        generator: torch.Generator | None = None,
        generators: Sequence[torch.Generator] | None = None,
    ) -> None:
        super().__init__(p, inplace=inplace, mode=mode, mc=mc, generator=generator)
        self.generators = generators
        # Per model, how many leading rows of the batch are its own training examples
        # (a dataset-size sweep pads smaller sets); masks are drawn for those rows only.
        self.example_rows: Sequence[int] | None = None
        self._bits = torch.zeros(0, 0, dtype=torch.int64)  # reused: no allocation per step
        self._own_bits: tuple[Tensor, ...] = ()
        self._units: Tensor | None = None

    @Dropout.p.setter
    def p(self, p: Tensor) -> None:
        Dropout.p.fset(self, p)
        keep = self._keep  # (K, 1, 1)
        # A uniform int16 u is kept when u < threshold = -32768 + keep * 65536. These are
        # integers held exactly in p's float type, so keep = 1 and keep = 0 are exact too.
        self._threshold = (keep * 65536).round() - 32768
        self._scale = torch.where(keep > 0, 1 / keep.clamp_min(1e-12), 0.0)
        self._dropping = p.flatten().nonzero().flatten().tolist()  # the models that draw

    def _draw_noise(self, input: Tensor) -> Tensor:
        # 1 where u < threshold, else 0, from a difference of integers: comparisons give
        # bool tensors, whose kernels (and casts back to float) are ~5x slower here.
        keep = (self._threshold - self._uniform16(input)).clamp_(0, 1)
        return keep.mul_(self._scale) if self.mode == "inverted" else keep

    def _make_buffers(self, shape: torch.Size) -> None:
        """The random bits for inputs of this shape (K, batch, ...), and their int16 view.

        Kept across passes, so made as normal tensors even in a training step's
        inference mode: they must stay writable in any mode."""
        k = shape[0]
        n = shape.numel() // k  # units per model
        words = (n + 3) // 4  # int64 words per model, four units each
        with torch.inference_mode(False):
            if self._bits.shape != (k, words):
                self._bits = torch.zeros(k, words, dtype=torch.int64)
                self._own_bits = self._bits.unbind(0)  # one view per model, made once
            # The bits as one int16 per unit: a view, so each draw refills it.
            self._units = self._bits.view(torch.int16)[:, :n].view(shape)

    def _uniform16(self, input: Tensor) -> Tensor:
        """A uniform int16 per unit, shaped like input (K, batch, ...)."""
        if self._units is None or self._units.shape != input.shape:
            self._make_buffers(input.shape)
        if self.generators is None:
            self._bits.random_(-(2**63), None, generator=self.generator)  # all 64 bits uniform
        else:
            rows, own_bits = self.example_rows, self._own_bits
            per_row = input.numel() // input.shape[0] // max(input.shape[1], 1)  # per example
            for m in self._dropping:
                own = own_bits[m] if rows is None else own_bits[m][: (rows[m] * per_row + 3) // 4]
                own.random_(-(2**63), None, generator=self.generators[m])
        return self._units


def _narrow_output(x: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
    """``baddbmm(bias, x, weight)``, taken transposed so that MKL's result is wide."""
    return torch.baddbmm(bias.mT, weight.mT, x.mT).mT  # (K, batch, out)


class _NarrowOutput(torch.autograd.Function):
    """``baddbmm(bias, x, weight)`` for an output layer narrower than its input.

    MKL's batched product is slow when its result has few columns (one logit: ~4x
    here), and autograd's backward for it hands the hidden layer a transposed
    gradient that makes every elementwise op after it ~3x slower. So each product
    is taken in the orientation whose result is wide, and grad_x comes back
    contiguous.
    """

    @staticmethod
    def forward(ctx, x: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
        ctx.save_for_backward(x, weight)
        return _narrow_output(x, weight, bias)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, Tensor, Tensor]:
        x, weight = ctx.saved_tensors  # (K, batch, in), (K, in, out)
        grad_x = None
        if ctx.needs_input_grad[0]:
            # One output: an outer product, cheaper as a broadcast than as a bmm.
            grad_x = grad * weight.mT if grad.shape[2] == 1 else torch.bmm(grad, weight.mT)
        grad_weight = torch.bmm(grad.mT, x).mT  # (K, in, out)
        return grad_x, grad_weight, grad.sum(1, keepdim=True)


def per_model_empty(like: Tensor) -> Tensor:
    """An uninitialised tensor shaped like ``like`` (K, ...), for an elementwise result.

    An elementwise op over a contiguous stack is one loop, whose scalar tail (see
    ``SIMD_BLOCK``) is the last model's; for ``sigmoid`` it rounds unlike the SIMD
    loop in ~3 % of values here. In this tensor each model's block starts a row of
    whole SIMD blocks, so an op writing it runs one loop per model, each ending in
    the same tail; a block already whole stays contiguous, and its one loop has no
    tail. Exact ops (ReLU, products, sums) round alike either way: they need none.
    """
    strides, n = [], 1
    for size in reversed(like.shape[1:]):
        strides.insert(0, n)
        n *= size
    row = -(-n // SIMD_BLOCK) * SIMD_BLOCK
    return torch.empty_strided(like.shape, (row, *strides), dtype=like.dtype)


def _sigmoid_per_model(pre: Tensor) -> Tensor:
    if torch.is_grad_enabled():  # out= has no autograd; only tests train with autograd
        return pre.sigmoid_()
    return torch.sigmoid(pre, out=per_model_empty(pre))


# tanh's SIMD and scalar paths agree on this build (0 of 200,000 values differ);
# sigmoid's do not, see per_model_empty.
_ACTIVATE = {"relu": Tensor.relu_, "tanh": Tensor.tanh_, "sigmoid": _sigmoid_per_model}

# d(activation)/d(pre-activation) times the incoming gradient, from the activation's
# output: the same kernels autograd uses for these functions, so the results match.
_ACTIVATION_GRADS = {
    "relu": lambda grad, out: torch.ops.aten.threshold_backward(grad, out, 0),
    "tanh": torch.ops.aten.tanh_backward,
    "sigmoid": torch.ops.aten.sigmoid_backward,
}


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
        drop_rates: Sequence[RateSpec] | None = None,
        input_drop_rates: Sequence[float] | None = None,
        activation: str = "relu",
        dropout_mode: str = "inverted",
        dtype: torch.dtype = torch.float32,
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
        self.activation, self.dropout_mode, self.dtype = activation, dropout_mode, dtype
        # Padded to whole SIMD blocks (see SIMD_BLOCK); the padding stays 0 and unused.
        self._n_weights = k * n_params
        padding = -self._n_weights % SIMD_BLOCK
        self.flat = nn.Parameter(torch.zeros(self._n_weights + padding, dtype=dtype))
        self._plain_views_of: int | None = None  # see layers()
        self._grad_view_of: int | None = None  # see backward()
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
        if not torch.is_grad_enabled():
            # Training steps and evaluation run without autograd: views made once stay
            # valid, since the optimizer changes ``flat`` in place (7 ops less per pass).
            # Only if flat's memory is replaced (``module.to``) are they made again.
            if self._plain_views_of != self.flat.data_ptr():
                with torch.inference_mode(False):  # usable in any mode, even if made in one
                    self._plain_views = self._layer_views()
                self._plain_views_of = self.flat.data_ptr()
            return self._plain_views
        return self._layer_views()

    def _layer_views(self) -> list[tuple[Tensor, Tensor]]:
        # One split (not one slice per tensor): its backward is a single concatenation.
        pieces = iter(self.flat.split(self._split_sizes))
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
        if weight_out.shape[2] < weight_out.shape[1]:
            if not torch.is_grad_enabled():  # autograd.Function.apply alone costs ~50 µs
                return _narrow_output(x, weight_out, bias_out)
            return _NarrowOutput.apply(x, weight_out, bias_out)
        return torch.baddbmm(bias_out, x, weight_out)  # (K, batch, out)

    # --- backpropagation, written out ---------------------------------------------------
    @torch.no_grad()
    def backward(self, grad_output: Tensor) -> None:
        """Set ``flat.grad`` from d(loss)/d(output) of the last forward pass, by hand.

        What autograd would compute, from what the dropout layers recorded: each
        layer's input (a dropout output) and each activation (a dropout input). It is
        the lesson in code: the gradient reaches a hidden unit only if the unit was
        kept, multiplied by the same 1/(1-p) as its activation. Written out, a training
        step skips building autograd's graph: a twin's step took ~15 % less time on this
        machine, a 24-model sweep's ~20 % less. Tests check it against autograd.
        """
        layers = self.layers()
        inputs = [d.record.output for d in self.dropout_layers()]  # each linear layer's input
        (weight, _), x = layers[-1], inputs[-1]
        grad = grad_output
        if weight.shape[2] < weight.shape[1]:  # as _NarrowOutput orients its products
            pieces = [torch.bmm(grad.mT, x).mT, grad.sum(1, keepdim=True)]
            back = grad * weight.mT if grad.shape[2] == 1 else torch.bmm(grad, weight.mT)
        else:
            pieces = [torch.bmm(x.mT, grad), grad.sum(1, keepdim=True)]
            back = torch.bmm(grad, weight.mT)
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
        if self._grad_view_of != grad.data_ptr():  # the weights' part, a view made once
            with torch.inference_mode(False):
                self._grad_view = grad[: self._n_weights]
            self._grad_view_of = grad.data_ptr()
        torch.cat([piece.reshape(-1) for piece in pieces], out=self._grad_view)

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
