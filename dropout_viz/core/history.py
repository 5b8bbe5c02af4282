"""What a run keeps: each model's evaluation points (``History``) and what its last
optimizer step saw (``StepRecord``: the batch and every dropout layer's masks)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from torch import Tensor

from . import limits


class History:
    """One model's evaluation points in columns, thinned 2:1 whenever full.

    A run of a million steps therefore keeps no more points than one of ten thousand.
    """

    FIELDS = ("step", "train_loss_train_mode", "train_loss", "test_loss", "train_acc", "test_acc")

    def __init__(self, every: int, max_points: int = limits.MAX_HISTORY_POINTS) -> None:
        self.every = every  # steps between kept points; doubles at each thinning
        self.max_points = max_points
        self.columns: dict[str, list] = {name: [] for name in self.FIELDS}

    def __len__(self) -> int:
        return len(self.columns["step"])

    def offer(self, point: dict) -> None:
        """Keep the point if it falls on the current spacing."""
        if point["step"] % self.every:
            return
        for name in self.FIELDS:
            self.columns[name].append(point[name])
        if len(self) > self.max_points:
            for name in self.FIELDS:
                self.columns[name] = self.columns[name][::2]  # step 0 stays; spacing doubles
            self.every *= 2

    @property
    def gap(self) -> list[float]:
        """Generalization gap: test loss minus the (eval-mode) training loss."""
        return [t - s for t, s in zip(self.columns["test_loss"], self.columns["train_loss"])]

    def to_dict(self) -> dict:
        return {**self.columns, "gap": self.gap}


@dataclass
class StepRecord:
    """What the last optimizer step saw: its batch and each dropout layer's masks."""

    step: int
    batch_index: Tensor | None  # rows of the training set in the batch; None = all, in order
    inputs: Tensor  # (batch, in_features)
    # Per dropout layer (the input layer first): pre-dropout activations and keep masks,
    # each (K, batch, width).
    activations: list[Tensor] = field(default_factory=list)
    keep_masks: list[Tensor] = field(default_factory=list)

    @classmethod
    def of(cls, step: int, batch_index: Tensor | None, inputs: Tensor, dropouts) -> StepRecord:
        """What the dropout layers (input layer first) recorded in this step's forward pass."""
        return cls(
            step=step,
            batch_index=batch_index,
            inputs=inputs,
            activations=[d.last_input for d in dropouts],
            keep_masks=[d.last_keep_mask for d in dropouts],
        )

    def clone(self) -> StepRecord:
        """A copy that later steps cannot change."""
        return replace(
            self,
            batch_index=None if self.batch_index is None else self.batch_index.clone(),
            activations=[a.clone() for a in self.activations],
            keep_masks=[m.clone() for m in self.keep_masks],
        )
