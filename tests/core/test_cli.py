import json
import subprocess
import sys

import pytest

from dropout_viz.__main__ import main


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
def test_bad_flags_exit_2_with_a_clear_message(args, message):
    done = run_cli(*args)
    assert done.returncode == 2
    assert message in done.stderr


def test_help_documents_every_flag():
    text = run_cli("train", "--help").stdout
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
