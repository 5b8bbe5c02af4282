"""The feed: a live screen reads its run's latest update straight from the server, with
no Streamlit script run at all. A class following its teacher reads it, and so does the
learner's own Playground while it plays (with its run's ``owner_key``).

Followed through Streamlit, each follower's screen was a fragment rerun every 150 ms:
for 29 followers ~30 script runs a second, each a thread with its session's bookkeeping
and messages, all competing with the teacher's training for one GIL. The class got
~1.6 updates/s and the teacher's training slowed. Here a follower's page is drawn once;
then its canvas (``ui/live_canvas.js``, ``follow``) asks ``GET /dlab/feed/<code>`` for
the update after the one it has. The answer is made once per teacher update, whoever
asks. A request for the update after the newest one waits for it (up to ``WAIT_SECONDS``,
then 204 with no body): a screen gets each update as soon as it exists, with no
polling in between. Each browser has one request out at a time, so a slow browser or a
busy server means fewer updates, never a backlog. The owner's request is also what
asks the trainer (``serving/trainer.py``) for the next update.

Plain Python and Starlette (which Streamlit serves on): ``app.py`` mounts the route.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dropout_viz.figures.headline import headline, settings_line
from dropout_viz.serving.classroom import Classroom

PATH = "/dlab/feed/"  # + class code
NO_STORE = {"Cache-Control": "no-store"}  # every answer is the run's state at that moment
VIEWER_CHARS = 16  # a follower's browser token (live_canvas.js makes one per page)
MAX_VIEWERS = 200  # browsers remembered per run: a class, with room to spare
FORGET_SECONDS = 10.0
WAIT_SECONDS = 2.0  # a request for an update not made yet waits this long at most


def feed_path(code: str, base_url_path: str = "") -> str:
    """Where the follower's browser asks for run ``code``'s updates (``server.baseUrlPath``
    included: the route is mounted under it too)."""
    base = base_url_path.strip("/")
    return (f"/{base}" if base else "") + PATH + code


def status_text(state: str, step: int) -> str:
    """What a follower is told about the teacher's run, above the board."""
    return {
        "live": "Live from your teacher's screen.",
        "paused": f"Your teacher has paused at step {step:,}.",
        "left": f"Your teacher has left: their run stopped at step {step:,}. "
        "Make your own copy to go on from there.",
    }[state]


ENDED = json.dumps(
    {
        "state": "ended",
        "head": {
            "status": "Your teacher's run has ended. Ask your teacher for the link again, "
            "or start a Playground of your own."
        },
    }
).encode()


class Bell:
    """Wakes the requests waiting for a run's next update when the run publishes one.

    ``ring`` is called from whichever thread published (the trainer's, a script's); the
    waiting is on the server's event loop, so ``ring`` hands the wake-up to that loop.
    """

    def __init__(self) -> None:
        self._waiting: dict[str, list[asyncio.Future]] = {}  # class code -> waiters
        self._loop: asyncio.AbstractEventLoop | None = None

    @contextmanager
    def waiter(self, code: str) -> Iterator[asyncio.Future]:
        """A future that the next ``ring(code)`` completes. Take it *before* looking for
        the update: a ring between the look and the wait is then not lost."""
        loop = self._loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self._waiting.setdefault(code, []).append(waiter)
        try:
            yield waiter
        finally:
            waiters = self._waiting.get(code, [])
            if waiter in waiters:
                waiters.remove(waiter)
            if not waiters:
                self._waiting.pop(code, None)

    @staticmethod
    async def wait(waiter: asyncio.Future, timeout: float) -> None:
        """Until the waiter's ring, or ``timeout`` seconds."""
        with suppress(TimeoutError):
            await asyncio.wait_for(waiter, timeout)

    def ring(self, code: str) -> None:
        loop = self._loop
        if loop is not None and code in self._waiting and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake, code)

    def give_way(self, seconds: float) -> None:
        """Block the calling thread (the trainer's) until the event loop has run what is
        ready now, or ``seconds`` at most: a rest as long as the loop has work, no longer.

        Before any screen has asked (no loop known yet), simply sleep."""
        loop = self._loop
        if loop is None or loop.is_closed():
            time.sleep(seconds)
            return
        turned = threading.Event()
        try:
            loop.call_soon_threadsafe(turned.set)  # after every callback already ready
        except RuntimeError:  # the loop closed meanwhile (the server is stopping)
            time.sleep(seconds)
            return
        turned.wait(seconds)

    def _wake(self, code: str) -> None:
        for waiter in self._waiting.pop(code, []):
            if not waiter.done():
                waiter.set_result(None)


