"""The Playground's history download: one CSV row per evaluated step, the JSON's numbers."""

from __future__ import annotations

import csv
import io
import json

import pytest

from dropout_viz.core.data import DataConfig, make_dataset
from dropout_viz.core.export import history_columns, history_csv, history_json, twin_history
from dropout_viz.core.training import TrainConfig, Twin


@pytest.fixture(scope="module", params=["moons", "sine"])
def twin(request):
    data = make_dataset(DataConfig(request.param, n_train=30, n_test=40, seed=1))
    twin = Twin(data, TrainConfig(hidden=(8,), drop_rate=0.5, eval_every=10, seed=1))
    twin.step(95)
    return twin


def test_one_row_per_evaluated_step_with_both_twins(twin):
    rows = twin_history(twin.histories, twin.labels)
    steps = twin.histories[0].columns["step"]
    assert [row["step"] for row in rows] == steps == list(range(0, 91, 10))
    last = rows[-1]
    for k, prefix in enumerate(("no_dropout", "dropout")):
        assert last[f"{prefix}_test_loss"] == twin.histories[k].columns["test_loss"][-1]
        assert last[f"{prefix}_train_loss"] == twin.histories[k].columns["train_loss"][-1]
    assert list(rows[0]) == history_columns(twin.labels)


def test_the_csv_has_the_same_numbers_as_the_json(twin):
    rows = twin_history(twin.histories, twin.labels)
    columns = history_columns(twin.labels)
    table = list(csv.DictReader(io.StringIO(history_csv(rows, columns))))
    payload = json.loads(history_json(rows, {"seed": 1}))
    assert payload["settings"] == {"seed": 1}
    assert len(table) == len(payload["history"]) == len(twin.histories[0])
    for line, row in zip(table, payload["history"]):
        assert list(line) == columns
        for name in columns:
            # Empty cell <-> null (no accuracy in regression, no train-mode loss at step 0).
            assert (None if line[name] == "" else float(line[name])) == row[name]
    regression = twin.data.task == "regression"
    assert (payload["history"][-1]["dropout_test_acc"] is None) == regression


def test_models_evaluated_at_different_steps_are_refused(twin):
    other = Twin(twin.data, TrainConfig(hidden=(8,), eval_every=7))
    other.step(20)
    with pytest.raises(ValueError, match="same steps"):
        twin_history([twin.histories[0], other.histories[0]], ["a", "b"])
