"""Streamlit's side of serving a class (see ``dropout_viz.serving``): who the browser
session is, whether it is still connected, the class link, and the janitor thread that
frees closed tabs' work.
"""

from __future__ import annotations

import gc
import re
import threading
import time
from urllib.parse import urlsplit

import segno
import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from dropout_viz.core.memory import release_free_memory
from dropout_viz.serving.classroom import CLASSROOM, Janitor

FOLLOW = "follow"  # the class link's query parameter: ?follow=<class code>
ROUTE_COOKIE = "dlab_route"  # deploy/nginx.conf's sticky-session key
ROUTE = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what nginx accepts as a route in a link
JANITOR_SECONDS = 5.0  # how often closed tabs' runs are looked for


def session_id() -> str:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else ""


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
