"""The dropout paper's experiments, as sweeps of many small training runs.

    config = SweepConfig(DataConfig("moons", n_train=100), TrainConfig(hidden=(32, 32)), steps=2000)
    result = p_sweep(config, drop_rates=[0.0, 0.3, 0.5], seeds=range(5))
    result.summary      # per p: final losses, accuracies and gap, mean and std over seeds
    result.to_dict()    # {"config", "results", "summary"}: what the CLI writes as JSON

Each experiment is a list of ``ModelSpec`` (drop rate, seed, training-set size,
weight decay), trained by one of two engines (``sweep_engines.py``: batched, or a
loop of plain ``nn.Module``s) from the same data, architecture, initial weights and
optimizer settings. The pieces: ``sweep_config.py`` (what a sweep is, and its checks),
``sweep_results.py`` (records, summaries, JSON), ``knockout.py`` (the co-adaptation
probe). Everything a caller needs is importable from here.

A model's result depends only on its own spec and the shared config: its initial
weights and its masks come from its own seed, a smaller training set is the first
n_train points of the largest, and mini-batches follow the data's seed. So
"p = 0.3, seed 2" is the same run in any sweep.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from . import limits
from .knockout import knockout, knockout_rows
from .sweep_config import ENGINES, ModelSpec, Progress, SweepConfig, check_specs
from .sweep_engines import fit, plain_model, train_models
from .sweep_results import METRICS, Record, SweepResult, dropout_gain, mean_over_seeds, summarize

__all__ = [
    "ENGINES",
    "METRICS",
    "ModelSpec",
    "Progress",
    "Record",
    "SweepConfig",
    "SweepResult",
    "check_specs",
    "coadaptation_probe",
    "dropout_gain",
    "knockout",
    "p_sweep",
    "plain_model",
    "regularizer_comparison",
    "size_sweep",
    "summarize",
    "train_models",
]


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
    records, stack, data = fit(config, specs, progress, keep_models=True)
    rows = knockout_rows(records, stack, data)
    summary = mean_over_seeds(
        rows,
        by=("label", "p", "layer"),
        metrics=("loss_increase", "worst_loss_increase", "acc_drop", "worst_acc_drop"),
    )
    tables = {"knockout": rows, "knockout_summary": summary}
    return SweepResult(config, records, summarize(records), tables)


def _nonempty(values: Iterable, what: str) -> list:
    values = list(values)
    if not values:
        raise ValueError(f"Give at least one {what}.")
    return values
