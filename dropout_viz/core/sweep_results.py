"""What a sweep returns: one ``Record`` per trained model, and their mean and std over seeds.

result.records      # per model: eval-mode losses, accuracies, gap
result.summary      # per group of models that differ only in seed
result.to_dict()    # {"config", "results", "summary", ...tables}: the CLI's JSON
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .sweep_config import SweepConfig

METRICS = ("train_loss", "test_loss", "train_acc", "test_acc", "gap")


@dataclass
class Record:
    """One trained model's final numbers: eval-mode losses; accuracies None for regression."""

    label: str
    p: float  # its drop rate; "p" in the CLI's JSON and CSV
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
        return finite({**asdict(self), "gap": self.gap})


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
            "summary": [finite(row) for row in self.summary],
            **{name: [finite(row) for row in rows] for name, rows in self.tables.items()},
        }


def summarize(
    records: Sequence[Record], by: Sequence[str] = ("label", "p", "n_train", "weight_decay")
) -> list[dict]:
    """One row per group of records that differ only in seed: mean and std of each metric."""
    rows = [fields(r, *by) | {name: getattr(r, name) for name in METRICS} for r in records]
    return mean_over_seeds(rows, by, METRICS)


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


def mean_over_seeds(rows: list[dict], by: Sequence[str], metrics: Sequence[str]) -> list[dict]:
    """Group rows by the ``by`` columns; per group, each metric's mean and std (None if any
    value is missing) and how many seeds it had."""
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


def fields(obj: object, *names: str) -> dict:
    """{name: obj.name} for the given names."""
    return {name: getattr(obj, name) for name in names}


def finite(row: dict) -> dict:
    """NaN and infinity become None: JSON has no such numbers."""
    return {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in row.items()}


def _var(values: Sequence[float]) -> float:
    return statistics.variance(values) if len(values) > 1 else 0.0
