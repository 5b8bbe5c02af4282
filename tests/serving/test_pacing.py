"""The back-pressure rule: every live session stretched by one common factor, so the
predicted work fits the CPU share live pages may use."""

import pytest

from dropout_viz.serving import pacing
from dropout_viz.serving.pacing import MAX_INTERVAL, Pacer


class Clocks:
    """A wall clock and a process CPU clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0
        self.cpu = 0.0

    def pacer(self, **kwargs) -> Pacer:
        return Pacer(clock=lambda: self.now, cpu_clock=lambda: self.cpu, **kwargs)


def play(pacer: Pacer, clocks: Clocks, sessions: int, cost: float, base: float = 0.05) -> float:
    """One update from each session, all at the same moment; the last interval given."""
    return [pacer.update(f"s{i}", base, cost) for i in range(sessions)][-1]


def test_one_session_on_a_free_server_keeps_its_base_pace():
    clocks = Clocks()
    pacer = clocks.pacer()
    assert play(pacer, clocks, 1, cost=0.018) == 0.05
    assert pacer.stretch == 1.0


def test_thirty_sessions_share_one_fitting_stretch():
    clocks = Clocks()
    pacer = clocks.pacer(target_load=0.75)
    play(pacer, clocks, 30, cost=0.018)  # the class joins: early ones were told less...
    interval = play(pacer, clocks, 30, cost=0.018)  # ...and everyone's next update evens it
    demand = 30 * (0.018 + pacer.overhead) / 0.05  # cores wanted at the base pace
    assert pacer.stretch == pytest.approx(demand / 0.75)
    # The interval is the stretched base, rounded *up* to the 10 % grid: the predicted
    # load never exceeds the target, and is within one grid step of it.
    load = 30 * (0.018 + pacer.overhead) / interval
    assert 0.75 / pacing.GRID <= load <= 0.75
    # Fair: every session is told the same interval.
    assert {pacer.interval(f"s{i}", 0.05) for i in range(30)} == {interval}


def test_intervals_are_capped_so_every_screen_updates_once_a_second():
    clocks = Clocks()
    pacer = clocks.pacer()
    assert play(pacer, clocks, 500, cost=0.05) == MAX_INTERVAL


def test_a_session_with_a_longer_base_is_stretched_by_the_same_factor():
    clocks = Clocks()
    pacer = clocks.pacer()
    play(pacer, clocks, 5, cost=0.018)
    follower = pacer.update("follower", 0.15, 0.002)
    trainer = pacer.update("s0", 0.05, 0.018)
    assert follower / 0.15 == pytest.approx(trainer / 0.05, rel=pacing.GRID - 1)


def test_sessions_that_stop_updating_no_longer_count():
    clocks = Clocks()
    pacer = clocks.pacer()
    play(pacer, clocks, 30, cost=0.018)
    assert pacer.sessions == 30
    clocks.now += pacing.STALE_AFTER + 3 * MAX_INTERVAL + 0.1  # 29 tabs were closed
    assert pacer.update("s0", 0.05, 0.018) == 0.05  # the last one is alone again
    assert pacer.sessions == 1


def test_leave_gives_the_share_back_at_once():
    clocks = Clocks()
    pacer = clocks.pacer()
    play(pacer, clocks, 10, cost=0.018)
    for i in range(1, 10):
        pacer.leave(f"s{i}")
    assert pacer.update("s0", 0.05, 0.018) == 0.05


def test_overhead_is_learned_from_the_cpu_time_no_session_accounted_for():
    clocks = Clocks()
    pacer = clocks.pacer()
    # 10 updates a second, each 5 ms of our code plus 7 ms of Streamlit's around it.
    for _ in range(200):
        clocks.now += 0.1
        clocks.cpu += 0.012
        pacer.update("s0", 0.05, 0.005)
    assert pacer.overhead == pytest.approx(0.007, rel=0.05)
    high = pacing.OVERHEAD_BOUNDS[1]
    for _ in range(50):  # a burst of other work (a sweep) is bounded, not believed whole
        clocks.now += 0.1
        clocks.cpu += 1.0
        pacer.update("s0", 0.05, 0.005)
    assert pacer.overhead == high


def test_one_slow_tick_does_not_jerk_the_pace():
    clocks = Clocks()
    pacer = clocks.pacer()
    for _ in range(20):
        pacer.update("s0", 0.05, 0.010)
    assert pacer.update("s0", 0.05, 0.200) < 0.05 * 2  # smoothed, not 0.2 s at once


def test_a_session_is_never_asked_faster_than_it_is_served():
    """A browser whose timer fires before its last run ended makes Streamlit drop that
    run's unsent elements: the interval stays above twice the tick's own latency."""
    clocks = Clocks()
    pacer = clocks.pacer()
    for _ in range(30):  # alone on the server, but each tick waits 0.2 s (a slow machine)
        interval = pacer.update("s0", 0.05, cost=0.018, latency=0.2)
    assert pacer.stretch == 1.0
    assert interval == pytest.approx(pacing.SAFETY * 0.2, rel=0.01)
    assert pacer.update("s0", 0.05, cost=0.018, latency=3.0) > MAX_INTERVAL  # beyond the cap
