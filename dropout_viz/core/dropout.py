"""A drop-in for ``torch.nn.Dropout`` that remembers what it did.

In its default mode it computes exactly what ATen's CPU dropout computes
(``noise = bernoulli(1 - p) / (1 - p); out = input * noise``), so with the same
seed its output is bit-for-bit PyTorch's. After each forward it keeps the keep
mask, the input and the output of that pass, for the pages to draw.

Modes, for teaching (p is always the probability of DROPPING a unit):

* ``"inverted"`` — PyTorch: kept units are scaled by 1/(1-p) in training; eval is
  the identity. The expected activation is the same in both.
* ``"classic"`` — the 2014 paper: no scaling in training; eval multiplies by
  (1-p). Also matched in expectation, with the work moved to inference.
* ``"unscaled"`` — the common bug: no scaling anywhere, so eval activations come
  out 1/(1-p) times larger than what the next layer saw in training.

``mc=True`` keeps dropout active in eval mode (Monte-Carlo dropout).

``p`` may also be a tensor that broadcasts against the input, e.g. one rate per
model for K models stacked along dim 0, shape (K, 1, 1); see ``core.stacked``.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

MODES = ("inverted", "classic", "unscaled")


class _Record:
    """The last forward pass. A plain object: writing to it on every forward pass skips
    nn.Module.__setattr__'s bookkeeping, which costs more than the arithmetic here."""

    __slots__ = ("input", "noise", "output")

    def __init__(self) -> None:
        self.input: Tensor | None = None
        self.noise: Tensor | None = None  # what the input was multiplied by; None if nothing
        self.output: Tensor | None = None


class Dropout(nn.Module):
    """``torch.nn.Dropout`` with teaching modes and a record of the last forward."""

    def __init__(
        self,
        p: float | Tensor = 0.5,
        inplace: bool = False,
        mode: str = "inverted",
        mc: bool = False,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"dropout mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.p = p
        self.inplace = inplace
        self.mode = mode
        self.mc = mc
        # None draws from torch's global generator (as nn.Dropout does); a run that
        # must be reproducible while other users train in the same process passes its own.
        self.generator = generator
        self.record = _Record()

    @property
    def p(self) -> float | Tensor:
        return self._p

    @p.setter
    def p(self, p: float | Tensor) -> None:
        # Checked and summarised once here, not on every forward pass.
        if isinstance(p, Tensor):  # one rate per model of a stack, e.g. shape (K, 1, 1)
            bad = bool(((p < 0) | (p > 1)).any())
            drops_any, drops_all = bool(p.any()), bool((p == 1).all())
        else:
            bad, drops_any, drops_all = p < 0 or p > 1, p > 0, p == 1
        if bad:  # torch's own check and wording
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self._p, self._drops_any, self._drops_all = p, drops_any, drops_all
        self._keep = 1 - p  # the chance of keeping a unit
        # What kept units are divided by; where p = 1 the noise is 0 anyway: 0 / tiny = 0.
        self._keep_divisor = self._keep.clamp_min(1e-12) if isinstance(p, Tensor) else self._keep

    @property
    def active(self) -> bool:
        """True when this forward pass drops units (training, or Monte-Carlo eval)."""
        return self.training or self.mc

    @property
    def last_input(self) -> Tensor | None:
        """The input of the last forward pass (detached)."""
        return self.record.input

    @property
    def last_output(self) -> Tensor | None:
        """The output of the last forward pass (detached)."""
        return self.record.output

    @property
    def last_keep_mask(self) -> Tensor | None:
        """Bool tensor shaped like the last input; True = the unit was kept."""
        record = self.record
        if record.input is None:
            return None
        if record.noise is None:  # nothing was drawn: eval, p = 0, p = 1 or an empty input
            dropped_all = self.active and self._drops_all
            return torch.full_like(record.input, not dropped_all, dtype=torch.bool)
        return record.noise != 0  # derived on demand, so recording costs no extra op

    def forward(self, input: Tensor) -> Tensor:
        record = self.record
        drops = self.active and self._drops_any and input.numel() > 0
        # An in-place product overwrites the input: keep a copy of it to show.
        record.input = input.detach().clone() if self.inplace and drops else input.detach()
        record.noise = None
        if not drops:
            classic_eval = self.mode == "classic" and not self.active
            output = input * self._keep if classic_eval else input
        elif self._drops_all:
            zero = torch.zeros((), dtype=input.dtype)
            output = input.mul_(zero) if self.inplace else input * zero
        else:
            noise = record.noise = self._draw_noise(input)
            output = input.mul_(noise) if self.inplace else input * noise
        record.output = output.detach()
        return output

    def input_grad(self, grad: Tensor) -> Tensor:
        """Backpropagate through the last forward pass, in place: the gradient reaches
        the input only through kept units, multiplied by what they were (1/(1-p))."""
        record = self.record
        if record.noise is not None:
            return grad.mul_(record.noise)
        if self.active and self._drops_all:
            return grad.zero_()
        if self.mode == "classic" and not self.active:
            return grad.mul_(self._keep)
        return grad  # the identity

    def _draw_noise(self, input: Tensor) -> Tensor:
        """What the input is multiplied by: 0 where dropped, 1 or 1/(1-p) where kept."""
        # Exactly ATen's _dropout_impl on CPU: same draw, same division, same product.
        noise = torch.empty_like(input).bernoulli_(self._keep, generator=self.generator)
        if self.mode == "inverted":
            noise.div_(self._keep_divisor)
        return noise

    def extra_repr(self) -> str:
        p = self.p.flatten().tolist() if isinstance(self.p, Tensor) else self.p
        text = f"p={p}, inplace={self.inplace}"  # torch's repr in the default mode
        if self.mode != "inverted":
            text += f", mode={self.mode!r}"
        if self.mc:
            text += ", mc=True"
        return text
