"""The Overfitting lab in AppTest, on small settings so each sweep takes a second or two."""

import pytest

from dropout_viz.pages import lab_grid
from dropout_viz.state.shared_results import SWEEPS

from .conftest import page_test


@pytest.fixture
def lab():
    at = page_test("overfitting_lab")
    # Small and quick: two seeds, 250 steps, 16 units.
    for dataset in ("moons", "sine", "digits"):  # each dataset has its own default steps
        at.session_state[f"lab_steps_{dataset}"] = 250
    at.session_state["lab_seeds"] = 2
    at.session_state["lab_width"] = 16
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_p_sweep_runs_and_dropout_closes_the_gap(lab):
    summary = " ".join(s.value for s in lab.success)
    assert "Lowest test loss at p =" in summary
    assert len(lab.get("plotly_chart")) == 1
    rows = lab.dataframe[0].value
    assert list(rows["p"]) == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8])
    # The paper's point, measured: more dropout, smaller generalization gap.
    assert rows["gap"].iloc[-1] < rows["gap"].iloc[0]


def test_each_experiment_runs(lab):
    for experiment, expected in (
        ("size", "Dropout lowered the test error clearly"),  # with which sizes: the run says
        ("regularizers", None),
        ("coadaptation", "most important single unit"),
    ):
        lab.segmented_control(key="lab_experiment").set_value(experiment).run()
        assert not lab.exception, [e.message for e in lab.exception]
        assert len(lab.get("plotly_chart")) == 1
        if expected:
            assert expected in " ".join(i.value for i in lab.info)
        else:  # the comparison's sentence, from its own table
            rows = lab.dataframe[0].value
            none = rows.loc[rows["regularizer"] == "none", "test loss"].iloc[0]
            assert f"Test loss: none {none:.3f}" in " ".join(s.value for s in lab.success)


def test_results_are_shared_between_sessions(lab):
    first = page_test("overfitting_lab")
    for key in ("lab_steps_moons", "lab_seeds", "lab_width"):
        first.session_state[key] = lab.session_state[key]
    before = len(SWEEPS._results)
    first.run()  # a second student, same settings: no new training
    assert len(SWEEPS._results) == before
    assert [s.value for s in first.success] == [s.value for s in lab.success]


def test_regression_dataset_and_coadaptation_warns(lab):
    lab.sidebar.selectbox(key="lab_dataset").set_value("sine").run()
    lab.segmented_control(key="lab_experiment").set_value("coadaptation").run()
    assert "classification dataset" in " ".join(w.value for w in lab.warning)


def test_the_p_sweep_sentence_follows_the_run(lab):
    first = " ".join(s.value for s in lab.success)
    lab.sidebar.slider(key="lab_n_train").set_value(120).run()
    second = " ".join(s.value for s in lab.success)
    assert second != first
    rows = lab.dataframe[0].value
    best = rows.loc[rows["test loss"].idxmin()]
    assert f"Lowest test loss at p = {best['p']:g}: {best['test loss']:.3f}" in second


def test_digits_start_from_their_own_learning_rate(lab):
    assert lab.sidebar.select_slider(key="lab_lr_moons").value == 0.01
    lab.sidebar.selectbox(key="lab_dataset").set_value("digits").run()
    assert lab.sidebar.select_slider(key="lab_lr_digits").value == 0.001


def test_best_p_grid_draws_each_rows_best_and_says_it(lab, monkeypatch):
    monkeypatch.setattr(lab_grid, "RATES", (0.0, 0.4, 0.8))
    monkeypatch.setattr(lab_grid, "SIZES", (20, 60))
    monkeypatch.setattr(lab_grid, "WIDTHS", (4, 16))
    lab.segmented_control(key="lab_experiment").set_value("grid").run()
    assert not lab.exception, [e.message for e in lab.exception]
    for axis, column, values in (
        ("n_train", "training points", [20, 60]),
        ("width", "units per layer", [4, 16]),
    ):
        lab.radio(key="lab_grid_axis").set_value(axis).run()
        assert not lab.exception, [e.message for e in lab.exception]
        assert len(lab.get("plotly_chart")) == 1
        rows = lab.dataframe[0].value
        assert list(rows[column]) == values
        text = " ".join(s.value for s in lab.success)
        for value, p in zip(rows[column], rows["best p"]):
            assert f"{p:g} at {value}" in text  # the sentence quotes this run's table
        assert [b.label for b in lab.main.get("download_button")] == [  # (sidebar: examples)
            "Download the results (JSON)",
            "Download one row per model (CSV)",
        ]
