"""The class feed: a follower's browser reads the teacher's latest update straight from
the server, with no Streamlit script run at all.

Followed through Streamlit, each follower's screen was a fragment rerun every 150 ms:
for 29 followers ~30 script runs a second, each a thread with its session's bookkeeping
and messages, all competing with the teacher's training for one GIL. The class got
~1.6 updates/s and the teacher's training slowed. Here a follower's page is drawn once;
then its canvas (``ui/live_canvas.js``, ``follow``) asks ``GET /dlab/feed/<code>`` for
the update after the one it has. The answer is made once per teacher update, whoever
asks; an unchanged update answers 204 with no body. Each browser has one request out at
a time and asks again only after painting, so a slow browser or a busy server means
fewer updates, never a backlog.

Plain Python and Starlette (which Streamlit serves on): ``app.py`` mounts the route.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
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


class Feed:
    """Answers a class's requests for its teacher's latest update."""

    def __init__(self, classroom: Classroom, is_connected: Callable[[str], bool]) -> None:
        self.classroom, self.is_connected = classroom, is_connected

    def answer(self, code: str, after: str = "", viewer: str = "") -> tuple[int, bytes]:
        """HTTP status and body for a follower who has update ``after`` (a version from an
        earlier answer, or ""); ``viewer`` is its browser's token, to count the class."""
        run: Any = self.classroom.find(code)
        snapshot = None if run is None or run.released else run.snapshot
        if snapshot is None:
            return 410, ENDED
        now = time.monotonic()
        run.last_followed = now  # a watched run is not freed (see Janitor)
        if viewer:
            _saw(run.viewers, viewer[:VIEWER_CHARS], now)
        if not self.is_connected(run.owner):
            state = "left"
        else:
            state = "live" if snapshot.playing else "paused"
        version = f"{snapshot.step}.{state}"
        if after == version:
            return 204, b""
        body = snapshot.feed_cache.get(state)
        if body is None:  # the first follower to ask for this update builds it, once
            body = _body(snapshot, state, version)
            snapshot.feed_cache[state] = body
        return 200, body

    async def endpoint(self, request: Request) -> Response:
        query = request.query_params
        status, body = self.answer(
            request.path_params["code"], query.get("after", ""), query.get("viewer", "")
        )
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


def _body(snapshot: Any, state: str, version: str) -> bytes:
    head = {
        "step": snapshot.step,
        "seed": snapshot.settings.seed,
        "status": status_text(state, snapshot.step),
        "settings": settings_line(snapshot.settings),  # the teacher may change them
        "metrics": [list(metric) for metric in headline(snapshot.latest, snapshot.task)],
    }
    meta = json.dumps({"v": version, "state": state, "head": head}, separators=(",", ":"))
    # The board is already JSON bytes (encoded once for the teacher's own screen): splice
    # it in rather than decoding and encoding it again.
    return meta[:-1].encode() + b',"board":' + snapshot.board + b"}"