BELL = Bell()  # one per server process, like the classroom it rings for


class Feed:
    """Answers the requests of a run's screens (its class, and its owner) for its latest
    update."""

    def __init__(
        self,
        classroom: Classroom,
        is_connected: Callable[[str], bool],
        bell: Bell = BELL,
        wake_trainer: Callable[[], None] = lambda: None,
    ) -> None:
        self.classroom, self.is_connected = classroom, is_connected
        self.bell, self.wake_trainer = bell, wake_trainer

    def answer(
        self, code: str, after: str = "", viewer: str = "", key: str = ""
    ) -> tuple[int, bytes]:
        """HTTP status and body for a screen that has update ``after`` (a version from an
        earlier answer, or ""). ``viewer`` is a follower's browser token, to count the
        class; ``key`` is the owner's, which asks for the run's next update."""
        run: Any = self.classroom.find(code)
        snapshot = None if run is None or run.released else run.snapshot
        if snapshot is None:
            return 410, ENDED
        now = time.monotonic()
        if key and key == run.owner_key:  # the learner's own screen wants the next update
            run.asked = now
            if snapshot.playing:
                self.wake_trainer()
        else:
            run.last_followed = now  # a watched run is not freed (see Janitor)
            if viewer:
                _saw(run.viewers, viewer[:VIEWER_CHARS], now)
        state = self._state(run, snapshot)
        if after == version_of(snapshot, state):
            return 204, b""
        return 200, answer_body(snapshot, state)

    def _state(self, run: Any, snapshot: Any) -> str:
        if not self.is_connected(run.owner):
            return "left"
        return "live" if snapshot.playing else "paused"

    async def endpoint(self, request: Request) -> Response:
        query = request.query_params
        code = request.path_params["code"]
        ask = (code, query.get("after", ""), query.get("viewer", ""), query.get("key", ""))
        with self.bell.waiter(code) as woken:
            status, body = self.answer(*ask)
            if status == 204:  # nothing newer yet: wait for it rather than be asked again
                await self.bell.wait(woken, WAIT_SECONDS)
                status, body = self.answer(*ask)
        media = "application/json" if body else None
        return Response(body, status_code=status, media_type=media, headers=NO_STORE)

    def route(self, base_url_path: str = "") -> Route:
        return Route(feed_path("{code}", base_url_path), self.endpoint, methods=["GET"])


def _saw(viewers: dict[str, float], viewer: str, now: float) -> None:
    """Note a follower's request. Only this (the server's event loop) writes the dict, and
    it forgets browsers gone quiet, so a crafted stream of tokens cannot grow it far."""
    viewers.pop(viewer, None)  # to the end: the dict stays ordered by last request
    viewers[viewer] = now
    if len(viewers) > MAX_VIEWERS:
        for token, seen in list(viewers.items()):
            if now - seen > FORGET_SECONDS:
                del viewers[token]
        while len(viewers) > MAX_VIEWERS:
            del viewers[next(iter(viewers))]  # the longest quiet first


def version_of(snapshot: Any, state: str) -> str:
    return f"{snapshot.serial}.{state}"


def answer_body(snapshot: Any, state: str) -> bytes:
    """The feed's answer for this update in this state, built once (by whichever screen
    asks first) and kept with the update."""
    body = snapshot.feed_cache.get(state)
    if body is None:
        body = snapshot.feed_cache[state] = _body(snapshot, state, version_of(snapshot, state))
    return body


def _body(snapshot: Any, state: str, version: str) -> bytes:
    head = {
        "step": snapshot.step,
        "seed": snapshot.settings.seed,
        "status": status_text(state, snapshot.step),
        "settings": settings_line(snapshot.settings),  # the teacher may change them
        "metrics": [list(metric) for metric in headline(snapshot.latest, snapshot.task)],
        "note": snapshot.note,  # the learner's own step line: speed, and how many follow
        "diverged": snapshot.status == "diverged",
    }
    meta = json.dumps({"v": version, "state": state, "head": head}, separators=(",", ":"))
    # The board is already JSON bytes (encoded once for the teacher's own screen): splice
    # it in rather than decoding and encoding it again.
    return meta[:-1].encode() + b',"board":' + snapshot.board + b"}"
