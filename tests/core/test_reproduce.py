"""The lab's command line: running it gives the lab's numbers, on built-in and own data."""

from __future__ import annotations

import json
import shlex

import pytest

from dropout_viz.__main__ import main
from dropout_viz.core import sweep
from dropout_viz.core.data import DataConfig
from dropout_viz.core.reproduce import PROGRAM, sweep_command
from dropout_viz.core.training import TrainConfig
from dropout_viz.core.user_data import LAB, data_config, example_csv, parse_csv


def _cli(command: str, tmp_path) -> dict:
    assert command.startswith(PROGRAM + " ")
    out = tmp_path / "cli.json"
    assert main([*shlex.split(command[len(PROGRAM) :]), "--json", str(out)]) == 0
    return json.loads(out.read_text())


def _same_records(result: sweep.SweepResult, cli: dict) -> None:
    assert len(cli["results"]) == len(result.records)
    for row, record in zip(cli["results"], result.records):
        for name in ("label", "p", "seed", "n_train", "steps", "train_loss", "test_loss"):
            assert row[name] == getattr(record, name), name


def test_the_p_sweep_command_reproduces_the_result(tmp_path):
    config = sweep.SweepConfig(
        DataConfig("circles", n_train=40, n_test=60, noise=0.2, seed=0),
        TrainConfig(hidden=(8, 8), activation="relu", learning_rate=0.03),
        steps=30,
    )
    result = sweep.p_sweep(config, drop_rates=[0.0, 0.5], seeds=[1, 2])
    command = sweep_command(result)
    assert "sweep --dataset circles" in command and "--p 0,0.5" in command
    assert "--seeds 2 --seed 1" in command and "--noise 0.2" in command
    _same_records(result, _cli(command, tmp_path))


def test_the_size_sweep_command_on_own_data_names_the_file(tmp_path, monkeypatch):
    path = tmp_path / "eight features.csv"
    path.write_bytes(example_csv("lab"))
    table = parse_csv(path.read_bytes(), name=path.name, shape=LAB)
    config = sweep.SweepConfig(
        data_config(table, test_share=0.5, n_train=100, seed=0),
        TrainConfig(hidden=(16,), activation="tanh", weight_decay=0.001),
        steps=20,
    )
    result = sweep.size_sweep(config, sizes=[25, 50], drop_rate=0.3, seeds=[0])
    command = sweep_command(result)
    assert "sweep-size --csv-data 'eight features.csv' --test-share 0.5" in command
    assert "--n-train 25,50 --p 0.3" in command and "--weight-decay 0.001" in command
    monkeypatch.chdir(tmp_path)  # the command names the file as the learner saved it
    _same_records(result, _cli(command, tmp_path))


def test_experiments_without_a_command(tmp_path):
    config = sweep.SweepConfig(DataConfig("moons", n_train=30, n_test=30), steps=5)
    result = sweep.regularizer_comparison(config, seeds=[0])
    assert sweep_command(result) is None
    with pytest.raises(AssertionError):
        _cli("not the program", tmp_path)
