"""Streamlit's side of serving a class (see ``dropout_viz.serving``): a live fragment
whose pace the server sets, who the browser session is, whether it is still
connected, the class link, and the janitor thread that frees closed tabs' work.
"""

from __future__ import annotations

import gc
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import segno
import streamlit as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner_utils.script_run_context import (
    ThreadState,
    get_script_run_ctx,
)

from dropout_viz.core.memory import release_free_memory
from dropout_viz.serving.classroom import CLASSROOM, Janitor
from dropout_viz.serving.pacing import PACER, TRAINING

FOLLOW = "follow"  # the class link's query parameter: ?follow=<class code>
ROUTE_COOKIE = "dlab_route"  # deploy/nginx.conf's sticky-session key
ROUTE = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what nginx accepts as a route in a link
JANITOR_SECONDS = 5.0  # how often closed tabs' runs are looked for


def session_id() -> str:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else ""


def set_run_every(seconds: float) -> None:
    """Give the running fragment a new ``run_every``; the browser applies it at once.

    ``st.fragment(run_every=...)`` sends its interval only when a full run declares the
    fragment. The frontend (1.67) replaces a fragment's timer whenever an ``auto_rerun``
    message brings a different interval, so a fragment run can change its own pace by
    sending one. Non-delta messages survive the queue clearing of an interrupted run.
    """
    ctx = get_script_run_ctx()
    fragment_id = ThreadState.get().fragment_id if ctx else None
    if not fragment_id:  # not inside a fragment: the decorator's interval applies
        return
    msg = ForwardMsg()
    msg.auto_rerun.interval = seconds
    msg.auto_rerun.fragment_id = fragment_id
    ctx.enqueue(msg)


SENT = "pace_sent"  # st.session_state key: the interval this browser's timer runs at


def pace(key: str, base: float) -> float:
    """The interval to declare a live fragment with, at the server's current load."""
    interval = PACER.interval(key, base)
    st.session_state[SENT] = interval
    return interval


class LiveTick:
    """One update of a live fragment, measured for the pacer.

    tick = LiveTick(key, base)
    with tick.work():  # training and drawing: one live tick at a time per process
        ...
    tick.done()  # tell the browser its next pace, if it changed
    """

    def __init__(self, key: str, base: float) -> None:
        self.key, self.base = key, base
        self.started = time.perf_counter()
        self.cost = 0.0

    @contextmanager
    def work(self) -> Iterator[None]:
        with TRAINING:
            began = time.perf_counter()
            try:
                yield
            finally:
                self.cost += time.perf_counter() - began

    def done(self) -> None:
        latency = time.perf_counter() - self.started
        interval = PACER.update(self.key, self.base, self.cost, latency)
        if st.session_state.get(SENT) != interval:  # a new interval restarts the timer
            set_run_every(interval)
            st.session_state[SENT] = interval


def is_connected(owner: str) -> bool:
    """True while the browser of Streamlit session ``owner`` is connected (or when there is
    no server to ask, as in AppTest)."""
    return not Runtime.exists() or Runtime.instance().is_active_session(owner)


def class_link(code: str) -> str:
    """The URL a student opens to follow run ``code``: this page, on the host the teacher
    used (the Playground is the landing page, so its address is the app's own).

    Behind deploy/nginx.conf the teacher's run lives on one replica only; the link then
    carries the teacher's route key, which sends the student's browser to that replica.
    """
    parts = urlsplit(st.context.url or "http://localhost:8501/")
    link = f"{parts.scheme}://{parts.netloc}{parts.path or '/'}?{FOLLOW}={code}"
    route = st.context.cookies.get(ROUTE_COOKIE)
    if isinstance(route, str) and ROUTE.fullmatch(route):  # (AppTest has no real cookies)
        link += f"&{ROUTE_COOKIE}={route}"
    return link


def qr_svg(url: str) -> str:
    """The link as a QR code (an inline SVG, drawn here: no outside service is asked)."""
    return segno.make(url, error="m").svg_inline(scale=5, dark="#31333f", light="#ffffff")


_janitor_started = threading.Lock()
_janitor: threading.Thread | None = None


def start_janitor() -> None:
    """Start, once per process, the thread that frees the runs of closed tabs and
    collects garbage.

    It calls no ``st.*``: it only asks the runtime who is connected and releases
    networks. It also runs the full garbage collection that Streamlit would run after
    every script run (``runner.postScriptGC``, off in .streamlit/config.toml): in a
    class that is dozens of runs a second, each walking every session's objects while
    holding the GIL against the event loop. Once every few seconds keeps memory as
    flat. After freeing runs it hands free heap back to the OS, so one class leaves no
    more memory behind than the one before it.
    """
    global _janitor
    with _janitor_started:
        if _janitor is not None:
            return
        ttl = float(st.get_option("server.disconnectedSessionTTL"))
        janitor = Janitor(CLASSROOM, is_connected, ttl)

        def loop() -> None:
            while True:
                time.sleep(JANITOR_SECONDS)
                released = janitor.sweep()
                gc.collect()
                if released:
                    release_free_memory()

        _janitor = threading.Thread(target=loop, name="dropout-lab-janitor", daemon=True)
        _janitor.start()
