"""What a sweep is: what its models share (``SweepConfig``), what sets each apart
(``ModelSpec``), and the checks that refuse a sweep before any training starts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

from . import limits
from .data import DataConfig, Dataset
from .models import n_weights
from .train_config import TrainConfig

ENGINES = ("batched", "loop")
# Called as progress(done, total), counted in model-steps (one optimizer step of one model).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SweepConfig:
    """What every model of a sweep shares.

    ``data.n_train`` is the largest training set. ``train.drop_rate`` and ``train.seed``
    are not used: each model's rate and seed come from its ``ModelSpec``, and so does
    its weight decay (the experiments give every model ``train.weight_decay``, except
    the regularizer comparison).
    """

    data: DataConfig = field(default_factory=DataConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    steps: int = 1000
    engine: str = "batched"

    def validate(self) -> SweepConfig:
        self.data.validate()
        self.train.validate()
        limits.STEPS.check(self.steps)
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {self.engine!r}.")
        if self.engine == "loop" and self.train.dropout_mode != "inverted":
            raise ValueError("The loop engine uses torch.nn.Dropout, which is inverted dropout.")
        return self

    def to_dict(self) -> dict:
        # Each model's own rate and seed are in its record; a sweep has no history.
        unused = ("drop_rate", "seed", "eval_every")
        train = {k: v for k, v in asdict(self.train).items() if k not in unused}
        return {
            "data": asdict(self.data),
            "train": train,
            "steps": self.steps,
            "engine": self.engine,
        }


@dataclass(frozen=True)
class ModelSpec:
    """One model of a sweep: what sets it apart from the others."""

    drop_rate: float = 0.0
    seed: int = 0
    n_train: int | None = None  # train on the first n_train points; None: all of them
    weight_decay: float = 0.0
    label: str = ""

    def train_size(self, n_all: int) -> int:
        """How many of the n_all training points this model trains on."""
        return n_all if self.n_train is None else self.n_train


def check_specs(config: SweepConfig, specs: Sequence[ModelSpec], data: Dataset) -> None:
    """Raise ValueError, with what to change, before any training starts."""
    if not specs:
        raise ValueError("A sweep needs at least one model.")
    if len(specs) > limits.MAX_SWEEP_MODELS:
        raise ValueError(
            f"{len(specs)} models exceed the limit of {limits.MAX_SWEEP_MODELS} per sweep: "
            "use fewer rates, sizes or seeds."
        )
    n_data = config.data.n_train
    for spec in specs:
        limits.DROP_RATE.check(spec.drop_rate)
        limits.SEED.check(spec.seed)
        limits.WEIGHT_DECAY.check(spec.weight_decay)
        if spec.train_size(n_data) > n_data:
            raise ValueError(
                f"n_train {spec.n_train} is larger than the dataset's {n_data} training points."
            )
        if spec.train_size(n_data) < 1:
            raise ValueError(f"n_train must be at least 1, got {spec.n_train}.")
    if len({spec.train_size(n_data) for spec in specs}) > 1 and config.train.batch_size:
        raise ValueError(
            "Models with different training-set sizes train on the full set each step: "
            "use batch size 0."
        )
    hidden = config.train.hidden
    n_params = n_weights((data.in_features, *hidden, data.out_features))
    if len(specs) * n_params > limits.MAX_SWEEP_PARAMETERS:
        raise ValueError(
            f"{len(specs)} models of {n_params:,} weights exceed the limit of "
            f"{limits.MAX_SWEEP_PARAMETERS:,} weights: use fewer models or narrower layers."
        )
    rows = max(n_data, config.data.n_test)
    if len(specs) * rows * sum(hidden) > limits.MAX_SWEEP_ACTIVATIONS:
        raise ValueError(
            f"{len(specs)} models x {rows} points x {sum(hidden)} hidden units exceed the "
            f"limit of {limits.MAX_SWEEP_ACTIVATIONS:,} activations: use fewer models, "
            "points or hidden units."
        )
