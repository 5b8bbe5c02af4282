"""Back-pressure for live pages: how often each session may update when a class
shares one server.

Why it is needed: a playing tab's fragment timer asks for an update every
``run_every`` seconds whether or not the last one is done, and one Playground
update is ~18 ms of training and drawing. Ten tabs asking 20 times a second
want ~3.5 cores; the script threads then hold the GIL so much of the time that
Streamlit's event loop, which does all the sending, falls minutes behind and
the server stops answering anyone.

The rule: every live session has a *base* interval (its pace on a free server),
and all of them are stretched by one common factor, so that the predicted work
of every live session fits ``TARGET_LOAD`` of one core:

    stretch = max(1, sum_i (cost_i + overhead) / base_i / TARGET_LOAD)
    interval_i = max(min(base_i * stretch, MAX_INTERVAL), SAFETY * latency_i)

One common factor is what makes it fair: each session keeps the same share of
its free-server pace, nobody is starved, and since the demand fits the CPU no
backlog builds up. ``cost_i`` is the wall time of the session's own work per
update, measured while it holds ``TRAINING``: on a machine that other work
slows down it grows, and so does the stretch. ``overhead`` is what Streamlit
spends around each run (running the script, serialising, sending), learned
from the process's CPU time. One core, not all of them: the GIL lets one
Python process use about one core, so more cores are served by more processes
(docs/deploy.md). The browser takes a new interval from any run, so it
applies at the next tick.

The floor ``SAFETY * latency_i`` (latency: from a tick's start to its end,
waits included) is what keeps every screen updating: a browser whose timer
fires again before its last run has finished makes Streamlit start the next
run at once and drop the last one's unsent elements, so a session asked
faster than it is served would see nothing at all.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

TARGET_LOAD = 0.75  # share of a core live pages may use; the rest keeps the event loop prompt
MAX_INTERVAL = 1.0  # seconds: no live screen updates less than once a second
STALE_AFTER = 2.0  # seconds after its last update (at least 3 intervals) a session is gone
OVERHEAD_BOUNDS = (0.0005, 0.05)  # the learned per-run overhead stays within these, seconds
INITIAL_OVERHEAD = 0.004  # Streamlit's work around one fragment run, before it is measured
CALIBRATE_EVERY = 1.0  # seconds of wall time between overhead measurements
GRID = 1.1  # intervals move in 10 % steps, so browsers' timers are not reset on every tick
SAFETY = 2.0  # a session's interval is at least this many times its own tick's latency


@dataclass
class _Live:
    base: float  # seconds between updates on a free server
    cost: float  # seconds of this session's own work per update (smoothed)
    latency: float  # seconds from a tick's start to its end, waits included (smoothed)
    last: float  # clock time of its last update
    interval: float  # what it was last told


class Pacer:
    """Decides each live session's update interval from the load of the whole server."""

    def __init__(
        self,
        target_load: float = TARGET_LOAD,
        clock: Callable[[], float] = time.monotonic,
        cpu_clock: Callable[[], float] = time.process_time,
    ) -> None:
        self.target_load = target_load
        self._clock, self._cpu_clock = clock, cpu_clock
        self._live: dict[object, _Live] = {}
        self._lock = threading.Lock()
        self.overhead = INITIAL_OVERHEAD
        self._window_start = clock()
        self._window_cpu = cpu_clock()
        self._window_cost = 0.0
        self._window_updates = 0

    def update(self, key: object, base: float, cost: float, latency: float = 0.0) -> float:
        """Record one update of session ``key``: ``cost`` seconds of its own work (inside
        ``TRAINING``), ``latency`` seconds from start to end with waits; return its next
        interval."""
        now = self._clock()
        with self._lock:
            live = self._live.get(key)
            if live is None:
                live = self._live[key] = _Live(base, cost, latency, now, base)
            else:  # smoothed: one slow tick (a page load elsewhere) should not jerk the pace
                live.base, live.last = base, now
                live.cost = 0.8 * live.cost + 0.2 * cost
                live.latency = 0.8 * live.latency + 0.2 * latency
            self._window_cost += cost
            self._window_updates += 1
            self._calibrate(now)
            self._forget_stale(now)
            fair = self._interval(base, self._stretch())
            live.interval = max(fair, round(SAFETY * live.latency, 4))
            return live.interval

    def interval(self, key: object, base: float) -> float:
        """The interval to start a session with (before its first update is measured)."""
        with self._lock:
            live = self._live.get(key)
            return live.interval if live else self._interval(base, self._stretch())

    def leave(self, key: object) -> None:
        """The session stopped playing: its share goes to the others at their next update."""
        with self._lock:
            self._live.pop(key, None)

    @property
    def sessions(self) -> int:
        with self._lock:
            return len(self._live)

    @property
    def stretch(self) -> float:
        with self._lock:
            return self._stretch()

    # --- the rule -----------------------------------------------------------------------
    def _stretch(self) -> float:
        demand = sum((s.cost + self.overhead) / s.base for s in self._live.values())
        return max(1.0, demand / self.target_load)

    @staticmethod
    def _interval(base: float, stretch: float) -> float:
        steps = math.ceil(math.log(stretch) / math.log(GRID) - 1e-9)  # round up to the grid
        return round(min(base * GRID**steps, MAX_INTERVAL), 4)

    def _forget_stale(self, now: float) -> None:
        """A closed tab sends no more updates: after a while it no longer counts."""
        gone = [
            key for key, s in self._live.items() if now - s.last > max(STALE_AFTER, 3 * s.interval)
        ]
        for key in gone:
            del self._live[key]

    def _calibrate(self, now: float) -> None:
        """Learn Streamlit's per-run overhead: the process's CPU time that our own code
        did not account for, per update (smoothed, and bounded)."""
        elapsed = now - self._window_start
        if elapsed < CALIBRATE_EVERY or not self._window_updates:
            return
        cpu = self._cpu_clock()
        unexplained = (cpu - self._window_cpu - self._window_cost) / self._window_updates
        low, high = OVERHEAD_BOUNDS
        self.overhead = min(max(0.7 * self.overhead + 0.3 * unexplained, low), high)
        self._window_start, self._window_cpu = now, cpu
        self._window_cost, self._window_updates = 0.0, 0


PACER = Pacer()  # one per server process: it paces every session of this process
# At most one live tick (training, or a follower's redraw) computes at a time. Demand
# already fits the CPU on average; this keeps bursts (timers that happen to coincide)
# from putting several busy threads against the event loop for the GIL. Waiting on
# it takes no CPU, and its waiters go in turn (Condition.notify wakes the oldest).
TRAINING = threading.Semaphore(1)
