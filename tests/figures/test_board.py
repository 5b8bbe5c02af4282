"""The Playground's live board, built from a twin session without Streamlit."""

import numpy as np
import pytest

from dropout_viz.figures import board, live
from dropout_viz.state.twin_session import PlaygroundSettings, TwinSession


@pytest.fixture(scope="module")
def session():
    session = TwinSession(PlaygroundSettings(n_train=20, width=8, batch_size=8))
    session.step(12)
    return session


def test_board_has_two_boundaries_the_network_and_the_curves(session):
    payload = board.board_payload(session, example=0, frequency=False)
    kinds = [p["kind"] for p in payload["panels"]]
    assert kinds == ["boundary", "boundary", "network", "stack"] and payload["step"] == 12
    first, second, network, stack = payload["panels"]
    assert first["title"] == "No dropout (p = 0)" and second["title"] == "Dropout (p = 0.5)"
    assert first["highlight"] is None and second["highlight"] is not None
    assert "boundary length" in first["summary"]
    assert "ringed example" in network["title"] and network["title"].endswith("= 2")
    assert [p["kind"] for p in stack["panels"]] == ["lines", "lines"]


def test_the_ringed_point_is_the_drawn_example_of_the_last_batch(session):
    record = session.twin.last_step
    for example in (0, 3):  # the last batch (step 12) is an epoch's last: 4 of 20
        highlight = board.boundary_panels(session, highlight=example)[1]["highlight"]
        assert highlight == int(record.batch_index[example])


def test_an_example_past_the_last_batch_is_clamped(session):
    # 20 points in batches of 8: the last batch of an epoch has 4
    assert board.board_payload(session, example=99, frequency=False)["step"] == 12


def test_network_draws_the_dropout_twins_masks_of_that_example(session):
    record = session.twin.last_step
    example = 3
    payload = board.network_panel(session.twin, example, frequency=False)
    hidden = payload["layers"][1]
    mask = record.keep_masks[1][1, example].numpy().astype(int)  # layer 1, twin 1 (dropout)
    assert live.unpack_u8(hidden["kept"]).tolist() == mask.tolist()


def test_frequency_shades_units_by_the_share_of_the_batch_that_dropped_them(session):
    payload = board.board_payload(session, example=0, frequency=True)
    network = payload["panels"][2]
    assert "share of the batch" in network["title"]
    dropped = 1 - session.twin.last_step.keep_masks[1][1].float().mean(0).numpy()
    shades = live.unpack_u8(network["layers"][1]["dropped_share"])
    assert np.allclose(shades / 255, dropped, atol=1 / 255)


def test_curves_have_train_and_test_for_each_twin(session):
    names = [s["name"] for s in board.loss_curves(session.twin)["series"]]
    assert len(names) == 4 and names[0].endswith(": train") and names[1].endswith(": test")
    names = [s["name"] for s in board.train_vs_eval(session.twin)["series"]]
    assert names == ["train, dropout on", "train, dropout off", "test"]


def test_a_new_session_draws_before_any_step():
    fresh = TwinSession(PlaygroundSettings(dataset="sine", n_train=10, width=4))
    payload = board.board_payload(fresh, example=0, frequency=False)
    first = payload["panels"][0]
    assert "curve" in first and "boundary length" not in first["summary"]
    assert payload["step"] == 0
