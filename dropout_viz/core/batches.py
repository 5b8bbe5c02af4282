"""Which training rows a step takes: the mini-batch order (a fresh shuffle each epoch,
from its own generator), and each model's own examples when models train on subsets."""

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


def example_rows(example_mask: Tensor | None, k: int, n_train: int) -> list[int] | None:
    """Per model, one past its last training example; None if every model trains on all.

    example_mask: (K, n_train) bool, the examples each model trains on (a dataset-size
    sweep gives models the first n points); checked here.
    """
    if example_mask is None:
        return None
    if example_mask.shape != (k, n_train) or example_mask.dtype != torch.bool:
        raise ValueError(
            f"example_mask must be a ({k}, {n_train}) bool tensor, "
            f"got {tuple(example_mask.shape)} {example_mask.dtype}."
        )
    if not example_mask.any(1).all():
        raise ValueError("Every model needs at least one training example.")
    return (n_train - example_mask.flip(1).int().argmax(1)).tolist()  # one past the last True
