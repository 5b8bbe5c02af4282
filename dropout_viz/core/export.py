"""A run's numbers to take away: the twins' history per evaluated step, as CSV and JSON.

    rows = twin_history(twin.histories, twin.labels)  # one dict per evaluated step
    history_csv(rows), history_json(rows, settings)   # the same numbers, two formats

Floats are written in full (repr), so the CSV reads back to the JSON's numbers exactly;
a value that is not finite (a diverged step) or absent (accuracy of a regression) is
an empty cell in the CSV and null in the JSON.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence

METRICS = ("train_loss", "test_loss", "train_acc", "test_acc", "train_loss_train_mode")


def _prefix(label: str) -> str:
    return label.replace(" ", "_")  # "no dropout" -> "no_dropout_train_loss"


def twin_history(histories: Sequence, labels: Sequence[str]) -> list[dict]:
    """One row per evaluated step with every model's metrics side by side.

    histories: core.training.History of each model, all evaluated at the same steps."""
    steps = histories[0].columns["step"]
    for history in histories[1:]:
        if history.columns["step"] != steps:
            raise ValueError("The models were not evaluated at the same steps.")
    rows = []
    for i, step in enumerate(steps):
        row = {"step": int(step)}
        for label, history in zip(labels, histories):
            for metric in METRICS:
                row[f"{_prefix(label)}_{metric}"] = _finite(history.columns[metric][i])
        rows.append(row)
    return rows


def history_columns(labels: Sequence[str]) -> list[str]:
    return ["step", *(f"{_prefix(label)}_{m}" for label in labels for m in METRICS)]


def history_csv(rows: list[dict], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow("" if row[c] is None else repr(row[c]) for c in columns)
    return out.getvalue()


def history_json(rows: list[dict], settings: dict) -> str:
    return json.dumps({"settings": settings, "history": rows}, indent=1)


def _finite(value) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)
