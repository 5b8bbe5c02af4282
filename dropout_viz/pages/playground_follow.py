"""The Playground as a student who follows the teacher sees it: the teacher's own run,
live, read-only, with a button to make a copy of one's own."""

from __future__ import annotations

import time

import streamlit as st

from dropout_viz import lesson
from dropout_viz.serving.classroom import CLASSROOM
from dropout_viz.state.twin_session import TwinSession
from dropout_viz.ui import class_server
from dropout_viz.ui.class_server import FOLLOW, LiveTick, pace
from dropout_viz.ui.live_screen import draw_update

# A follower only redraws (a few ms each, no training): 6-7 screens a second are plenty
# to watch a run, and leave the CPU to the teacher's training, which every screen needs.
FOLLOW_TICK = 0.15
PAUSED_TICK = 0.5  # while the teacher is paused: just notice Play again


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
    settings = teacher.settings
    st.markdown(
        "You are watching **your teacher's run**, live: the same networks, masks and curves "
        "as on the projector. Nothing here trains on your side, and nothing you do changes "
        "the teacher's run. To try things yourself, make your own copy: it starts from the "
        "teacher's weights at this very step, with the same settings and seed."
    )
    st.caption(
        f"Teacher's settings: {lesson.DATASET_NAMES.get(settings.dataset)}, "
        f"{settings.n_train} training points, {settings.layers} × {settings.width} "
        f"{settings.activation} units, p = "
        + ", ".join(f"{p:g}" for p in dict.fromkeys(settings.drop_rates))
        + f", {settings.optimizer.capitalize()} at learning rate {settings.learning_rate:g}."
    )
    st.button(
        "Make my own copy",
        key="pg_fork",
        type="primary",
        on_click=_fork,
        args=(teacher,),
        help="Copy the teacher's run as it is now and go on training it on your own.",
    )
    me = class_server.session_id()
    playing = teacher.snapshot is not None and teacher.snapshot.playing
    base = FOLLOW_TICK if playing else PAUSED_TICK

    @st.fragment(run_every=pace(me, base))
    def live_part() -> None:
        teacher.last_followed = time.monotonic()
        snapshot = teacher.snapshot
        tick = LiveTick(me, FOLLOW_TICK if snapshot and snapshot.playing else PAUSED_TICK)
        with tick.work():
            status = st.empty()  # always one element, so the board below keeps its place
            if snapshot is None or teacher.released:
                status.warning("Your teacher's run has ended.")
                return
            if not class_server.is_connected(teacher.owner):
                status.warning(
                    f"Your teacher has left: their run stopped at step {snapshot.step:,}. "
                    "Make your own copy to go on from there."
                )
            elif not snapshot.playing:
                status.info(f"Your teacher has paused at step {snapshot.step:,}.")
            else:
                status.caption("Live from your teacher's screen.")
            draw_update(
                snapshot.step,
                snapshot.settings.seed,
                snapshot.latest,
                snapshot.task,
                snapshot.board,
                " · following the teacher",
            )
        tick.done()

    live_part()


def _fork(teacher: TwinSession) -> None:
    from dropout_viz.pages import playground  # late: playground imports this module

    playground.start(teacher.fork())
    _leave()


def _leave() -> None:
    del st.query_params[FOLLOW]
