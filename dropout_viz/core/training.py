"""Step-wise training of one or more models, and the twin runs the lesson is about.

    data = make_dataset(DataConfig("moons", n_train=60))
    twin = Twin(data, TrainConfig(hidden=(32, 32), drop_rate=0.3))
    twin.step(2000)           # the UI calls this in chunks, one per screen update
    twin.summary()

A ``Run`` trains K models of one architecture as one stacked computation (see
``stacked.py``): the same batches, the same optimizer settings, each with its
own seed and drop rates. A ``Twin`` is the run of two that the lesson is
about: one without dropout and one with it, from identical initial weights.
Its parts: ``train_config.py`` (the settings), ``losses.py`` (each loss beside its
gradient), ``history.py`` (what a run keeps), ``batches.py`` (mini-batch order).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import replace

import torch
from torch import Tensor

from .batches import MiniBatches, example_rows
from .data import Dataset
from .history import History, StepRecord
from .losses import loss_grad, loss_per_model
from .models import DropRates
from .optimizers import FlatAdam, FlatSGD, flat_optimizer
from .stacked import StackedMLP
from .train_config import TrainConfig

DIVERGED_MESSAGE = (
    "Training diverged — lower the learning rate. The loss stopped being a finite number; "
    "what you see are the best weights before that."
)


class Run:
    """K models of one architecture trained step by step on one dataset, with histories."""

    def __init__(
        self,
        data: Dataset,
        config: TrainConfig,
        drop_rates: Sequence[DropRates] | None = None,
        seeds: Sequence[int] | None = None,
        labels: Sequence[str] | None = None,
        input_drop_rates: Sequence[float] | None = None,
        example_mask: Tensor | None = None,
    ) -> None:
        self.data, self.config = data, config.validate()
        drop_rates = list(drop_rates) if drop_rates is not None else [config.drop_rates]
        seeds = list(seeds) if seeds is not None else [config.seed] * len(drop_rates)
        self.labels = (
            list(labels) if labels is not None else [f"model {k}" for k in range(len(seeds))]
        )
        self.model = StackedMLP(
            seeds,
            data.in_features,
            config.hidden,
            data.out_features,
            drop_rates=drop_rates,
            input_drop_rates=input_drop_rates or [config.input_drop_rate] * len(seeds),
            activation=config.activation,
            dropout_mode=config.dropout_mode,
            dtype=data.x_train.dtype,  # float32; float64 data (the tests) trains in float64
        )
        self.example_mask = example_mask  # (K, n_train) bool or None
        self._example_rows = example_rows(example_mask, self.k, len(data.x_train))
        # BCE wants float targets: convert once, not on every step.
        self._y_train = data.y_train.float() if data.n_classes == 2 else data.y_train
        # Mini-batch order; each model's masks come from its own seed (see StackedMLP).
        self.batches = MiniBatches(len(data.x_train), config.batch_size, config.seed)
        self.optimizer = self._make_optimizer()
        self.step_count = 0
        self.status, self.message = "running", ""
        self.histories = [History(config.eval_every) for _ in seeds]
        self.last_step: StepRecord | None = None
        # Train-mode losses since the last evaluation.
        self._loss_sum = torch.zeros(self.k, dtype=data.x_train.dtype)
        self._loss_count = 0
        self.latest = self.evaluate()
        self._offer(self.latest)
        self._best_loss = math.inf
        self._keep_if_best()

    @property
    def k(self) -> int:
        return self.model.k

    # --- configuration --------------------------------------------------------------
    def _make_optimizer(self, model: StackedMLP | None = None) -> FlatAdam | FlatSGD:
        # The stack's weights are one flat tensor, so one fused kernel updates all K
        # models; it is elementwise, so they stay independent.
        c = self.config
        flat = (model or self.model).flat
        return flat_optimizer(c.optimizer, flat, c.learning_rate, c.weight_decay)

    def set_hyperparameters(
        self, learning_rate: float | None = None, weight_decay: float | None = None
    ) -> None:
        """Change the optimizer's settings mid-run; weights and optimizer state stay."""
        changes = {
            k: v
            for k, v in [("learning_rate", learning_rate), ("weight_decay", weight_decay)]
            if v is not None
        }
        self.config = replace(self.config, **changes).validate()
        for group in self.optimizer.param_groups:
            group["lr"] = self.config.learning_rate
            group["weight_decay"] = self.config.weight_decay
        self._resume()

    def set_drop_rates(self, drop_rates: Sequence[DropRates]) -> None:
        """Change every model's drop rates mid-run (one entry per model)."""
        self.model.set_drop_rates(drop_rates)
        self._resume()

    def _resume(self) -> None:
        if self.status == "diverged":  # the learner acted on the advice: let it try again
            self.status, self.message = "running", ""

    # --- training -------------------------------------------------------------------
    def step(self, n: int = 1) -> int:
        """Advance up to n optimizer steps; return how many were taken (fewer if it diverged)."""
        if self.status == "diverged":
            return 0
        data, model, optimizer = self.data, self.model, self.optimizer
        for taken in range(n):
            index = self.batches.next()
            if index is None:
                xb, yb, mask = data.x_train, self._y_train, self.example_mask
                rows = self._example_rows
            else:
                xb, yb = data.x_train[index], self._y_train[index]
                mask = None if self.example_mask is None else self.example_mask[:, index]
                rows = None
            # The backward pass is written out (StackedMLP.backward), so no autograd at all:
            # inference mode skips its bookkeeping on every op.
            with torch.inference_mode():
                output = model(xb, rows)
                losses, _ = loss_per_model(output, yb, data.n_classes, mask, accuracy=False)
                if not math.isfinite(losses.sum().item()):
                    self._diverged()
                    return taken
                # The models' losses are summed: each slice gets exactly its own gradient.
                model.backward(loss_grad(output, yb, data.n_classes, mask))
            optimizer.step()
            self.step_count += 1
            self._loss_sum += losses.detach()
            self._loss_count += 1
            if taken == n - 1:
                layers = model.dropout_layers()
                self.last_step = StepRecord.of(self.step_count, index, xb, layers)
            if self.step_count % self.config.eval_every == 0:
                self.latest = self.evaluate()
                if not all(math.isfinite(point["train_loss"]) for point in self.latest):
                    self._diverged()
                    return taken + 1
                self._offer(self.latest)
                self._keep_if_best()
        return n

    def _keep_if_best(self) -> None:
        """Remember the weights with the lowest training loss so far (one small copy)."""
        loss = sum(point["train_loss"] for point in self.latest)
        if loss <= self._best_loss:
            self._best_loss = loss
            self._best_weights = self.model.flat.detach().clone()

    def _diverged(self) -> None:
        """Stop, put back the best weights so far (charts stay readable) and say why.

        Not merely the last finite ones: just before a blow-up the loss is finite but
        huge, and a lower learning rate could not recover from there.
        """
        with torch.no_grad():
            self.model.flat.copy_(self._best_weights)
        self.optimizer = self._make_optimizer()  # its moments may hold inf or NaN now
        self.status, self.message = "diverged", DIVERGED_MESSAGE
        self._loss_count = 0
        self.latest = self.evaluate()

    def _offer(self, points: list[dict]) -> None:
        for history, point in zip(self.histories, points):
            history.offer(point)

    # --- forking --------------------------------------------------------------------
    def fork(self) -> Run:
        """An independent copy of this run in exactly its state: weights, optimizer moments,
        step, histories and random streams, so it goes on as this run would have.

        The data, the config and the example mask are read-only and shared.
        """
        clone = copy.copy(self)
        clone.model = self.model.copy()
        clone.optimizer = self._make_optimizer(clone.model)
        clone.optimizer.load_state(self.optimizer)
        clone.batches = self.batches.fork()
        clone.labels = list(self.labels)
        clone.histories = copy.deepcopy(self.histories)  # plain lists of numbers
        clone.latest = copy.deepcopy(self.latest)
        clone._loss_sum = self._loss_sum.clone()
        clone._best_weights = self._best_weights.clone()
        clone.last_step = None if self.last_step is None else self.last_step.clone()
        return clone

    # --- measuring ------------------------------------------------------------------
    @torch.inference_mode()  # no autograd here: skip its bookkeeping too
    def evaluate(self) -> list[dict]:
        """Per model, now: train loss in eval mode and (recent mean) in train mode, test loss."""
        data = self.data
        self.model.eval()
        try:
            train_loss, train_acc = loss_per_model(
                self.model(data.x_train), data.y_train, data.n_classes, self.example_mask
            )
            test_loss, test_acc = loss_per_model(
                self.model(data.x_test), data.y_test, data.n_classes
            )
        finally:
            self.model.train()
        count = self._loss_count
        # What the optimizer saw (dropout on), averaged over the steps since the last point.
        train_mode = (self._loss_sum / count).tolist() if count else [None] * self.k
        self._loss_sum.zero_()
        self._loss_count = 0
        columns = {
            "train_loss_train_mode": train_mode,
            "train_loss": train_loss.tolist(),
            "test_loss": test_loss.tolist(),
            "train_acc": [None] * self.k if train_acc is None else train_acc.tolist(),
            "test_acc": [None] * self.k if test_acc is None else test_acc.tolist(),
        }
        return [
            {"step": self.step_count, **{name: values[k] for name, values in columns.items()}}
            for k in range(self.k)
        ]

    @torch.inference_mode()
    def predict(self, x: Tensor) -> Tensor:
        """Eval-mode predictions of every model, (K, n): P(class 1), or the value.

        With more than two classes: (K, n, classes) probabilities.
        """
        self.model.eval()
        try:
            out = self.model(x)
        finally:
            self.model.train()
        if self.data.n_classes == 2:
            return torch.sigmoid(out[..., 0])
        if self.data.n_classes > 2:
            return torch.softmax(out, dim=2)
        return out[..., 0]

    def summary(self) -> list[dict]:
        # Rates live in float32 tensors: round away the float32 tails (0.30000001 -> 0.3).
        rates = [[round(p, 6) for p in row] for row in self.model.drop_rates.tolist()]
        return [
            {
                "label": label,
                "drop_rate": rates[k][0] if len(set(rates[k])) == 1 else rates[k],
                "steps": self.step_count,
                "status": self.status,
                **{
                    name: point[name]
                    for name in ("train_loss", "test_loss", "train_acc", "test_acc")
                },
                "gap": point["test_loss"] - point["train_loss"],
            }
            for k, (label, point) in enumerate(zip(self.labels, self.latest))
        ]


class Twin(Run):
    """A model without dropout and one with it: same data, initial weights and batches."""

    BASELINE, DROPOUT = 0, 1
    LABELS = ("no dropout", "dropout")

    def __init__(self, data: Dataset, config: TrainConfig) -> None:
        super().__init__(  # which checks the config
            data,
            config,
            drop_rates=[0.0, config.drop_rates],
            seeds=[config.seed, config.seed],  # identical initial weights
            labels=self.LABELS,
            input_drop_rates=[0.0, config.input_drop_rate],
        )

    def set_drop_rate(self, drop_rate: DropRates) -> None:
        """Change the dropout model's p; the baseline stays at 0."""
        self.set_drop_rates([0.0, drop_rate])  # checks the rates
        self.config = replace(self.config, drop_rate=drop_rate)
