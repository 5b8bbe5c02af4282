"""The dropout paper's experiments, as sweeps of many small training runs.

    config = SweepConfig(DataConfig("moons", n_train=100), TrainConfig(hidden=(32, 32)), steps=2000)
    result = p_sweep(config, drop_rates=[0.0, 0.3, 0.5], seeds=range(5))
    result.summary      # per p: final losses, accuracies and gap, mean and std over seeds
    result.to_dict()    # {"config", "results", "summary"}: what the CLI writes as JSON

Each experiment is a list of ``ModelSpec`` (drop rate, seed, training-set size,
weight decay), trained by one of two engines from the same data, architecture,
initial weights and optimizer settings:

* ``"batched"``: every model in one computation (a ``Run`` over a ``StackedMLP``;
  one per weight-decay value, since Adam's weight decay is one setting per optimizer).
* ``"loop"``: each model on its own, an ``nn.Sequential`` with ``torch.nn.Dropout``,
  the plain-PyTorch baseline that the batched engine is benchmarked and tested against.

A model's result depends only on its own spec and the shared config: its initial
weights and its masks come from its own seed, a smaller training set is the first
n_train points of the largest, and mini-batches follow the data's seed. So
"p = 0.3, seed 2" is the same run in any sweep.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from itertools import pairwise

import torch
from torch import Tensor, nn

from . import limits
from .data import DataConfig, Dataset, make_dataset
from .models import ACTIVATIONS
from .rng import MASK_STREAM, generator, seeded
from .stacked import StackedMLP
from .training import Run, TrainConfig, loss_per_model

ENGINES = ("batched", "loop")
METRICS = ("train_loss", "test_loss", "train_acc", "test_acc", "gap")
# Called as progress(done, total), counted in model-steps (one optimizer step of one model).
Progress = Callable[[int, int], None]
_CHUNK = 25  # steps between progress reports


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


@dataclass
class Record:
    """One trained model's final numbers: eval-mode losses; accuracies None for regression."""

    label: str
    p: float
    seed: int
    n_train: int
    weight_decay: float
    steps: int
    # "done", or "diverged": stopped early. The batched engine then stops the whole
    # stack (one Run) and puts back its best weights; the loop engine only that model.
    status: str
    train_loss: float
    test_loss: float
    train_acc: float | None
    test_acc: float | None

    @property
    def gap(self) -> float:
        """Generalization gap: test loss minus training loss."""
        return self.test_loss - self.train_loss

    @property
    def test_error(self) -> float:
        """1 - accuracy for classification; the test loss (MSE) for regression."""
        return self.test_loss if self.test_acc is None else 1.0 - self.test_acc

    def to_dict(self) -> dict:
        return _finite({**asdict(self), "gap": self.gap})


@dataclass
class SweepResult:
    """Per-model records, their summary over seeds, and experiment-specific tables."""

    config: SweepConfig
    records: list[Record]
    summary: list[dict]
    tables: dict[str, list[dict]] = field(default_factory=dict)  # e.g. "gain", "knockout"

    def to_dict(self) -> dict:
        return {
            "config": self.config.to_dict(),
            "results": [record.to_dict() for record in self.records],
            "summary": [_finite(row) for row in self.summary],
            **{name: [_finite(row) for row in rows] for name, rows in self.tables.items()},
        }


# --- the experiments ------------------------------------------------------------------
def p_sweep(
    config: SweepConfig,
    drop_rates: Sequence[float] = limits.SWEEP_DROP_RATES,
    seeds: Iterable[int] = range(limits.SWEEP_SEEDS.default),
    progress: Progress | None = None,
) -> SweepResult:
    """Final train/test loss, accuracy and gap for each drop rate, over seeds."""
    seeds = _nonempty(seeds, "seed")
    rates = _nonempty(drop_rates, "dropout rate")
    decay = config.train.weight_decay
    specs = [ModelSpec(p, s, weight_decay=decay, label=f"p={p:g}") for p in rates for s in seeds]
    records = train_models(config, specs, progress)
    return SweepResult(config, records, summarize(records))


