"""A learner's own data: a CSV file checked, standardised and split like a built-in dataset.

    table = parse_csv(Path("measurements.csv").read_bytes(), shape=PLAYGROUND)
    config = data_config(table, test_share=0.3, n_train=500, seed=0)
    data = make_dataset(config)  # core/data.py: a Dataset, exactly as for "moons"

The last column is the label (2-10 classes: text, or whole numbers) or the target
(any other numbers); every other column is a numeric feature. The Playground takes
x1, x2, label (2-D classification) or x, target (1-D regression); the Overfitting lab
and the CLI up to 64 features. Each check (``core/csv_checks.py``) raises
``UserDataError`` naming the row and column at fault. Rows are counted as a
spreadsheet counts them: the header is row 1. Features (and a regression target) are
standardised over all rows of the file, so the axes do not move with the seed.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from . import limits
from .csv_checks import (
    LAB,
    PLAYGROUND,
    UserDataError,
    check_shape,
    feature_matrix,
    header_of,
    rows_of,
    task_of,
)
from .data import OWN_DATA, USER_SOURCES, DataConfig, Dataset

__all__ = ["LAB", "PLAYGROUND", "UserDataError", "UserTable", "example_csv", "parse_csv"]

_REGISTRY_SIZE = 64  # files kept loaded at once, server-wide (each at most ~1 MB of floats)
_lock = threading.Lock()


@dataclass(frozen=True, eq=False)
class UserTable:
    """A checked file: standardised features, and class indices or a standardised target."""

    name: str
    digest: str  # sha256 of the file's bytes, 16 hex digits: the same file, the same key
    feature_names: tuple[str, ...]
    label_name: str
    features: np.ndarray = field(repr=False)  # (rows, features) float64, mean 0, std 1
    target: np.ndarray = field(repr=False)  # (rows,) int64 class index, or float64 standardised
    classes: tuple[str, ...]  # the label's values in class-index order; () for regression
    feature_mean: tuple[float, ...] = ()
    feature_std: tuple[float, ...] = ()
    target_mean: float = 0.0  # regression: target = (value - mean) / std
    target_std: float = 1.0

    @property
    def key(self) -> str:
        return OWN_DATA + self.digest

    @property
    def rows(self) -> int:
        return len(self.target)

    @property
    def task(self) -> str:
        return "classification" if self.classes else "regression"

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def describe(self) -> str:
        """What the app made of the file, in one sentence for the learner."""
        what = (
            f"classification into {self.n_classes} classes of **{self.label_name}** "
            f"({', '.join(self.classes)})"
            if self.classes
            else f"regression of **{self.label_name}**"
        )
        return (
            f"**{self.name}**: {self.rows} rows, {len(self.feature_names)} feature "
            f"column{'s' if len(self.feature_names) > 1 else ''} "
            f"({', '.join(self.feature_names)}); task: {what}. Each feature"
            + (" and the target are" if not self.classes else " is")
            + " standardised (mean 0, standard deviation 1 over all rows)."
        )

    # --- a source of DataConfig / make_dataset (core/data.py) ---------------------------
    def check(self, config: DataConfig) -> None:
        limits.SEED.check(config.seed)
        if config.n_train < 1 or config.n_test < 1:
            raise ValueError(
                f"{self.name} needs at least 1 training and 1 test point, "
                f"got {config.n_train} and {config.n_test}."
            )
        if config.n_train + config.n_test > self.rows:
            raise ValueError(
                f"{self.name} has {self.rows} rows: training points + test points must be at "
                f"most {self.rows}, got {config.n_train} + {config.n_test}."
            )

    def make(self, config: DataConfig) -> Dataset:
        """Test points first from a seeded permutation, then the training points: like
        digits, a smaller training set is the first points of a larger one."""
        self.check(config)
        order = np.random.default_rng(config.seed).permutation(self.rows)
        test = order[: config.n_test]
        train = order[config.n_test : config.n_test + config.n_train]

        def targets(index: np.ndarray) -> torch.Tensor:
            if self.classes:
                return torch.as_tensor(self.target[index], dtype=torch.long)
            return torch.as_tensor(self.target[index], dtype=torch.float32).reshape(-1, 1)

        return Dataset(
            config=config,
            x_train=torch.as_tensor(self.features[train], dtype=torch.float32),
            y_train=targets(train),
            x_test=torch.as_tensor(self.features[test], dtype=torch.float32),
            y_test=targets(test),
            n_classes=self.n_classes,
        )


# --- the registry -------------------------------------------------------------------------
def register(table: UserTable) -> str:
    """Make table a dataset DataConfig accepts; return its key. Call it before each use:
    only the most recently used files stay loaded."""
    with _lock:
        USER_SOURCES.pop(table.key, None)
        USER_SOURCES[table.key] = table  # dicts keep insertion order: newest last
        while len(USER_SOURCES) > _REGISTRY_SIZE:
            del USER_SOURCES[next(iter(USER_SOURCES))]
    return table.key


def lookup(key: str) -> UserTable | None:
    return USER_SOURCES.get(key)


def data_config(table: UserTable, test_share: float, n_train: int, seed: int) -> DataConfig:
    """The test share of all rows is the test set; up to n_train of the rest train.
    Registers the table, so make_dataset takes the config at once."""
    limits.TEST_SHARE.check(test_share)
    register(table)
    n_test = min(table.rows - 1, max(1, round(table.rows * test_share)))
    return DataConfig(table.key, max(1, min(n_train, table.rows - n_test)), n_test, 0.0, seed)


def sizes_within(config: DataConfig, sizes: Sequence[int]) -> tuple[int, ...]:
    """Training-set sizes the config's data can give: all of them for a built-in set;
    for own data, those below the rows its test share leaves, then that number."""
    table = lookup(config.dataset)
    if table is None:
        return tuple(sizes)
    room = table.rows - config.n_test
    return (*(n for n in sizes if n < room), room)


# --- parsing ------------------------------------------------------------------------------
def parse_csv(raw: bytes, *, name: str = "data.csv", shape: str = PLAYGROUND) -> UserTable:
    """Check a CSV file's bytes and turn them into a table; UserDataError says what is wrong."""
    if shape not in (PLAYGROUND, LAB):
        raise ValueError(f"shape must be {PLAYGROUND!r} or {LAB!r}, got {shape!r}.")
    rows = rows_of(raw, name)
    header, body, first_row = header_of(rows)
    check_shape(header, body, first_row, name, shape)
    features = feature_matrix(header, body, first_row)
    labels = [row[-1].strip() for row in body]
    label_name = header[-1]
    classes, target = task_of(labels, label_name, header, first_row, shape)
    for j, column in enumerate(features.T):
        if np.all(column == column[0]):
            raise UserDataError(
                f"Column {j + 1} ('{header[j]}') has the same value, {column[0]:g}, in every row: "
                "it tells the networks nothing. Delete the column."
            )
    mean, std = features.mean(0), features.std(0)
    target_mean, target_std = 0.0, 1.0
    if not classes:
        target_mean, target_std = float(target.mean()), float(target.std())
        target = (target - target_mean) / target_std
    return UserTable(
        name=name,
        digest=hashlib.sha256(raw).hexdigest()[:16],
        feature_names=tuple(header[:-1]),
        label_name=label_name,
        features=(features - mean) / std,
        target=target,
        classes=classes,
        feature_mean=tuple(mean.tolist()),
        feature_std=tuple(std.tolist()),
        target_mean=target_mean,
        target_std=target_std,
    )


