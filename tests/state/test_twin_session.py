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
