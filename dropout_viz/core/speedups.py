"""The stack's speed tricks, out of the readable model's way (``stacked.py`` calls them).

Each one computes what the plain expression in its docstring computes; the tests hold
them to it (``tests/core/test_stacked.py``); ``benchmarks/bench_sweep.py`` and
``bench_live.py`` time the engine they speed up.

* ``StackedDropout``: K models' masks from 16 random bits per unit, one stream per model.
* ``per_model_empty`` and ``SIMD_BLOCK``: identical models in one stack round alike.
* ``narrow_output``: the output layer's products in the orientation MKL is fast at.
* ``ViewsOf``: views into the flat weights made once, not on every pass.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor

from .dropout import Dropout

# Whole SIMD blocks, in elements. ATen's CPU kernels run a SIMD loop over a tensor and
# finish the last (numel mod vector width) elements in a scalar loop, which rounds
# differently for some ops (no fused multiply-add; another exp). Over a stack that tail
# is the last model's alone, so two identical models drifted apart by float32 rounding
# within a few steps. ``flat`` is therefore padded to whole blocks (the fused optimizer
# kernels' tail is then padding), and so are the per-model rows of ``per_model_empty``.
# 32 elements (128 bytes of float32) are whole vectors, and whole per-thread work units
# of the fused optimizers, for AVX2 and AVX-512, in float32 and float64.
SIMD_BLOCK = 32


# --- masks: 16 random bits a unit, one stream per model -----------------------------
class StackedDropout(Dropout):
    """``Dropout`` for K stacked models: p of shape (K, 1, 1), one random stream per model.

    A ``bernoulli_`` draw per unit dominated a stacked step's time.
    This draws 64 random bits per four units and keeps a unit when its 16 bits fall
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
        # bool tensors, whose kernels (and casts back to float) are several times slower.
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


# --- identical models round alike ---------------------------------------------------
def per_model_empty(like: Tensor) -> Tensor:
    """An uninitialised tensor shaped like ``like`` (K, ...), for an elementwise result.

    An elementwise op over a contiguous stack is one loop, whose scalar tail (see
    ``SIMD_BLOCK``) is the last model's; for ``sigmoid`` it rounds unlike the SIMD
    loop in a few per cent of values. In this tensor each model's block starts a row of
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


def sigmoid_per_model(pre: Tensor) -> Tensor:
    """``pre.sigmoid()``, into per-model rows (see ``per_model_empty``)."""
    if torch.is_grad_enabled():  # out= has no autograd; only tests train with autograd
        return pre.sigmoid_()
    return torch.sigmoid(pre, out=per_model_empty(pre))


# --- a narrow output layer ----------------------------------------------------------
# MKL's batched product is slow when its result has few columns (one logit), and the
# plain backward hands the hidden layer a transposed gradient that makes every
# elementwise op after it slower. So each product is taken in the orientation whose
# result is wide, and the hidden layer's gradient comes back contiguous.
def is_narrow(weight: Tensor) -> bool:
    """True for a (K, in, out) weight with fewer outputs than inputs."""
    return weight.shape[2] < weight.shape[1]


def narrow_output(x: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
    """``torch.baddbmm(bias, x, weight)``, taken transposed so that MKL's result is wide."""
    return torch.baddbmm(bias.mT, weight.mT, x.mT).mT  # (K, batch, out)


def narrow_output_backward(grad: Tensor, x: Tensor, weight: Tensor) -> tuple[Tensor, Tensor]:
    """(d weight, d x) of ``narrow_output``: ``x.mT @ grad`` and ``grad @ weight.mT``."""
    grad_weight = torch.bmm(grad.mT, x).mT  # (K, in, out)
    # One output: an outer product, cheaper as a broadcast than as a bmm.
    grad_x = grad * weight.mT if grad.shape[2] == 1 else torch.bmm(grad, weight.mT)
    return grad_weight, grad_x


# --- views made once ----------------------------------------------------------------
class ViewsOf:
    """``make(base)``, made once and reused while ``base``'s memory stays where it is.

    For the flat weights and their gradient, which the optimizer changes in place: a
    training step then makes no views at all. Made outside inference mode, so they are
    usable in any mode; made again if the memory is replaced (``module.to``).
    """

    def __init__(self) -> None:
        self._of: int | None = None
        self._views = None

    def get(self, base: Tensor, make: Callable[[Tensor], object]):
        if self._of != base.data_ptr():
            with torch.inference_mode(False):
                self._views = make(base)
            self._of = base.data_ptr()
        return self._views
