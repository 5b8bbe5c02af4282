"""Class codes, and the janitor that frees the runs of browsers gone for the TTL."""

import gc
import math

from dropout_viz.serving.classroom import Classroom, Janitor


class FakeRun:
    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.last_followed = -math.inf
        self.freed = 0

    def release(self) -> bool:
        self.freed += 1
        return self.freed == 1


def test_codes_are_unique_and_find_their_run():
    room = Classroom()
    runs = [FakeRun(f"o{i}") for i in range(50)]
    codes = [room.open(run) for run in runs]
    assert len(set(codes)) == 50
    assert all(
        len(code) >= 8 and code.replace("-", "").replace("_", "").isalnum() for code in codes
    )
    assert all(room.find(code) is run for code, run in zip(codes, runs))
    assert room.find("no-such-code") is None


def test_the_classroom_never_keeps_a_run_alive():
    room = Classroom()
    code = room.open(FakeRun("o"))  # nobody else holds it
    gc.collect()
    assert room.find(code) is None


def test_the_janitor_frees_a_run_only_after_its_browser_was_gone_for_the_ttl():
    room, now, connected = Classroom(), [0.0], {"alive": True, "gone": False}
    alive, gone = FakeRun("alive"), FakeRun("gone")
    room.open(alive), room.open(gone)
    janitor = Janitor(room, connected.get, ttl=120, clock=lambda: now[0])
    assert janitor.sweep() == 0  # first seen gone now
    now[0] = 119
    assert janitor.sweep() == 0
    now[0] = 121
    assert janitor.sweep() == 1
    assert (gone.freed, alive.freed) == (1, 0)
    now[0] = 500
    assert janitor.sweep() == 0  # released once; a connected run is never freed


def test_a_reconnecting_browser_starts_the_clock_again():
    room, now, connected = Classroom(), [0.0], {"o": False}
    run = FakeRun("o")
    room.open(run)
    janitor = Janitor(room, connected.get, ttl=120, clock=lambda: now[0])
    janitor.sweep()
    now[0], connected["o"] = 100, True
    janitor.sweep()
    now[0], connected["o"] = 150, False
    assert janitor.sweep() == 0  # gone for 0 s, not 150
    now[0] = 271
    assert janitor.sweep() == 1


def test_a_run_the_class_still_watches_is_kept():
    room, now = Classroom(), [0.0]
    run = FakeRun("teacher")
    room.open(run)
    janitor = Janitor(room, lambda owner: False, ttl=120, clock=lambda: now[0])
    janitor.sweep()
    now[0] = 200
    run.last_followed = 150  # a follower read it 50 s ago
    assert janitor.sweep() == 0
    now[0] = 271
    assert janitor.sweep() == 1
