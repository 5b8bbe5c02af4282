"""The trainer thread's rule: which playing run gets the next update, and when.

Most tests drive ``Trainer.run_once`` by hand with fake runs and a fake clock, the way
its thread's loop would (``simulate``); the last ones train a real ``TwinSession``."""

from __future__ import annotations

import itertools
import json
import math
import threading
import time
from collections import Counter
from types import SimpleNamespace

import pytest

from dropout_viz.serving import trainer as trainer_module
from dropout_viz.serving.classroom import Classroom
from dropout_viz.serving.feed import Feed
from dropout_viz.serving.trainer import CHUNK, IDLE_WAIT, Trainer, publish, update
from dropout_viz.state.twin_session import PlaygroundSettings, TwinSession

# Powers of two, so the fake clock's sums are exact and "due" never hangs on a rounding.
TICK = 1 / 16
COST = 1 / 64  # one update's work: less than a tick
LOAD = 0.8


class Clock:
    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeRun:
    """What the trainer reads of a run. ``asked`` = inf: a screen that always wants the
    next update (it asks again as soon as it has painted one)."""

    def __init__(self, name: str, asked: float = math.inf) -> None:
        self.name = name
        self.playing, self.released = True, False
        self.asked, self.ticked = asked, -math.inf
        self.lock = threading.RLock()

    def __repr__(self) -> str:
        return self.name


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    # run_once measures an update's cost with time.perf_counter: on the fake clock too,
    # so a fake update "takes" exactly what its work advanced.
    fake_time = SimpleNamespace(perf_counter=clock, monotonic=clock)
    monkeypatch.setattr(trainer_module, "time", fake_time)
    return clock


def make_trainer(runs, clock, cost=COST, fail=()):
    """A trainer over ``runs`` whose work takes ``cost`` seconds of the clock, raises for
    the runs named in ``fail``, and records who it served, when."""
    served: list[tuple[str, float]] = []

    def work(run) -> None:
        served.append((run.name, clock()))
        clock.advance(cost)
        if run.name in fail:
            raise RuntimeError("a bug in this run's update")

    return Trainer(lambda: runs, work=work, tick=TICK, target_load=LOAD, clock=clock), served


def simulate(trainer, clock, turns: int) -> list[float]:
    """The thread's loop on the fake clock: each turn, run_once, then its rest and its
    wait pass (no wake-ups). Returns each turn's rest."""
    rests = []
    for _ in range(turns):
        rest, wait = trainer.run_once()
        rests.append(rest)
        clock.advance(rest + wait)
    return rests


def names(served) -> list[str]:
    return [name for name, _ in served]


# --- whose turn -------------------------------------------------------------------------
def test_a_run_whose_screen_has_not_asked_is_not_updated(clock):
    run = FakeRun("a", asked=-math.inf)  # playing, but no screen asked (a closed tab)
    trainer, served = make_trainer([run], clock)
    assert trainer.choose(clock()) == (None, IDLE_WAIT)
    simulate(trainer, clock, 5)
    assert served == []
    run.asked = clock()  # its screen asks
    trainer.run_once()
    assert names(served) == ["a"]
    clock.advance(10 * TICK)  # long past its tick, but the screen has not asked again
    simulate(trainer, clock, 5)
    assert names(served) == ["a"]
    run.asked = clock()
    trainer.run_once()
    assert names(served) == ["a", "a"]


def test_a_run_is_updated_at_most_once_per_tick(clock):
    trainer, served = make_trainer([FakeRun("a")], clock)
    simulate(trainer, clock, 100)
    times = [when for _, when in served]
    assert len(times) > 10
    # Exactly a tick apart: never sooner (the rule), and no later (nothing else to do).
    assert {later - earlier for earlier, later in itertools.pairwise(times)} == {TICK}


def test_waking_early_does_not_update_a_run_again(clock):
    # A wake-up (any screen's request) makes the thread look again at once: that must not
    # give a run that was just served another update inside its tick.
    run = FakeRun("a")
    trainer, served = make_trainer([run], clock)
    trainer.run_once()
    for _ in range(10):
        rest, wait = trainer.run_once()
        assert (rest, wait) == (0.0, TICK - COST)  # how long until it may be due
    assert names(served) == ["a"]


