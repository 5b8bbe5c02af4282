"""The Playground as a student who follows the teacher sees it: the teacher's own run,
live, read-only, with a button to make a copy of one's own.

The page is drawn once. The live part is the teacher's board itself: the canvas asks
the server for each new update (``serving/feed.py``), so watching runs no script here
and thirty followers cost the server little more than one.
"""

from __future__ import annotations

import streamlit as st

from dropout_viz.serving.classroom import CLASSROOM
from dropout_viz.serving.feed import feed_path
from dropout_viz.state.twin_session import TwinSession
from dropout_viz.ui.class_server import FOLLOW
from dropout_viz.ui.live_canvas import live_canvas
from dropout_viz.ui.live_screen import HELP


def render(code: str) -> None:
    st.title("Playground: following your teacher")
    teacher = CLASSROOM.find(code)
    if teacher is None or teacher.released:
        st.error(
            f"There is no class run with the code {code!r} on this server: the lesson may "
            "have ended, or the link is mistyped. Ask your teacher for the link again, or "
            "start a Playground of your own."
        )
        st.button("Start my own Playground", type="primary", on_click=_leave)
        return
    st.markdown(
        "You are watching **your teacher's run**, live: the same networks, masks and curves "
        "as on the projector. Nothing here trains on your side, and nothing you do changes "
        "the teacher's run. To try things yourself, make your own copy: it starts from the "
        "teacher's weights at this very step, with the same settings and seed."
    )
    st.button(
        "Make my own copy",
        key="pg_fork",
        type="primary",
        on_click=_fork,
        args=(teacher,),
        help="Copy the teacher's run as it is now and go on training it on your own.",
    )
    url = feed_path(code, st.get_option("server.baseUrlPath"))
    # The numbers keep the tooltips they have on the learner's own screen.
    live_canvas({"kind": "follow", "feed": url, "help": HELP}, key="pg_follow")


def _fork(teacher: TwinSession) -> None:
    from dropout_viz.pages import playground  # late: playground imports this module

    if not teacher.released:  # (a run that has ended leaves a fresh Playground instead)
        playground.start(teacher.fork())
    _leave()


def _leave() -> None:
    del st.query_params[FOLLOW]
