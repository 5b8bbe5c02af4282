"""Which p is best depends on the data and the model: p × training-set size, p × width.

    config = SweepConfig(DataConfig("moons"), TrainConfig(hidden=(32, 32)), steps=1000)
    result = p_by_size(config, sizes=(25, 50, 100, 200, 400), seeds=range(3))
    result.tables["grid"]     # per size and p: mean test loss over seeds (and its std)
    result.tables["best_p"]   # per size: its best p (see best_p) and its lowest mean

The lesson's "typical rates 0.1–0.5, depending on model complexity and data size",
measured. On the default moons (the lab's defaults, 3 seeds) the best p fell from 0.8
at 25 points to 0.3 at 400 (data is itself a regularizer) and rose from 0.3 at 8 units
per layer to 0.8 at 64 and 128 (more units to keep from memorising).
The size grid is one batched run (each model trains on the first n points of the
largest set, as in ``sweep.size_sweep``); the width grid is one batched run per
width, since a stack holds one architecture.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import replace

from . import limits
from .sweep import ModelSpec, Progress, Record, SweepConfig, SweepResult, summarize, train_models

AXES = ("n_train", "width")


def p_by_size(
    config: SweepConfig,
    drop_rates: Sequence[float] = limits.GRID_DROP_RATES,
    sizes: Sequence[int] = limits.GRID_SIZES,
    seeds: Iterable[int] = range(limits.SWEEP_SEEDS.default),
    progress: Progress | None = None,
) -> SweepResult:
    """Test loss for every (training-set size, p), mean over seeds, and each size's best p."""
    rates, sizes, seeds = _nonempty(drop_rates), sorted(set(_nonempty(sizes))), _nonempty(seeds)
    config = replace(config, data=replace(config.data, n_train=max(sizes)))
    decay = config.train.weight_decay
    specs = [
        ModelSpec(p, s, n_train=n, weight_decay=decay, label=f"n={n}")
        for n in sizes
        for p in rates
        for s in seeds
    ]
    records = train_models(config, specs, progress)
    return _result(config, records, "n_train", [r.n_train for r in records])


def p_by_width(
    config: SweepConfig,
    drop_rates: Sequence[float] = limits.GRID_DROP_RATES,
    widths: Sequence[int] = limits.GRID_WIDTHS,
    seeds: Iterable[int] = range(limits.SWEEP_SEEDS.default),
    progress: Progress | None = None,
) -> SweepResult:
    """Test loss for every (units per hidden layer, p), mean over seeds, and each width's
    best p. Every layer of ``config.train.hidden`` takes the width."""
    rates, widths, seeds = _nonempty(drop_rates), sorted(set(_nonempty(widths))), _nonempty(seeds)
    for width in widths:
        limits.WIDTH.check(width)
    per_width = len(rates) * len(seeds) * config.steps
    total = per_width * len(widths)
    records, row_values = [], []
    for i, width in enumerate(widths):
        hidden = (width,) * len(config.train.hidden)
        width_config = replace(config, train=replace(config.train, hidden=hidden))
        specs = [
            ModelSpec(p, s, weight_decay=config.train.weight_decay, label=f"width={width}")
            for p in rates
            for s in seeds
        ]

        def report(done: int, _: int, offset: int = i * per_width) -> None:
            if progress:
                progress(offset + done, total)

        records += train_models(width_config, specs, report)
        row_values += [width] * len(specs)
    return _result(config, records, "width", row_values)


def _result(
    config: SweepConfig, records: list[Record], axis: str, row_values: list[int]
) -> SweepResult:
    summary = summarize(records)
    value_of = dict(zip((r.label for r in records), row_values))
    grid = [
        {axis: value_of[row["label"]], "p": row["p"]}
        | {k: row[k] for k in row if k.startswith(("test_loss", "gap", "test_acc", "seeds"))}
        for row in summary
    ]
    return SweepResult(config, records, summary, {"grid": grid, "best_p": best_p(grid, axis)})


def best_p(grid: Sequence[dict], axis: str) -> list[dict]:
    """Per row of the grid (a size or a width): its best p, the least dropout whose mean
    test loss is within one standard error of the row's lowest (the "one-SE rule").

    A row's bottom is often flat: at 100 moons points (lab defaults, 3 seeds) p = 0.5,
    0.6, 0.7, 0.8 gave 0.459, 0.464, 0.467, 0.457, so the plain lowest mean sat at 0.8
    between rows whose best was 0.6 and 0.5, and which of the tied rates is lowest is
    seed noise. The one-SE rule picks 0.5 there; ``lowest_p`` keeps the plain minimum.
    """
    rows: dict[int, list[dict]] = {}
    for cell in grid:
        rows.setdefault(cell[axis], []).append(cell)
    out = []
    for value, cells in sorted(rows.items()):
        cells = sorted(cells, key=lambda c: c["p"])
        lowest = min(cells, key=lambda c: c["test_loss_mean"])
        se = (lowest["test_loss_std"] or 0.0) / math.sqrt(lowest["seeds"])
        best = next(c for c in cells if c["test_loss_mean"] <= lowest["test_loss_mean"] + se)
        without = next((c for c in cells if c["p"] == 0), None)
        out.append(
            {
                axis: value,
                "best_p": best["p"],
                "best_test_loss": best["test_loss_mean"],
                "best_test_loss_std": best["test_loss_std"],
                "lowest_p": lowest["p"],
                "lowest_test_loss": lowest["test_loss_mean"],
                "lowest_test_loss_se": se,
                "test_loss_without_dropout": None if without is None else without["test_loss_mean"],
            }
        )
    return out


def _nonempty(values: Iterable) -> list:
    values = list(values)
    if not values:
        raise ValueError("Give at least one value for each axis of the grid, and one seed.")
    return values
