"""The trainer: one thread per server process trains every playing Playground in turn.

Why not the script threads, as a ``st.fragment(run_every=...)`` would: each screen update
was then a Streamlit script run of its own, ~18 ms of Streamlit's work (the rerun, its
messages, their sending) around ~20 ms of training and drawing, and thirty playing tabs
meant thirty script threads holding the GIL against the one event loop that sends
everything. The class got 0.6 updates/s each. Here a playing run costs only its own
training and drawing; its screen reads each update from the feed (``serving/feed.py``),
like a class following its teacher, and no script runs while it plays.

The rule, in ``Trainer.choose``:

- A run gets its next update only after its own screen asked for one (the feed's owner
  request, ``asked``): a closed tab makes no more work, a hidden or slow one gets fewer
  updates, and none ever queue up.
- At most one update every ``TICK`` seconds per run: what a screen shows smoothly.
- Of the runs that may have an update, the one served longest ago goes first. With
  more work than one core, every playing run gets the same share of updates, and the
  thread is never idle while someone waits: the sum of work stays what the core can do.
- After each update, while others wait, the thread gives way to the event loop (which
  answers screens, page loads and button presses) until the loop has run what was
  ready, and at most for a share of the time the update took: the loop can always have
  ``1 - TARGET_LOAD`` of the core however many play, and the core idles only when the
  loop has nothing to do. (A fixed rest of that share left ~5 % of the core idle at
  N = 30: the loop needed less.)
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from dropout_viz.core import limits
from dropout_viz.figures.board import board_for
from dropout_viz.figures.live import encode
from dropout_viz.serving.classroom import CLASSROOM
from dropout_viz.serving.feed import BELL

CHUNK = limits.STEPS_PER_TICK.default  # training steps per screen update
TICK = limits.TICK_SECONDS  # seconds: at most one update this often per run (20/s)
# The least share of a core the trainer takes while runs wait for it, when the event loop
# is busy all the time. As a fixed rest, 0.8 gave a class of 30 10 % fewer updates than
# 0.9 and a newcomer's page no faster (0.1 s against 0.2 s): the event loop mostly waits
# on sockets, and it gets the GIL every switch interval. Giving way only until the loop's
# turn then gave that class 19 % more training (977 steps/s against 822, CPU 99.6 %).
TARGET_LOAD = 0.9
IDLE_WAIT = 1.0  # seconds the thread sleeps when no run wants anything (or until woken)

log = logging.getLogger(__name__)


def note(run: Any, now: float | None = None) -> str:
    """The rest of a run's step line: its speed while it plays, and how many follow it."""
    following = run.following(time.monotonic() if now is None else now)
    watching = f" · {following} following" if following else ""  # the teacher's class
    speed = run.speed
    if not (run.playing and speed.ready):
        return watching
    return (
        f" · {speed.steps_per_second:,.0f} steps/s · {speed.median_tick_ms:.0f} ms of "
        "server time per update" + watching
    )


def publish(run: Any) -> None:
    """Draw the run's board as its screen asked for it and make it the update every screen
    of the run reads (call with ``run.lock`` held)."""
    run.publish(encode(board_for(run)), note(run))
    BELL.ring(run.class_code)


def update(run: Any, steps: int = CHUNK) -> bool:
    """One live update of a playing run: a chunk of training, then its board, published.
    False if the run was no longer playing (a Pause pressed meanwhile)."""
    with run.lock:
        if not run.playing or run.released:
            return False
        started = time.perf_counter()
        run.step(steps)  # stops playing by itself if the training diverged
        publish(run)
        run.speed.record(started, time.perf_counter(), run.twin.step_count)
        return True


def _pause(run: Any) -> None:
    """Stop a run whose update failed, and tell its screens (which then stop asking)."""
    with run.lock:
        run.playing = False
        try:
            publish(run)
        except Exception:  # the drawing itself fails: the screens keep the last update
            log.exception("The paused run could not be drawn either.")


class Trainer:
    """Chooses which playing run to update next and updates it, in one thread."""

    def __init__(
        self,
        runs: Callable[[], Iterable[Any]],
        work: Callable[[Any], object] = update,
        tick: float = TICK,
        target_load: float = TARGET_LOAD,
        clock: Callable[[], float] = time.monotonic,
        give_way: Callable[[float], None] = time.sleep,
    ) -> None:
        """``give_way(seconds)`` rests the thread, at most that long (see the rule)."""
        self.runs, self.work, self.tick = runs, work, tick
        self.give_way = give_way
        self.rest_share = (1 - target_load) / target_load
        self._clock = clock
        self._wake = threading.Event()
        self._started = threading.Lock()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        """A screen asked for an update (any thread): look again now."""
        self._wake.set()

    def choose(self, now: float, besides: Any = None) -> tuple[Any | None, float]:
        """The run to update now (other than ``besides``), or None and how long until one
        may be due."""
        chosen, wait = None, IDLE_WAIT
        for run in self.runs():
            if not run.playing or run.released or run.asked <= run.ticked or run is besides:
                continue  # paused, freed, or its screen has not asked for the next update
            due = run.ticked + self.tick
            if due > now:
                wait = min(wait, due - now)
            elif chosen is None or run.ticked < chosen.ticked:
                chosen = run  # served longest ago
        return chosen, wait

    def run_once(self) -> tuple[float, float]:
        """Update the run whose turn it is, if any; return (longest rest for the event
        loop, seconds to wait for a wake-up) before the next turn."""
        run, wait = self.choose(self._clock())
        if run is None:
            return 0.0, wait
        run.ticked = self._clock()
        started = time.perf_counter()
        try:
            self.work(run)
        except Exception:  # a bug in one run must not stop every other run's training
            log.exception("A live update failed; that run is paused.")
            _pause(run)
        cost = time.perf_counter() - started
        others, _ = self.choose(self._clock(), besides=run)
        return (cost * self.rest_share if others is not None else 0.0), 0.0

    def start(self) -> None:
        """Start the thread, once per process (later calls do nothing)."""
        with self._started:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="dropout-lab-trainer", daemon=True
                )
                self._thread.start()

    def turn(self) -> tuple[float, float]:
        """``run_once``, but an error outside any run's update (in listing or choosing the
        runs) is logged and waited out: if this thread died, every run would stop."""
        try:
            return self.run_once()
        except Exception:
            log.exception("The trainer's turn failed; it tries again shortly.")
            return 0.0, IDLE_WAIT

    def _loop(self) -> None:
        while True:
            self._wake.clear()  # a wake-up from here on is seen by the wait below
            rest, wait = self.turn()
            if rest > 0:
                self.give_way(rest)  # not cut short by wake-ups: the event loop's turn
            if wait > 0:
                self._wake.wait(wait)


# One per server process, for every run it serves; it gives way to the loop the Bell rings on.
TRAINER = Trainer(CLASSROOM.runs, give_way=BELL.give_way)