def size_sweep(
    config: SweepConfig,
    sizes: Sequence[int] = limits.SWEEP_SIZES,
    drop_rate: float = limits.SWEEP_SIZE_DROP_RATE,
    seeds: Iterable[int] = range(limits.SWEEP_SEEDS.default),
    progress: Progress | None = None,
) -> SweepResult:
    """Test error without and with dropout for each training-set size, and the gain.

    The dataset is built with the largest size; each model trains on its first
    n_train points, so every model is tested on the same test set.
    """
    sizes, seeds = sorted(set(_nonempty(sizes, "training-set size"))), _nonempty(seeds, "seed")
    config = replace(config, data=replace(config.data, n_train=max(sizes)))
    specs = [
        ModelSpec(p, s, n_train=n, weight_decay=config.train.weight_decay, label=label)
        for n in sizes
        for label, p in (("no dropout", 0.0), ("dropout", drop_rate))
        for s in seeds
    ]
    records = train_models(config, specs, progress)
    return SweepResult(config, records, summarize(records), {"gain": dropout_gain(records)})


def regularizer_comparison(
    config: SweepConfig,
    drop_rate: float = limits.SWEEP_SIZE_DROP_RATE,
    weight_decay: float = limits.SWEEP_WEIGHT_DECAY,
    seeds: Iterable[int] = range(limits.SWEEP_SEEDS.default),
    progress: Progress | None = None,
) -> SweepResult:
    """None vs dropout vs weight decay vs both, same data and initial weights."""
    seeds = _nonempty(seeds, "seed")
    arms = [
        ("none", 0.0, 0.0),
        ("dropout", drop_rate, 0.0),
        ("weight decay", 0.0, weight_decay),
        ("both", drop_rate, weight_decay),
    ]
    specs = [ModelSpec(p, s, weight_decay=wd, label=label) for label, p, wd in arms for s in seeds]
    records = train_models(config, specs, progress)
    return SweepResult(config, records, summarize(records))


def coadaptation_probe(
    config: SweepConfig,
    drop_rate: float = limits.SWEEP_SIZE_DROP_RATE,
    seeds: Iterable[int] = range(limits.SWEEP_SEEDS.default),
    progress: Progress | None = None,
) -> SweepResult:
    """Silence one hidden unit at a time at test time; compare the damage with and without
    dropout. A network that relies on co-adapted units loses more when one is missing.

    Tables: "knockout" (per model and layer) and "knockout_summary" (over seeds).
    """
    seeds = _nonempty(seeds, "seed")
    specs = [
        ModelSpec(p, s, weight_decay=config.train.weight_decay, label=label)
        for label, p in (("no dropout", 0.0), ("dropout", drop_rate))
        for s in seeds
    ]
    records, stack, data = _fit(config, specs, progress, keep_models=True)
    rows = []
    for layer, (loss_up, acc_down) in enumerate(knockout(stack, data)):
        for k, record in enumerate(records):
            rows.append(
                {
                    **_plain(record, "label", "p", "seed"),
                    "layer": layer,
                    "test_loss": record.test_loss,
                    "test_acc": record.test_acc,
                    "units": loss_up.shape[1],
                    # Mean over the layer's units, and the unit whose loss hurts most.
                    "loss_increase": loss_up[k].mean().item(),
                    "worst_loss_increase": loss_up[k].max().item(),
                    "acc_drop": None if acc_down is None else acc_down[k].mean().item(),
                    "worst_acc_drop": None if acc_down is None else acc_down[k].max().item(),
                    "acc_drop_per_unit": None if acc_down is None else acc_down[k].tolist(),
                }
            )
    summary = _mean_over_seeds(
        rows,
        by=("label", "p", "layer"),
        metrics=("loss_increase", "worst_loss_increase", "acc_drop", "worst_acc_drop"),
    )
    tables = {"knockout": rows, "knockout_summary": summary}
    return SweepResult(config, records, summarize(records), tables)


