"""Inference (the ensemble) in AppTest: sub-networks, their average against eval mode, the
histogram of one input; the controls; the Playground's twin read, never changed."""

import numpy as np
import pytest
import torch

from dropout_viz.core import limits
from dropout_viz.pages.playground import STATE
from dropout_viz.state.twin_session import PlaygroundSettings, TwinSession
from dropout_viz.ui.common import CACHE
from tests.pages.charts import chart, trace


def named(figure: dict, prefix: str) -> list[dict]:
    return [t for t in figure["data"] if str(t.get("name", "")).startswith(prefix)]


def test_default_network_and_its_controls(run_page):
    at = run_page("inference")
    assert "No Playground run in this session yet" in at.info[0].value
    assert not at.sidebar.radio  # nothing to choose between
    thumbs = chart(at, "inf_sub_networks")
    assert len(named(thumbs, "unit dropped")) == limits.SUB_NETWORKS_DRAWN.default
    assert all(w.help for w in at.sidebar.slider) and at.sidebar.number_input[0].help

    # The metrics are the charts' numbers: distance at N and the floor.
    metrics = {m.label: m.value for m in at.metric}
    distance = trace(chart(at, "inf_distance"), "averaging P(class 1) (the ensemble)")
    n = limits.SUB_NETWORKS.default
    assert float(metrics[f"Distance at N = {n}"]) == pytest.approx(distance["y"][n - 1], abs=6e-4)
    assert named(chart(at, "inf_distance"), "what N → ∞ leaves")
    assert float(metrics["What N → ∞ leaves"]) > 0.01  # two tanh layers: not exact
    assert "What this run gives." in " ".join(m.value for m in at.markdown)

    # N moves the average and the marker; no sub-network is drawn again.
    before = np.asarray(chart(at, "inf_average")["data"][0]["z"])
    at.sidebar.slider(key="inf_n").set_value(1).run()
    assert not at.exception
    assert trace(chart(at, "inf_distance"), "N = 1, the slider")["x"] == [1, 1]
    average = chart(at, "inf_average")
    assert average["layout"]["annotations"][0]["text"] == "average of 1 sub-network"
    assert not np.allclose(before, np.asarray(average["data"][0]["z"]))
    assert len(at.session_state[CACHE]["inference_ensemble"]) == 1

    # Drawn count and mask seed.
    at.sidebar.slider(key="inf_shown").set_value(12).run()
    assert len(named(chart(at, "inf_sub_networks"), "unit dropped")) == 12
    first = named(chart(at, "inf_sub_networks"), "unit dropped")[0]["y"]
    at.sidebar.number_input(key="inf_seed").set_value(5).run()
    assert not at.exception
    assert named(chart(at, "inf_sub_networks"), "unit dropped")[0]["y"] != first
    assert len(at.session_state[CACHE]["inference_default"]) == 1  # the same network

    # The histogram's input: the most disputed training point by default; any other one.
    histogram = chart(at, "inf_histogram")
    outputs = np.asarray(histogram["data"][0]["x"])
    assert len(outputs) == limits.SUB_NETWORKS.high
    mean_line = named(histogram, f"mean of all {len(outputs)}")[0]
    assert mean_line["x"][0] == pytest.approx(outputs.mean(), abs=1e-4)
    slider = next(s for s in at.slider if s.label.startswith("Input: training point"))
    slider.set_value(0).run()
    assert not at.exception
    assert not np.allclose(np.asarray(chart(at, "inf_histogram")["data"][0]["x"]), outputs)


def trained_session(steps: int, dataset: str = "moons") -> TwinSession:
    settings = PlaygroundSettings(dataset=dataset, n_train=30, width=8, drop_rate=0.4, seed=3)
    session = TwinSession(settings)
    session.step(steps)
    return session


def test_reads_the_playground_twin_without_changing_it():
    from tests.pages.conftest import page_test

    session = trained_session(150)
    weights = session.twin.model.flat.detach().clone()
    at = page_test("inference")
    at.session_state[STATE] = session
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.sidebar.radio(key="inf_source").value == "playground"
    caption = " ".join(c.value for c in at.caption)
    assert "The Playground's dropout twin at step 150" in caption and "p = 0.4" in caption
    assert not at.info
    assert session.twin.step_count == 150
    assert torch.equal(session.twin.model.flat, weights)  # read only
    thumbs = chart(at, "inf_sub_networks")
    assert thumbs["layout"]["annotations"][0]["text"].endswith("/16 kept")  # 2 x 8 units

    at.sidebar.radio(key="inf_source").set_value("default").run()
    assert not at.exception
    assert "Default network" in " ".join(c.value for c in at.caption)


def test_a_playground_twin_too_young_is_not_used():
    from tests.pages.conftest import page_test

    at = page_test("inference")
    at.session_state[STATE] = trained_session(10)
    at.run()
    assert not at.exception
    assert "at step 10" in at.info[0].value
    assert "Default network" in " ".join(c.value for c in at.caption)


def test_a_regression_twin_shows_curves_and_its_mse():
    from tests.pages.conftest import page_test

    at = page_test("inference")
    at.session_state[STATE] = trained_session(120, dataset="sine")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert len(named(chart(at, "inf_sub_networks"), "this sub-network")) == 10
    assert trace(chart(at, "inf_distance"), "averaging y (the ensemble)")
    labels = [m.label for m in at.metric]
    assert "Test MSE, eval mode" in labels and "Test MSE, average of 50" in labels
    histogram = chart(at, "inf_histogram")
    assert histogram["layout"]["xaxis"]["title"]["text"] == "network output: the predicted y"
