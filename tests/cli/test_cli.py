import json
import subprocess
import sys

import pytest

from dropout_viz.__main__ import main
from dropout_viz.cli import mc, sweeps, train


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dropout_viz", *args], capture_output=True, text=True, timeout=120
    )


def test_train_json_round_trip(tmp_path):
    target = tmp_path / "run.json"
    assert (
        main(
            [
                "train",
                "--n-train",
                "30",
                "--epochs",
                "50",
                "--hidden",
                "8",
                "--eval-every",
                "10",
                "--json",
                str(target),
            ]
        )
        == 0
    )
    payload = json.loads(target.read_text())
    assert payload["config"]["data"]["n_train"] == 30
    assert payload["config"]["train"]["hidden"] == [8]
    assert [row["label"] for row in payload["summary"]] == ["no dropout", "dropout"]
    assert payload["history"]["dropout"]["step"] == [0, 10, 20, 30, 40, 50]
    for row in payload["summary"]:
        assert row["gap"] == pytest.approx(row["test_loss"] - row["train_loss"])


def test_json_to_stdout_alone_and_table_to_stderr():
    done = run_cli("train", "--epochs", "20", "--hidden", "4", "--json", "-")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)  # nothing but JSON on stdout
    assert payload["summary"][1]["drop_rate"] == 0.3
    assert "no dropout" in done.stderr and "test_loss" in done.stderr


def test_table_without_json(capsys):
    assert main(["train", "--dataset", "sine", "--n-train", "10", "--epochs", "10"]) == 0
    out = capsys.readouterr().out
    assert "no dropout" in out and "gap" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--p", "1.5"], "Dropout rate p must be between"),
        (["train", "--hidden", "a,b"], "give widths like 32,32"),
        (["train", "--dataset", "mnist"], "invalid choice"),
        (["train", "--lr", "x"], "is not a number"),
        (["train", "--dataset", "digits", "--n-train", "1700"], "digits has 1797 images"),
        (["fly"], "invalid choice"),
    ],
)
def test_bad_flags_exit_2_with_a_clear_message(args, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_help_documents_every_flag(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["train", "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    for flag in [
        "--dataset",
        "--n-train",
        "--n-test",
        "--noise",
        "--hidden",
        "--p",
        "--lr",
        "--optimizer",
        "--weight-decay",
        "--batch-size",
        "--epochs",
        "--seed",
        "--json",
    ]:
        assert flag in text


# --- sweep and sweep-size ---------------------------------------------------------------
TINY = ["--hidden", "8", "--epochs", "30", "--n-test", "50"]


def test_sweep_json_alone_on_stdout_with_the_promised_shape():
    done = run_cli("sweep", *TINY, "--p", "0,0.5", "--seeds", "2", "--json", "-")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert set(payload) == {"config", "results", "summary"}
    assert payload["config"]["p"] == [0.0, 0.5] and payload["config"]["seeds"] == 2
    assert [(r["p"], r["seed"]) for r in payload["results"]] == [
        (0.0, 0),
        (0.0, 1),
        (0.5, 0),
        (0.5, 1),
    ]
    for key in ("p", "seed", "n_train", "train_loss", "test_loss", "train_acc", "test_acc"):
        assert key in payload["results"][0]
    for key in ("p", "n_train", "test_loss_mean", "test_loss_std", "test_acc_mean", "gap_mean"):
        assert key in payload["summary"][0]
    assert "test_loss_mean" in done.stderr  # the table went to stderr


def test_sweep_writes_json_and_csv_files(tmp_path, capsys):
    target, table = tmp_path / "sweep.json", tmp_path / "sweep.csv"
    args = ["sweep", *TINY, "--p", "0.2", "--seeds", "3", "--seed", "5"]
    assert main([*args, "--engine", "loop", "--json", str(target), "--csv", str(table)]) == 0
    out = capsys.readouterr().out
    assert "test_loss_mean" in out and f"wrote {table}" in out
    payload = json.loads(target.read_text())
    assert [r["seed"] for r in payload["results"]] == [5, 6, 7]
    assert payload["config"]["engine"] == "loop"
    lines = table.read_text().splitlines()
    assert lines[0].startswith("label,p,seed,n_train") and len(lines) == 4


def test_sweep_size_reports_the_gain_per_size(capsys):
    args = ["sweep-size", *TINY, "--n-train", "20,40", "--p", "0.5", "--seeds", "2"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "no dropout" in out and "gain" in out and "error_with_dropout" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sweep", "--p", ""], "give at least one value"),
        (["sweep", "--p", "0.1,1.0"], "Dropout rate p must be between"),
        (["sweep", "--p", "0.1,x"], "is not a number"),
        (["sweep", "--seeds", "0"], "Seeds must be between"),
        (["sweep", "--engine", "gpu"], "invalid choice"),
        (["sweep-size", "--n-train", ","], "give at least one value"),
        (["sweep-size", "--n-train", "50,5000"], "Training points must be between"),
        (["sweep-size", "--dataset", "digits", "--n-train", "100,1600"], "digits has 1797"),
        (["sweep-size", "--batch-size", "16"], "drop --batch-size"),
        (
            [
                "sweep",
                "--hidden",
                "512,512,512,512",
                "--seeds",
                "20",
                "--p",
                ",".join(["0.1"] * 20),
            ],
            "limit of",
        ),
    ],
)
def test_bad_sweep_input_exits_2_before_training(args, message, capsys, monkeypatch):
    from dropout_viz.core import sweep_engines

    def no_training(*args, **kwargs):
        raise AssertionError("training started")

    monkeypatch.setattr(sweep_engines, "train_batched", no_training)
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("command", ["sweep", "sweep-size"])
def test_sweep_help_documents_every_flag(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = capsys.readouterr().out
    for flag in ["--dataset", "--n-train", "--hidden", "--p", "--seeds", "--epochs", "--engine"]:
        assert flag in text
    for flag in ["--json", "--csv", "--seed", "--lr", "--batch-size"]:
        assert flag in text


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "--json", "{missing}/run.json"],
        ["sweep", "--csv", "{missing}/runs.csv"],
        ["sweep-size", "--json", "{folder}"],
        ["mc", "sine", "--json", "{missing}/mc.json"],
    ],
    ids=["train-json", "sweep-csv", "sweep-size-json-folder", "mc-json"],
)
def test_an_output_path_that_cannot_be_written_exits_2_before_training(
    argv, tmp_path, monkeypatch, capsys
):
    def no_training(args):
        raise AssertionError("trained before the output path was checked")

    monkeypatch.setattr(train, "run", no_training)
    monkeypatch.setattr(sweeps, "run_sweep", no_training)
    monkeypatch.setattr(sweeps, "run_sweep_size", no_training)
    monkeypatch.setitem(mc.RUNS, "sine", no_training)
    argv = [a.format(missing=tmp_path / "missing", folder=tmp_path) for a in argv]
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"error: {argv[-2]} {argv[-1]}: " in err