# --- summaries --------------------------------------------------------------------------
def summarize(
    records: Sequence[Record], by: Sequence[str] = ("label", "p", "n_train", "weight_decay")
) -> list[dict]:
    """One row per group of records that differ only in seed: mean and std of each metric."""
    rows = [_plain(r, *by) | {name: getattr(r, name) for name in METRICS} for r in records]
    return _mean_over_seeds(rows, by, METRICS)


def dropout_gain(records: Sequence[Record]) -> list[dict]:
    """Per training-set size: mean test error without and with dropout, and the gain.

    gain > 0: dropout lowered the test error. gain_se is the standard error of that
    difference over seeds, so |gain| < 2 gain_se is within noise.
    """
    errors: dict[int, dict[bool, list[float]]] = {}
    for r in records:
        errors.setdefault(r.n_train, {False: [], True: []})[r.p > 0].append(r.test_error)
    rows = []
    for n_train, arms in sorted(errors.items()):
        without, with_dropout = arms[False], arms[True]
        if not without or not with_dropout:
            continue
        se = math.sqrt(_var(without) / len(without) + _var(with_dropout) / len(with_dropout))
        rows.append(
            {
                "n_train": n_train,
                "error_without_dropout": statistics.fmean(without),
                "error_with_dropout": statistics.fmean(with_dropout),
                "gain": statistics.fmean(without) - statistics.fmean(with_dropout),
                "gain_se": se,
            }
        )
    return rows


# --- training ---------------------------------------------------------------------------
def train_models(
    config: SweepConfig, specs: Sequence[ModelSpec], progress: Progress | None = None
) -> list[Record]:
    """Train every spec with the config's engine; one record per spec, in order."""
    records, _, _ = _fit(config, specs, progress)
    return records


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
        if _size(spec, n_data) > n_data:
            raise ValueError(
                f"n_train {spec.n_train} is larger than the dataset's {n_data} training points."
            )
        if _size(spec, n_data) < 1:
            raise ValueError(f"n_train must be at least 1, got {spec.n_train}.")
    if len({_size(spec, n_data) for spec in specs}) > 1 and config.train.batch_size:
        raise ValueError(
            "Models with different training-set sizes train on the full set each step: "
            "use batch size 0."
        )
    hidden = config.train.hidden
    sizes = (data.in_features, *hidden, data.out_features)
    n_params = sum((a + 1) * b for a, b in pairwise(sizes))
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


def _fit(
    config: SweepConfig,
    specs: Sequence[ModelSpec],
    progress: Progress | None,
    keep_models: bool = False,
) -> tuple[list[Record], StackedMLP | None, Dataset]:
    config = config.validate()
    specs = list(specs)
    data = make_dataset(config.data)
    check_specs(config, specs, data)
    engine = _train_batched if config.engine == "batched" else _train_loop
    records, weights = engine(config, specs, data, progress or _no_progress)
    stack = _stack(config.train, data, weights) if keep_models else None
    return records, stack, data


Weights = list[list[tuple[Tensor, Tensor]]]  # per model, per layer: weight (in, out), bias (out,)


def _train_batched(
    config: SweepConfig, specs: list[ModelSpec], data: Dataset, progress: Progress
) -> tuple[list[Record], Weights]:
    records: list[Record | None] = [None] * len(specs)
    weights: Weights = [[] for _ in specs]
    total, done = len(specs) * config.steps, 0
    groups: dict[float, list[int]] = {}
    for i, spec in enumerate(specs):
        groups.setdefault(spec.weight_decay, []).append(i)
    n = len(data.x_train)
    for weight_decay, members in groups.items():
        group = [specs[i] for i in members]
        sizes = torch.tensor([_size(spec, n) for spec in group])
        example_mask = None if (sizes == n).all() else torch.arange(n) < sizes[:, None]
        run = Run(
            data,
            _run_config(config, weight_decay),
            drop_rates=[spec.drop_rate for spec in group],
            seeds=[spec.seed for spec in group],
            labels=[spec.label for spec in group],
            input_drop_rates=[config.train.input_drop_rate] * len(group),
            example_mask=example_mask,
        )
        while run.step_count < config.steps and run.status == "running":
            taken = run.step(min(_CHUNK, config.steps - run.step_count))
            done += taken * len(group)
            progress(done, total)
        done += (config.steps - run.step_count) * len(group)  # a diverged run stops early
        final = run.evaluate() if run.status == "running" else run.latest
        status = "done" if run.status == "running" else run.status
        layers = run.model.layers()
        for k, (i, spec) in enumerate(zip(members, group)):
            records[i] = _record(spec, n, run.step_count, status, final[k])
            weights[i] = [(w[k].detach().clone(), b[k, 0].detach().clone()) for w, b in layers]
    progress(total, total)
    return records, weights