# --- example files, made by code so they always pass the checks --------------------------
EXAMPLE_KINDS = ("classification", "three_classes", "regression", "lab")


@functools.cache  # the pages offer them on every rerun: make each once
def example_csv(kind: str) -> bytes:
    """A small valid file of each shape: "classification" (x1, x2, label: two classes),
    "three_classes" (x1, x2, kind), "regression" (x, y) or "lab" (8 features and a label:
    three classes)."""
    rng = np.random.default_rng(0)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if kind == "classification":
        n = 200
        label = rng.integers(0, 2, n)
        angle = rng.uniform(0, np.pi, n)
        x1 = np.where(label, 1 - np.cos(angle), np.cos(angle)) + rng.normal(0, 0.3, n)
        x2 = np.where(label, 0.5 - np.sin(angle), np.sin(angle)) + rng.normal(0, 0.3, n)
        writer.writerow(["x1", "x2", "label"])
        writer.writerows(zip(np.round(x1, 4), np.round(x2, 4), label))
    elif kind == "three_classes":
        n = 240
        label = rng.integers(0, 3, n)
        centres = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 1.7]])
        x = centres[label] + rng.normal(0, 0.65, (n, 2))
        writer.writerow(["x1", "x2", "kind"])
        names = np.array(["a", "b", "c"])
        writer.writerows([*np.round(row, 4), names[k]] for row, k in zip(x, label))
    elif kind == "regression":
        n = 120
        x = rng.uniform(0, 10, n)
        y = 3 + 2 * np.sin(x) + 0.3 * x + rng.normal(0, 0.6, n)
        writer.writerow(["hours", "temperature"])
        writer.writerows(zip(np.round(x, 3), np.round(y, 3)))
    elif kind == "lab":
        n, d = 300, 8
        label = rng.integers(0, 3, n)
        centres = rng.normal(0, 1.0, (3, d))
        x = centres[label] + rng.normal(0, 1.2, (n, d))
        writer.writerow([f"f{j + 1}" for j in range(d)] + ["species"])
        names = np.array(["alpha", "beta", "gamma"])
        writer.writerows([*np.round(row, 4), names[k]] for row, k in zip(x, label))
    else:
        raise ValueError(f"kind must be one of {', '.join(EXAMPLE_KINDS)}, got {kind!r}.")
    return out.getvalue().encode()