def test_the_run_served_longest_ago_goes_first(clock):
    runs = [FakeRun("a"), FakeRun("b"), FakeRun("c")]
    for run, ticked in zip(runs, (5.0, 2.0, 8.0)):
        run.ticked = ticked
    trainer, _ = make_trainer(runs, clock)
    assert trainer.choose(clock()) == (runs[1], IDLE_WAIT)


def test_under_overload_every_playing_run_gets_the_same_share(clock):
    # Each update costs more than a tick: every run is always due, and the thread is
    # always busy. Nobody may get ahead, whatever the order in the list.
    runs = [FakeRun("a"), FakeRun("b"), FakeRun("c")]
    trainer, served = make_trainer(runs, clock, cost=2 * TICK)
    simulate(trainer, clock, 30)
    assert Counter(names(served)) == {"a": 10, "b": 10, "c": 10}
    assert names(served)[:6] == ["a", "b", "c", "a", "b", "c"]  # in turn, not in bursts


def test_a_run_that_asks_late_still_gets_its_turn(clock):
    # Two busy runs keep the thread full; a third whose screen asks only now is served
    # next, because it was served longest ago (never).
    runs = [FakeRun("a"), FakeRun("b")]
    trainer, served = make_trainer(runs, clock, cost=2 * TICK)
    simulate(trainer, clock, 6)
    runs.append(FakeRun("late"))
    simulate(trainer, clock, 1)
    assert names(served)[-1] == "late"


# --- resting for the event loop ---------------------------------------------------------
def test_the_thread_does_not_rest_when_one_run_plays(clock):
    trainer, served = make_trainer([FakeRun("a")], clock)
    rests = simulate(trainer, clock, 20)
    assert len(served) > 5 and set(rests) == {0.0}


def test_the_thread_rests_a_share_of_the_update_while_another_run_waits(clock):
    trainer, served = make_trainer([FakeRun("a"), FakeRun("b")], clock)
    rest, wait = trainer.run_once()  # a; b is due and waits
    assert rest == COST * (1 - LOAD) / LOAD and wait == 0.0
    clock.advance(rest)
    rest, _ = trainer.run_once()  # b; a is not due again yet: nobody waits
    assert rest == 0.0
    assert names(served) == ["a", "b"]


def test_the_thread_gives_way_for_at_most_that_share():
    runs = [FakeRun("a"), FakeRun("b")]
    costs, rests, rested = [], [], threading.Event()

    def work(run) -> None:
        started = time.perf_counter()
        time.sleep(0.01)
        costs.append(time.perf_counter() - started)

    def give_way(seconds: float) -> None:  # the Bell's, in the app
        rests.append(seconds)
        for run in runs:
            run.playing = False  # one rest is enough: let the thread idle
        rested.set()

    trainer = Trainer(lambda: runs, work=work, tick=TICK, target_load=LOAD, give_way=give_way)
    trainer.start()
    assert rested.wait(10)
    # The share of what the update took (measured around it, so a hair more than work).
    assert len(rests) == 1 and rests[0] == pytest.approx(costs[0] * (1 - LOAD) / LOAD, rel=0.2)


def test_a_run_that_has_not_asked_is_not_someone_waiting(clock):
    trainer, _ = make_trainer([FakeRun("a"), FakeRun("hidden", asked=-math.inf)], clock)
    assert trainer.run_once()[0] == 0.0


# --- runs that must not be trained ------------------------------------------------------
def test_paused_and_released_runs_are_never_chosen(clock):
    paused, released = FakeRun("paused"), FakeRun("released")
    paused.playing = False
    released.released = True
    trainer, served = make_trainer([paused, released], clock)
    assert trainer.choose(clock()) == (None, IDLE_WAIT)
    simulate(trainer, clock, 10)
    assert served == []


def test_a_run_whose_update_fails_is_paused_and_the_others_go_on(clock, caplog):
    bad, good = FakeRun("bad"), FakeRun("good")
    trainer, served = make_trainer([bad, good], clock, fail={"bad"})
    simulate(trainer, clock, 10)  # (no exception comes out of the thread's turn)
    assert not bad.playing and good.playing
    assert names(served).count("bad") == 1 and names(served).count("good") > 3
    assert "that run is paused" in caplog.text


