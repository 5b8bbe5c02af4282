"""Mini-batch order: a fresh shuffle of the training set each epoch, from its own generator."""

from __future__ import annotations

import torch
from torch import Tensor

from .rng import generator


class MiniBatches:
    """Rows of each mini-batch in turn, or None when a batch is the whole training set.

    Every model of a run (and, in a sweep, every engine) takes the same batches: the
    order follows the seed alone.
    """

    def __init__(self, n: int, size: int, seed: int) -> None:
        self.n, self.size = n, size
        self.generator = generator(seed)
        self._order: Tensor | None = None  # this epoch's shuffle
        self._cursor = 0

    def next(self) -> Tensor | None:
        n, size = self.n, self.size
        if size == 0 or size >= n:
            return None
        if self._order is None or self._cursor >= n:
            self._order = torch.randperm(n, generator=self.generator)
            self._cursor = 0
        index = self._order[self._cursor : self._cursor + size]
        self._cursor += size
        return index

    def fork(self) -> MiniBatches:
        """An independent copy that goes on in the same order."""
        clone = MiniBatches(self.n, self.size, 0)
        clone.generator.set_state(self.generator.get_state())
        clone._order = None if self._order is None else self._order.clone()
        clone._cursor = self._cursor
        return clone
