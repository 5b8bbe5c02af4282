"""The Overfitting lab in AppTest, on small settings so each sweep takes a second or two."""

import pytest

from dropout_viz.ui.shared_results import SWEEPS

from .conftest import page_test


@pytest.fixture
def lab():
    at = page_test("overfitting_lab")
    # Small and quick: two seeds, 250 steps, 16 units.
    at.session_state["lab_steps"] = 250
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
        ("size", "training points"),
        ("regularizers", None),
        ("coadaptation", "most important single unit"),
    ):
        lab.segmented_control(key="lab_experiment").set_value(experiment).run()
        assert not lab.exception, [e.message for e in lab.exception]
        assert len(lab.get("plotly_chart")) == 1
        if expected:
            assert expected in " ".join(i.value for i in lab.info)


def test_results_are_shared_between_sessions(lab):
    first = page_test("overfitting_lab")
    for key in ("lab_steps", "lab_seeds", "lab_width"):
        first.session_state[key] = lab.session_state[key]
    before = len(SWEEPS._results)
    first.run()  # a second student, same settings: no new training
    assert len(SWEEPS._results) == before
    assert [s.value for s in first.success] == [s.value for s in lab.success]


def test_regression_dataset_and_coadaptation_warns(lab):
    lab.sidebar.selectbox(key="lab_dataset").set_value("sine").run()
    lab.segmented_control(key="lab_experiment").set_value("coadaptation").run()
    assert "classification dataset" in " ".join(w.value for w in lab.warning)
