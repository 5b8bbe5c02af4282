"""--csv-data: the CLI learns the same file the pages take, and refuses a bad one up front."""

from __future__ import annotations

import json

import pytest

from dropout_viz.__main__ import main
from dropout_viz.core.user_data import example_csv


@pytest.fixture
def files(tmp_path):
    paths = {}
    for kind in ("classification", "regression", "lab"):
        paths[kind] = tmp_path / f"{kind}.csv"
        paths[kind].write_bytes(example_csv(kind))
    paths["bad"] = tmp_path / "bad.csv"
    paths["bad"].write_bytes(b"x1,x2,label\n" + b"1,2,0\n" * 5 + b"1,inf,1\n" + b"1,3,1\n" * 20)
    return paths


def _exit_code(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    return stop.value.code


def test_a_bad_file_exits_2_naming_the_cell_before_training(files, capsys):
    assert _exit_code(["train", "--csv-data", str(files["bad"])]) == 2
    err = capsys.readouterr().err
    assert "Row 7, column 2 ('x2')" in err and "infinite" in err
    assert _exit_code(["sweep", "--csv-data", str(files["bad"]).replace("bad", "none")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_more_training_points_than_the_file_leaves_exits_2(files, capsys):
    argv = ["train", "--csv-data", str(files["classification"]), "--test-share", "0.5"]
    assert _exit_code([*argv, "--n-train", "101"]) == 2
    assert "leaves 100 for training" in capsys.readouterr().err


def test_train_on_a_file_uses_every_row_the_test_share_leaves(files, tmp_path):
    out = tmp_path / "run.json"
    argv = ["train", "--csv-data", str(files["regression"]), "--test-share", "0.25"]
    assert main([*argv, "--epochs", "20", "--hidden", "8", "--json", str(out)]) == 0
    payload = json.loads(out.read_text())
    data = payload["config"]["data"]
    assert data["dataset"].startswith("own:") and (data["n_train"], data["n_test"]) == (90, 30)
    assert payload["config"]["csv_data"] == str(files["regression"])
    assert payload["summary"][0]["test_acc"] is None  # it picked regression


def test_sweep_on_many_features(files, tmp_path):
    out = tmp_path / "sweep.csv"
    argv = ["sweep", "--csv-data", str(files["lab"]), "--p", "0,0.5", "--seeds", "1"]
    assert main([*argv, "--epochs", "20", "--hidden", "16", "--csv", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 3 and lines[0].startswith("label,p,seed,n_train")