def test_a_failure_outside_any_update_is_logged_and_the_next_turn_goes_on(clock, caplog):
    runs = [FakeRun("a")]
    listings = iter([RuntimeError("the classroom's list broke"), runs, runs])

    def listing():
        got = next(listings)
        if isinstance(got, Exception):
            raise got
        return got

    served = []
    trainer = Trainer(listing, work=lambda run: served.append(run.name), tick=TICK, clock=clock)
    assert trainer.turn() == (0.0, IDLE_WAIT)  # (the thread would now wait, not die)
    assert "tries again" in caplog.text
    trainer.turn()
    assert served == ["a"]


# --- the thread -------------------------------------------------------------------------
def trainer_threads() -> int:
    return sum(t.name == "dropout-lab-trainer" for t in threading.enumerate())


def test_starting_twice_starts_one_thread():
    idle = Trainer(lambda: [])  # nothing to train: its thread only waits
    before = trainer_threads()  # (the app's own trainer may run already)
    idle.start()
    thread = idle._thread
    idle.start()
    assert idle._thread is thread and thread.is_alive()
    assert trainer_threads() == before + 1


def test_a_wake_up_ends_the_idle_wait_at_once(monkeypatch):
    # Without the wake-up the thread would sleep for an hour: only wake() can make the
    # update happen within the test's wait.
    monkeypatch.setattr(trainer_module, "IDLE_WAIT", 3600.0)
    runs, looked, done = [], threading.Event(), threading.Event()

    def listed():
        looked.set()
        return list(runs)

    def work(run):
        run.playing = False  # one update, then the thread goes back to idling
        done.set()

    idle = Trainer(listed, work=work)
    idle.start()
    assert looked.wait(10)  # it has looked, found nothing, and is waiting
    runs.append(FakeRun("a"))
    idle.wake()
    assert done.wait(10)


# --- with a real run ----------------------------------------------------------------------
@pytest.fixture
def learner():
    room, session = Classroom(), TwinSession(PlaygroundSettings())
    session.owner = "learner-session"
    session.class_code = room.open(session)
    return room, session


def test_the_owners_ask_gets_one_chunk_trained_and_published(learner):
    room, session = learner
    session.play(True)
    with session.lock:
        publish(session)  # what the page does when it draws the run
    feed, code, key = Feed(room, lambda owner: True), session.class_code, session.owner_key
    trainer = Trainer(room.runs)
    trainer.run_once()
    assert session.twin.step_count == 0  # nobody asked yet
    status, body = feed.answer(code, key=key)  # the learner's screen asks
    had, serial = json.loads(body)["v"], session.snapshot.serial
    trainer.run_once()
    assert session.twin.step_count == CHUNK
    assert session.snapshot.serial > serial
    trainer.run_once()  # the screen has not asked for the next update yet
    assert session.twin.step_count == CHUNK
    status, body = feed.answer(code, after=had, key=key)
    update_ = json.loads(body)
    assert status == 200 and update_["state"] == "live"
    assert update_["head"]["step"] == session.twin.step_count == CHUNK
    assert update_["board"]["panels"]  # the board drawn for it


def test_a_diverging_run_stops_playing_and_says_so(learner):
    room, session = learner
    session.apply(
        PlaygroundSettings(dataset="sine", optimizer="sgd", learning_rate=3.0, activation="relu")
    )
    session.play(True)
    for _ in range(10):
        if not update(session):
            break
    assert session.twin.status == "diverged" and not session.playing
    _, body = Feed(room, lambda owner: True).answer(session.class_code, key=session.owner_key)
    head = json.loads(body)
    assert head["state"] == "paused" and head["head"]["diverged"]  # the canvas stops


def test_a_paused_run_is_not_updated(learner):
    _, session = learner
    assert update(session) is False
    assert session.twin.step_count == 0 and session.snapshot is None


def test_a_run_whose_update_fails_tells_its_screen_it_stopped(learner, caplog):
    room, session = learner
    session.play(True)
    feed, code, key = Feed(room, lambda owner: True), session.class_code, session.owner_key
    with session.lock:
        publish(session)
    feed.answer(code, key=key)  # its screen asks for the next update

    def broken(run) -> None:
        raise RuntimeError("a bug in this run's update")

    Trainer(room.runs, work=broken).run_once()
    assert not session.playing
    status, body = feed.answer(code, key=key)
    assert status == 200 and json.loads(body)["state"] == "paused"  # so its canvas stops
    assert "that run is paused" in caplog.text