def _run_config(config: SweepConfig, weight_decay: float) -> TrainConfig:
    # Mini-batch order from the data's seed: shared by every model, whatever its seed.
    return replace(
        config.train,
        weight_decay=weight_decay,
        seed=config.data.seed,
        eval_every=min(limits.EVAL_EVERY.high, max(1, config.steps // 10)),
    )


def _train_loop(
    config: SweepConfig, specs: list[ModelSpec], data: Dataset, progress: Progress
) -> tuple[list[Record], Weights]:
    """Each model alone, in plain PyTorch: what the batched engine must agree with."""
    c, n_all = config.train, len(data.x_train)
    y_all = data.y_train.float() if data.n_classes == 2 else data.y_train
    total = len(specs) * config.steps
    records, weights = [], []
    for i, spec in enumerate(specs):
        n = _size(spec, n_all)
        x, y = data.x_train[:n], y_all[:n]
        # nn.Dropout draws from torch's global generator: seed it per model, privately.
        with seeded(spec.seed + MASK_STREAM):
            model = plain_model(c, data, spec)
            if c.optimizer == "adam":
                optimizer = torch.optim.Adam(
                    model.parameters(), lr=c.learning_rate, weight_decay=spec.weight_decay
                )
            else:
                optimizer = torch.optim.SGD(
                    model.parameters(),
                    lr=c.learning_rate,
                    momentum=0.9,
                    weight_decay=spec.weight_decay,
                )
            batches = _batches(n, c.batch_size, generator(config.data.seed))
            status, step = "done", 0
            for step in range(1, config.steps + 1):
                index = next(batches)
                xb, yb = (x, y) if index is None else (x[index], y[index])
                loss = loss_per_model(model(xb)[None], yb, data.n_classes)[0][0]
                if not math.isfinite(loss.item()):
                    status, step = "diverged", step - 1
                    break
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                if step % _CHUNK == 0:
                    progress(i * config.steps + step, total)
        final = _evaluate_plain(model, data, n)
        records.append(_record(spec, n_all, step, status, final))
        linears = [m for m in model if isinstance(m, nn.Linear)]
        weights.append([(m.weight.detach().T.clone(), m.bias.detach().clone()) for m in linears])
    progress(total, total)
    return records, weights


def plain_model(config: TrainConfig, data: Dataset, spec: ModelSpec) -> nn.Sequential:
    """A spec as plain PyTorch (Linear, activation, torch.nn.Dropout), with the initial
    weights the batched engine gives the same seed."""
    start = StackedMLP([spec.seed], data.in_features, config.hidden, data.out_features)
    sizes, layers = start.sizes, []
    if config.input_drop_rate:
        layers.append(nn.Dropout(config.input_drop_rate))
    for i, (weight, bias) in enumerate(start.layers()):
        linear = nn.Linear(sizes[i], sizes[i + 1])
        with torch.no_grad():
            linear.weight.copy_(weight[0].T)
            linear.bias.copy_(bias[0, 0])
        layers.append(linear)
        if i < len(sizes) - 2:
            layers += [ACTIVATIONS[config.activation](), nn.Dropout(spec.drop_rate)]
    return nn.Sequential(*layers)


def _batches(n: int, size: int, order_generator: torch.Generator):
    """Rows of each mini-batch (None: all), in the order ``Run`` takes them."""
    while True:
        if size == 0 or size >= n:
            yield None
            continue
        order = torch.randperm(n, generator=order_generator)
        for start in range(0, n, size):
            yield order[start : start + size]


@torch.no_grad()
def _evaluate_plain(model: nn.Module, data: Dataset, n_train: int) -> dict:
    model.eval()
    train_loss, train_acc = loss_per_model(
        model(data.x_train[:n_train])[None], data.y_train[:n_train], data.n_classes
    )
    test_loss, test_acc = loss_per_model(model(data.x_test)[None], data.y_test, data.n_classes)
    return {
        "train_loss": train_loss.item(),
        "test_loss": test_loss.item(),
        "train_acc": None if train_acc is None else train_acc.item(),
        "test_acc": None if test_acc is None else test_acc.item(),
    }


def _record(spec: ModelSpec, n_all: int, steps: int, status: str, final: dict) -> Record:
    return Record(
        label=spec.label,
        p=spec.drop_rate,
        seed=spec.seed,
        n_train=_size(spec, n_all),
        weight_decay=spec.weight_decay,
        steps=steps,
        status=status,
        **{name: final[name] for name in ("train_loss", "test_loss", "train_acc", "test_acc")},
    )


def _stack(config: TrainConfig, data: Dataset, weights: Weights) -> StackedMLP:
    """Trained models, whichever engine trained them, as one stack (for probing)."""
    stack = StackedMLP(
        range(len(weights)),
        data.in_features,
        config.hidden,
        data.out_features,
        activation=config.activation,
        dropout_mode=config.dropout_mode,
    )
    with torch.no_grad():
        for layer, (weight, bias) in enumerate(stack.layers()):
            weight.copy_(torch.stack([w[layer][0] for w in weights]))
            bias.copy_(torch.stack([w[layer][1] for w in weights])[:, None])
    return stack.eval()


# --- the co-adaptation probe ------------------------------------------------------------
@torch.no_grad()
def knockout(model: StackedMLP, data: Dataset) -> list[tuple[Tensor, Tensor | None]]:
    """Per hidden layer: (K, width) rise in test loss and fall in test accuracy when
    that single unit is silenced (accuracy None for regression)."""
    model.eval()
    intact_loss, intact_acc = loss_per_model(model(data.x_test), data.y_test, data.n_classes)
    layers, results = model.layers(), []
    for next_weight, _ in layers[1:]:  # a unit's outgoing weights: (K, width, next)
        losses, accuracies = [], []
        for unit in range(next_weight.shape[1]):
            outgoing = next_weight[:, unit].clone()
            next_weight[:, unit] = 0  # nothing the unit outputs reaches the next layer
            loss, acc = loss_per_model(model(data.x_test), data.y_test, data.n_classes)
            next_weight[:, unit] = outgoing
            losses.append(loss - intact_loss)
            accuracies.append(None if acc is None else intact_acc - acc)
        acc_drop = None if intact_acc is None else torch.stack(accuracies, 1)
        results.append((torch.stack(losses, 1), acc_drop))
    return results


# --- small helpers ----------------------------------------------------------------------
def _no_progress(done: int, total: int) -> None:
    pass


def _size(spec: ModelSpec, n_all: int) -> int:
    return n_all if spec.n_train is None else spec.n_train


def _nonempty(values: Iterable, what: str) -> list:
    values = list(values)
    if not values:
        raise ValueError(f"Give at least one {what}.")
    return values


def _plain(obj: object, *names: str) -> dict:
    return {name: getattr(obj, name) for name in names}


def _var(values: Sequence[float]) -> float:
    return statistics.variance(values) if len(values) > 1 else 0.0


def _mean_over_seeds(rows: list[dict], by: Sequence[str], metrics: Sequence[str]) -> list[dict]:
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(row[name] for name in by), []).append(row)
    summary = []
    for key, members in groups.items():
        out = dict(zip(by, key)) | {"seeds": len(members)}
        for metric in metrics:
            values = [row[metric] for row in members]
            missing = any(v is None for v in values)
            out[f"{metric}_mean"] = None if missing else statistics.fmean(values)
            out[f"{metric}_std"] = None if missing else math.sqrt(_var(values))
        summary.append(out)
    return summary


def _finite(row: dict) -> dict:
    """NaN and infinity become None: JSON has no such numbers."""
    return {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in row.items()}
