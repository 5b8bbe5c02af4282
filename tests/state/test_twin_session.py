"""One learner's Playground state, without Streamlit."""

from dropout_viz.state.twin_session import PlaygroundSettings, TwinSession


def test_a_press_of_pause_delivered_twice_still_pauses():
    # Streamlit can run a button's callback twice for one press that lands on a tick
    # of play (seen in the browser test); Play and Pause must set, not toggle.
    session = TwinSession(PlaygroundSettings())
    session.play(True)
    session.play(True)
    assert session.playing
    session.play(False)
    session.play(False)
    assert not session.playing


def test_a_diverged_twin_does_not_play():
    session = TwinSession(PlaygroundSettings())
    session.twin.status = "diverged"
    session.play(True)
    assert not session.playing


def test_steps_are_counted_and_reset_starts_again():
    session = TwinSession(PlaygroundSettings())
    assert session.step(5) == 5
    assert session.twin.step_count == 5
    session.reset()
    assert session.twin.step_count == 0


def test_every_publish_is_counted_even_after_a_reset():
    # A screen tells updates apart by this count: a Reset back to step 0 must not look
    # like the step-0 update it had before.
    session = TwinSession(PlaygroundSettings())
    session.publish(b"{}", " · 2 following")
    first = session.snapshot
    session.step(3)
    session.reset()
    session.publish(b"{}")
    assert (first.serial, session.snapshot.serial) == (0, 1)
    assert first.step == session.snapshot.step == 0
    assert first.note == " · 2 following" and session.snapshot.note == ""


def test_each_run_has_its_own_owner_key():
    keys = {TwinSession(PlaygroundSettings()).owner_key for _ in range(3)}
    assert len(keys) == 3 and all(len(key) >= 12 for key in keys)
