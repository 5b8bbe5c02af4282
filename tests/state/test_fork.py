"""A fork starts from exactly the teacher's run, and then goes its own way."""

import math

import pytest
import torch

from dropout_viz.state.twin_session import PlaygroundSettings, TwinSession


@pytest.mark.parametrize(
    "settings",
    [PlaygroundSettings(), PlaygroundSettings(optimizer="sgd", batch_size=16, drop_rate=0.3)],
    ids=["adam-full-batch", "sgd-minibatch"],
)
def test_a_fork_goes_on_exactly_as_the_teacher_would(settings):
    teacher = TwinSession(settings)
    teacher.step(47)  # mid-epoch, between two evaluations
    fork = teacher.fork()
    assert fork.twin.step_count == teacher.twin.step_count == 47
    assert torch.equal(fork.twin.model.flat, teacher.twin.model.flat)
    assert fork.settings == teacher.settings
    # Same weights, moments, batches and masks from here on: bit for bit the same run.
    teacher.step(60)
    fork.step(60)
    assert torch.equal(fork.twin.model.flat, teacher.twin.model.flat)
    for mine, theirs in zip(fork.twin.histories, teacher.twin.histories):
        assert mine.columns == theirs.columns
    masks = zip(fork.twin.last_step.keep_masks, teacher.twin.last_step.keep_masks)
    assert all(torch.equal(a, b) for a, b in masks)


def test_a_fork_is_independent_and_paused():
    teacher = TwinSession()
    teacher.playing = True
    teacher.step(30)
    fork = teacher.fork()
    assert not fork.playing and fork.lock is not teacher.lock
    fork.step(5)
    fork.apply(PlaygroundSettings(drop_rate=0.2))  # the student changes p on their copy
    assert teacher.twin.step_count == 30
    assert teacher.settings.drop_rate == 0.5
    assert teacher.twin.model.drop_rates[1].tolist() == [0.5, 0.5]
    assert fork.twin.model.drop_rates[1].tolist() == [pytest.approx(0.2)] * 2


def test_release_frees_the_networks_once():
    session = TwinSession()
    session.publish(b"{}")
    assert session.release() is True
    assert session.twin is None and session.snapshot is None and session.released
    assert session.release() is False


def test_a_fork_is_a_run_of_its_own_for_the_feed_and_the_trainer():
    teacher = TwinSession()
    teacher.publish(b"{}")
    teacher.publish(b"{}")
    teacher.asked = teacher.ticked = 5.0  # the teacher's screen and trainer at work
    fork = teacher.fork()
    # Its own key: the teacher's screen cannot ask for the copy's updates, nor the
    # student's for the teacher's.
    assert fork.owner_key and fork.owner_key != teacher.owner_key
    assert fork.asked == fork.ticked == -math.inf  # nothing asked of it yet
    fork.publish(b"{}")
    assert fork.snapshot.serial == 0  # its updates are counted from its own start
    teacher.publish(b"{}")
    assert teacher.snapshot.serial == 2  # and the teacher's count goes on
