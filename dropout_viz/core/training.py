"""Step-wise training of one or more models, a bounded history, and twin runs.

    data = make_dataset(DataConfig("moons", n_train=60))
    twin = Twin(data, TrainConfig(hidden=(32, 32), drop_rate=0.3))
    twin.step(2000)           # the UI calls this in chunks, one per screen update
    twin.summary()

A ``Run`` trains K models of one architecture as one stacked computation (see
``stacked.py``): the same batches, the same optimizer settings, each with its
own seed and drop rates. A ``Twin`` is the run of two that the lesson is
about: one without dropout and one with it, from identical initial weights.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import torch
import torch.nn.functional as F
from torch import Tensor

from . import limits
from .data import Dataset
from .optimizers import FlatAdam, FlatSGD
from .rng import generator
from .stacked import RateSpec, StackedMLP

DIVERGED_MESSAGE = (
    "Training diverged — lower the learning rate. The loss stopped being a finite number; "
    "what you see are the best weights before that."
)


@dataclass(frozen=True)
class TrainConfig:
    hidden: tuple[int, ...] = (32, 32)
    drop_rate: RateSpec = limits.DROP_RATE.default  # the dropout model's, per hidden layer
    input_drop_rate: float = 0.0
    # tanh saturates, so weights cannot grow their way around the masks: with ReLU the
    # dropout twin of a 60-point moons run ends up memorising almost as hard as the other.
    activation: str = "tanh"
    dropout_mode: str = "inverted"
    optimizer: str = "adam"
    learning_rate: float = limits.LEARNING_RATE.default
    weight_decay: float = limits.WEIGHT_DECAY.default
    batch_size: int = limits.BATCH_SIZE.default  # 0: the full training set every step
    seed: int = 0
    eval_every: int = limits.EVAL_EVERY.default

    def validate(self) -> TrainConfig:
        rates = self.drop_rate if isinstance(self.drop_rate, Sequence) else [self.drop_rate]
        for p in (*rates, self.input_drop_rate):
            limits.DROP_RATE.check(p)
        if self.optimizer not in limits.OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(limits.OPTIMIZERS)}.")
        if self.dropout_mode not in limits.DROPOUT_MODES:
            raise ValueError(f"dropout mode must be one of {', '.join(limits.DROPOUT_MODES)}.")
        limits.LEARNING_RATE.check(self.learning_rate)
        limits.WEIGHT_DECAY.check(self.weight_decay)
        limits.BATCH_SIZE.check(self.batch_size)
        limits.SEED.check(self.seed)
        limits.EVAL_EVERY.check(self.eval_every)
        return self


def loss_per_model(
    output: Tensor,
    target: Tensor,
    n_classes: int,
    example_mask: Tensor | None = None,
    accuracy: bool = True,
) -> tuple[Tensor, Tensor | None]:
    """Mean loss of each model (BCE, cross-entropy or MSE), shape (K,), and its accuracy.

    output: (K, n, out). example_mask: (K, n) bool, the examples each model trains
    on (a dataset-size sweep gives models different subsets); None means all.
    accuracy=False skips it (None), which a training step does not need.
    """
    if n_classes == 0:
        losses = F.mse_loss(output, target.expand_as(output), reduction="none").squeeze(2)
        correct = None
    elif n_classes == 2:
        logit = output.squeeze(2)  # (K, n); a view, whose backward is free (select's copies)
        losses = F.binary_cross_entropy_with_logits(
            logit, target.to(logit.dtype).expand_as(logit), reduction="none"
        )
        correct = ((logit > 0) == target.bool()) if accuracy else None
    else:
        losses = F.cross_entropy(
            output.transpose(1, 2), target.expand(output.shape[0], -1), reduction="none"
        )
        correct = (output.argmax(2) == target) if accuracy else None
    if example_mask is None:
        return losses.mean(1), None if correct is None else correct.float().mean(1)
    weight = example_mask.to(losses.dtype)
    count = weight.sum(1).clamp_min(1)
    accuracy = None if correct is None else (correct * weight).sum(1) / count
    return (losses * weight).sum(1) / count, accuracy


@torch.no_grad()
def loss_grad(
    output: Tensor, target: Tensor, n_classes: int, example_mask: Tensor | None = None
) -> Tensor:
    """d(sum over models of ``loss_per_model``)/d(output), shape (K, n, out), by hand.

    Each model's loss is a mean over its own examples, so each example's share of
    the gradient is 1/(its model's count).
    """
    if n_classes == 0:  # squared error: 2 (output - target)
        grad = (output - target.expand_as(output)).mul_(2)
    elif n_classes == 2:  # binary cross-entropy of a logit: sigmoid - target
        # Into rows of whole SIMD blocks, one per model (see stacked.per_model_empty):
        # over one (K, n) loop, sigmoid's scalar tail, which rounds unlike its SIMD
        # loop, would be the last model's alone, and identical models drifted apart.
        k, n, _ = output.shape  # one output
        rows = torch.empty_strided((k, n, 1), (-(-n // 32) * 32, 1, 1), dtype=output.dtype)
        if target.dtype != output.dtype:  # a training step's already is: skip .to's dispatch
            target = target.to(output.dtype)
        grad = torch.sigmoid(output, out=rows).sub_(target.unsqueeze(1))
    else:  # cross-entropy: softmax - one-hot target
        grad = torch.softmax(output, 2).sub_(F.one_hot(target, n_classes).to(output.dtype))
    if example_mask is None:
        # Times 1/n, not divided by n: ATen's vectorised division rounds unlike its scalar
        # tail, so two identical models in one stack would drift apart.
        return grad.mul_(1 / output.shape[1])
    weight = example_mask.to(output.dtype)
    weight /= weight.sum(1, keepdim=True).clamp_min(1)
    return grad.mul_(weight.unsqueeze(2))


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


class Run:
    """K models of one architecture trained step by step on one dataset, with histories."""

    def __init__(
        self,
        data: Dataset,
        config: TrainConfig,
        drop_rates: Sequence[RateSpec] | None = None,
        seeds: Sequence[int] | None = None,
        labels: Sequence[str] | None = None,
        input_drop_rates: Sequence[float] | None = None,
        example_mask: Tensor | None = None,
    ) -> None:
        self.data, self.config = data, config.validate()
        drop_rates = list(drop_rates) if drop_rates is not None else [config.drop_rate]
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
        self._example_rows = None  # per model: rows up to its last example (None: all)
        if example_mask is not None:
            n_train = len(data.x_train)
            if example_mask.shape != (self.k, n_train) or example_mask.dtype != torch.bool:
                raise ValueError(
                    f"example_mask must be a ({self.k}, {n_train}) bool tensor, "
                    f"got {tuple(example_mask.shape)} {example_mask.dtype}."
                )
            if not example_mask.any(1).all():
                raise ValueError("Every model needs at least one training example.")
            last = n_train - example_mask.flip(1).int().argmax(1)  # one past the last True
            self._example_rows = last.tolist()
        # BCE wants float targets: convert once, not on every step.
        self._y_train = data.y_train.float() if data.n_classes == 2 else data.y_train
        # Mini-batch order; each model's masks come from its own seed (see StackedMLP).
        self.batch_generator = generator(config.seed)
        self.optimizer = self._make_optimizer()
        self.step_count = 0
        self.status, self.message = "running", ""
        self.histories = [History(config.eval_every) for _ in seeds]
        self.last_step: StepRecord | None = None
        self._order: Tensor | None = None  # mini-batch order of the current epoch
        self._cursor = 0
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
    def _make_optimizer(self) -> FlatAdam | FlatSGD:
        return self._make_optimizer_for(self.model)

    def _make_optimizer_for(self, model: StackedMLP) -> FlatAdam | FlatSGD:
        # The stack's weights are one flat tensor, so one fused kernel updates all K
        # models; it is elementwise, so they stay independent.
        c = self.config
        if c.optimizer == "adam":
            return FlatAdam(model.flat, lr=c.learning_rate, weight_decay=c.weight_decay)
        return FlatSGD(model.flat, lr=c.learning_rate, momentum=0.9, weight_decay=c.weight_decay)

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

    def set_drop_rates(self, drop_rates: Sequence[RateSpec]) -> None:
        """Change every model's drop rates mid-run (one entry per model)."""
        self.model.set_drop_rates(drop_rates)
        self._resume()

    def _resume(self) -> None:
        if self.status == "diverged":  # the learner acted on the advice: let it try again
            self.status, self.message = "running", ""

    # --- training -------------------------------------------------------------------
    def _next_batch(self) -> Tensor | None:
        """Rows of the next mini-batch, or None for the whole training set."""
        n, size = len(self.data.x_train), self.config.batch_size
        if size == 0 or size >= n:
            return None
        if self._order is None or self._cursor >= n:
            self._order = torch.randperm(n, generator=self.batch_generator)
            self._cursor = 0
        index = self._order[self._cursor : self._cursor + size]
        self._cursor += size
        return index

    def step(self, n: int = 1) -> int:
        """Advance up to n optimizer steps; return how many were taken (fewer if it diverged)."""
        if self.status == "diverged":
            return 0
        data, model, optimizer = self.data, self.model, self.optimizer
        for taken in range(n):
            index = self._next_batch()
            if index is None:
                xb, yb, mask = data.x_train, self._y_train, self.example_mask
                rows = self._example_rows
            else:
                xb, yb = data.x_train[index], self._y_train[index]
                mask = None if self.example_mask is None else self.example_mask[:, index]
                rows = None
            # The backward pass is written out (StackedMLP.backward), so no autograd at all:
            # inference mode skips its bookkeeping on every op (~10 % of a twin's step).
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
                self.last_step = self._record(index, xb)
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

    def _record(self, index: Tensor | None, xb: Tensor) -> StepRecord:
        layers = self.model.dropout_layers()
        return StepRecord(
            step=self.step_count,
            batch_index=index,
            inputs=xb,
            activations=[d.last_input for d in layers],
            keep_masks=[d.last_keep_mask for d in layers],
        )

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
        clone.model = self._copy_model()
        clone.optimizer = self._make_optimizer_for(clone.model)
        clone.optimizer.load_state(self.optimizer)
        clone.batch_generator = torch.Generator().set_state(self.batch_generator.get_state())
        clone.labels = list(self.labels)
        clone.histories = copy.deepcopy(self.histories)  # plain lists of numbers
        clone.latest = copy.deepcopy(self.latest)
        clone._order = None if self._order is None else self._order.clone()
        clone._loss_sum = self._loss_sum.clone()
        clone._best_weights = self._best_weights.clone()
        if self.last_step is not None:
            record = self.last_step
            clone.last_step = replace(
                record,
                batch_index=None if record.batch_index is None else record.batch_index.clone(),
                activations=[a.clone() for a in record.activations],
                keep_masks=[m.clone() for m in record.keep_masks],
            )
        return clone

    def _copy_model(self) -> StackedMLP:
        old = self.model
        model = StackedMLP(
            old.seeds,
            old.sizes[0],
            old.sizes[1:-1],
            old.sizes[-1],
            drop_rates=old.drop_rates.tolist(),
            input_drop_rates=old.input_dropout.p.flatten().tolist(),
            activation=old.activation,
            dropout_mode=old.dropout_mode,
            dtype=old.dtype,
        )
        with torch.no_grad():
            model.flat.copy_(old.flat)
        for new, generator_ in zip(model.mask_generators, old.mask_generators):
            new.set_state(generator_.get_state())
        return model

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
        config = config.validate()
        super().__init__(
            data,
            config,
            drop_rates=[0.0, config.drop_rate],
            seeds=[config.seed, config.seed],  # identical initial weights
            labels=self.LABELS,
            input_drop_rates=[0.0, config.input_drop_rate],
        )

    def set_drop_rate(self, drop_rate: RateSpec) -> None:
        """Change the dropout model's p; the baseline stays at 0."""
        self.config = replace(self.config, drop_rate=drop_rate).validate()
        self.set_drop_rates([0.0, drop_rate])
