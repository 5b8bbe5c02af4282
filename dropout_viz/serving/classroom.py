"""A teacher's run followed by a class, and the work of closed tabs freed.

Following: every live run (a Playground's ``TwinSession``) is listed here under a
random class code. A student who opens the class link holds the teacher's run
and only *reads* what it publishes after each of its updates (a ``snapshot``):
the teacher's server computes each update once, however many screens show it.
A follower never calls anything that changes the run; ``fork`` is how it gets
a run of its own.

Freeing: Streamlit keeps a disconnected session for ``server.disconnectedSessionTTL``
so a reconnecting browser finds it, but on the pinned 1.67 an expired session is
only dropped when some other session is stored later, and it is never shut down
(streamlit#12506). So the ``Janitor`` releases a run's networks and histories
itself once its browser has been gone for the TTL and no follower is watching it.
"""

from __future__ import annotations

import secrets
import threading
import time
import weakref
from collections.abc import Callable
from typing import Protocol

CODE_BYTES = 6  # 8 url-safe characters: unguessable enough for a lesson, short enough to type


class Run(Protocol):
    """What the classroom needs of a live run (``ui.twin_session.TwinSession`` is one)."""

    owner: str  # the Streamlit session id of the browser that trains it
    last_followed: float  # clock time a follower last read it

    def release(self) -> bool: ...  # True if it freed anything


class Classroom:
    """Live runs by class code. Weak references: listing a run never keeps it alive."""

    def __init__(self) -> None:
        self._runs: weakref.WeakValueDictionary[str, Run] = weakref.WeakValueDictionary()
        self._lock = threading.Lock()

    def open(self, run: Run) -> str:
        """List run under a new class code and return the code."""
        with self._lock:
            while True:
                code = secrets.token_urlsafe(CODE_BYTES)
                if code not in self._runs:
                    self._runs[code] = run
                    return code

    def find(self, code: str) -> Run | None:
        with self._lock:
            return self._runs.get(code)

    def runs(self) -> list[Run]:
        with self._lock:
            return list(self._runs.values())


class Janitor:
    """Frees the training state of runs whose browser has been gone longer than ``ttl``."""

    def __init__(
        self,
        classroom: Classroom,
        is_connected: Callable[[str], bool],
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.classroom, self.is_connected, self.ttl, self._clock = (
            classroom,
            is_connected,
            ttl,
            clock,
        )
        self._gone_since: dict[str, float] = {}  # owner session id -> when first seen gone

    def sweep(self) -> int:
        """Release every run left alone for the TTL; return how many were released."""
        now, released, seen = self._clock(), 0, set()
        for run in self.classroom.runs():
            owner = run.owner
            seen.add(owner)
            if self.is_connected(owner):
                self._gone_since.pop(owner, None)
                continue
            gone = now - self._gone_since.setdefault(owner, now)
            if gone >= self.ttl and now - run.last_followed >= self.ttl and run.release():
                released += 1
        for owner in set(self._gone_since) - seen:  # runs already freed by Python
            del self._gone_since[owner]
        return released


CLASSROOM = Classroom()  # one per server process: a class link works on the process it names
