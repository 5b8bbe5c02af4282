"""The `mc` command: the Inference and Uncertainty pages' computations, headless."""

import json
import subprocess
import sys

import pytest

from dropout_viz.__main__ import main
from dropout_viz.core import ensemble as ens
from dropout_viz.core import inference, limits
from dropout_viz.core.data import DEFAULT_NOISE, DataConfig, grid, make_dataset
from dropout_viz.core.rng import generator
from dropout_viz.core.training import TrainConfig

SMALL = ["--n-train", "30", "--n-test", "40", "--hidden", "8,8", "--epochs", "60"]


def test_ensemble_json_alone_on_stdout_and_the_same_numbers_as_the_core():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "dropout_viz",
            "mc",
            "ensemble",
            *SMALL,
            "--sub-networks",
            "50",
            "--mask-seed",
            "3",
            "--json",
            "-",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)  # nothing but JSON on stdout
    assert "floor" in done.stderr  # the table went to stderr
    assert [row["N"] for row in payload["table"]] == [1, 2, 5, 10, 20, 50]
    assert len(payload["curve"]["distance"]) == 50
    assert payload["config"]["train"]["drop_rate"] == 0.5  # the Playground's default p
    summary = payload["summary"]

    # The same computation through the core, as the page makes it.
    data = make_dataset(DataConfig("moons", 30, 40, DEFAULT_NOISE["moons"], 0))
    model = inference.train_dropout_network(data, TrainConfig(hidden=(8, 8), drop_rate=0.5), 60)
    masks = ens.draw_keep_masks(model, 50, generator(3))
    view = ens.predict_ensemble(
        model, grid(data.extent(), limits.BOUNDARY_GRID), masks, "classification"
    )
    curve = ens.convergence(view)
    assert summary["floor"] == pytest.approx(curve.floor, abs=1e-5)
    assert payload["table"][-1]["distance"] == pytest.approx(curve.at(50), abs=1e-5)
    test = ens.predict_ensemble(model, data.x_test, masks, "classification")
    assert summary["eval_test_error"] == pytest.approx(ens.test_score(test, data.y_test).of_eval)
    assert set(summary["point"]) == {
        "training_point",
        "x",
        "eval_output",
        "mean_output",
        "std_output",
    }


def test_sine_and_2d_write_json_files(tmp_path, capsys):
    target = tmp_path / "sine.json"
    assert main(["mc", "sine", "--passes", "20", "--json", str(target)]) == 0
    payload = json.loads(target.read_text())
    assert payload["config"]["passes"] == 20
    assert [round(row["x"]) for row in payload["convergence"]] == [2, 0]
    assert payload["summary"]["gap_over_data"] > 1
    assert main(["mc", "2d", "--passes", "20"]) == 0
    out = capsys.readouterr().out
    assert "held-out region" in out and "entropy_bits" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["mc"], "required"),
        (["mc", "sine", "--p", "0"], "p > 0"),
        (["mc", "2d", "--passes", "5"], "Passes T must be between"),
        (["mc", "ensemble", "--sub-networks", "501"], "Sub-networks averaged must be between"),
        (["mc", "ensemble", "--p", "0"], "one network only"),
        (["mc", "ensemble", "--dataset", "digits"], "needs one output"),
    ],
)
def test_bad_flags_exit_2_before_training(args, message, capsys, monkeypatch):
    def no_training(*args, **kwargs):
        raise AssertionError("training started")

    monkeypatch.setattr(inference, "train_dropout_network", no_training)
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_help_documents_the_flags(capsys):
    with pytest.raises(SystemExit):
        main(["mc", "ensemble", "--help"])
    text = capsys.readouterr().out
    for flag in [
        "--dataset",
        "--hidden",
        "--p",
        "--sub-networks",
        "--mask-seed",
        "--epochs",
        "--json",
    ]:
        assert flag in text
    with pytest.raises(SystemExit):
        main(["mc", "--help"])
    text = capsys.readouterr().out
    assert all(view in text for view in ("ensemble", "sine", "2d"))
