"""Playground: two identical networks train live, one without dropout and one with it."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dropout_viz import lesson
from dropout_viz.core import findings
from dropout_viz.core.data import DEFAULT_NOISE
from dropout_viz.pages import playground_follow
from dropout_viz.pages.playground_controls import sidebar_controls
from dropout_viz.serving import trainer
from dropout_viz.serving.classroom import CLASSROOM
from dropout_viz.serving.feed import answer_body, feed_path
from dropout_viz.serving.trainer import TRAINER
from dropout_viz.state import url_state
from dropout_viz.state.twin_session import RULES, BoardView, PlaygroundSettings, TwinSession
from dropout_viz.ui import class_server, tour, upload
from dropout_viz.ui.class_server import FOLLOW
from dropout_viz.ui.live_screen import live_screen

TITLE = "Playground"
ICON = ":material/sports_esports:"
URL_PATH = lesson.PLAYGROUND
STATE = "playground"  # st.session_state key of this user's TwinSession
CHUNK = trainer.CHUNK  # steps per screen update while playing, and per "Step ×CHUNK"


def render() -> None:
    code = st.query_params.get(FOLLOW)
    if code:  # a student opened the teacher's class link
        playground_follow.render(code)
        return
    present = tour.presenting()  # the presenter view: the board and the run's buttons only
    if not present:
        st.title("Playground")
        st.markdown(
            f"{lesson.INTRO}\n\n**What to watch:** press **Play**. Both networks start from the "
            "same weights and see the same points; only the right one uses dropout. Compare "
            "their gaps and test accuracy under the step counter, and the boundary length under "
            "each panel: a network that memorises single training points bends its boundary "
            "around them."
        )
    # A scene of the lesson tour (?scene=N) sets the run up before the session is read.
    if tour.bar(URL_PATH, apply=_apply_scene) is None and not present:
        tour.entry()
    watch = st.empty()  # what this run shows, once its settings are applied (below)
    upload.own_table(upload.PLAYGROUND_PREFIX)  # a run on own data needs its file loaded
    session = _session()
    if present:  # no sidebar controls: the run keeps its settings
        settings, teach = session.settings, None
    else:
        teach = st.sidebar.container()  # first in the sidebar, filled once settings are known
        own = upload.playground_data(st.sidebar)  # a new good file becomes the chosen dataset
        settings = sidebar_controls(session.settings, own)
    try:
        change = session.apply(settings)
    except ValueError as error:  # widgets keep values in range; this guards the rest
        st.error(str(error))
        change = None
    if change == "reset":
        st.toast("Data or architecture changed: both twins start again from step 0.", icon="🔄")
    with session.lock:  # a tick may be training it in the previous script thread
        if present:
            watch.empty()
        elif session.playing:
            watch.markdown(findings.PLAYING)
        else:
            watch.markdown(
                findings.twin_finding(
                    session.twin, session.view_inputs, session.extent, link=lesson.PLAYGROUND
                )
            )
    query = upload.shareable(url_state.to_query(session.settings))
    st.query_params.from_dict({**query, **tour.kept_query()})  # the tour's scene stays
    if teach is not None:
        _class_link(teach, session)
    _buttons(session, present)
    _live_view(present)
    if present:
        return
    with st.expander("Take your results with you", icon=":material/download:"):
        st.markdown(
            "The history of this run: both twins' train and test loss and accuracy at every "
            "evaluated step, as CSV or JSON. The board's own **PNG** button (its top right "
            "corner) saves the board as it is now."
        )
        upload.history_downloads(st, session)


# --- state ------------------------------------------------------------------------------
def _session() -> TwinSession:
    """This browser session's twin; the first visit takes its settings from the URL."""
    if STATE in st.session_state and st.session_state[STATE].released:
        # Its browser was gone past the TTL and the janitor freed it: start it anew.
        start(TwinSession(st.session_state[STATE].settings))
    if STATE not in st.session_state:
        query, note = upload.link_query(st.query_params, PlaygroundSettings.dataset)
        if note:
            st.info(note, icon=":material/link:")
        settings, warnings = url_state.from_query(PlaygroundSettings, query, RULES)
        if "noise" not in st.query_params:  # a shared dataset comes with its own noise level
            settings = replace(settings, noise=DEFAULT_NOISE[settings.dataset])
        for warning in warnings:
            st.warning(f"Link setting adjusted: {warning}")
        start(TwinSession(settings))
    return st.session_state[STATE]


def _apply_scene(scene) -> None:
    """A scene of the lesson tour: a new run with every setting the scene's (the rest the
    defaults), playing if the scene says so."""
    start(TwinSession(replace(PlaygroundSettings(), **dict(scene.settings))))
    st.session_state[STATE].play(scene.play)


def start(session: TwinSession) -> None:
    """Make session this browser's Playground run, and let a class follow it."""
    session.owner = class_server.session_id()
    session.class_code = CLASSROOM.open(session)
    for key in [k for k in st.session_state if str(k).startswith("pg_")]:
        del st.session_state[key]  # the widgets take the new run's settings
    st.session_state[STATE] = session


def _class_link(place: st.delta_generator.DeltaGenerator, session: TwinSession) -> None:
    with place.expander("Teach a class", icon=":material/co_present:"):
        url = class_server.class_link(session.class_code)
        st.markdown(
            "Students who open this link watch **this run** train live on their own "
            "screens (they train nothing, so a whole class costs the server little more "
            "than you), and can make their own copy of it at any step."
        )
        st.code(url, language=None)
        st.image(class_server.qr_svg(url), caption="The same link as a QR code", width=220)


# --- play / pause / step / reset -------------------------------------------------------
def _step(n: int) -> None:
    st.session_state[STATE].step(n)


def _reset() -> None:
    session = st.session_state[STATE]
    with session.lock:
        session.playing = False
        session.reset()


def _buttons(session: TwinSession, present: bool = False) -> None:
    # Keys for the teacher's screen (a tour's scene, the presenter view) only: a button's
    # shortcut becomes part of its accessible name ("Play Shortcut Space").
    keys = tour.keys_on()
    if keys:
        # Each button as wide as its label and key, the hint last, in a row that wraps: in
        # fixed columns a tablet's narrow main column cut "Pause Space" down to "Space".
        row = st.container(horizontal=True, vertical_alignment="center")
        play = one = chunk = reset = row
        width = "content"
    else:
        # Equal buttons; a tablet's narrow main column keeps "Step ×30" and "Reset" whole
        # (tests/e2e/test_accessibility.py).
        play, one, chunk, reset, _ = st.columns([1, 1, 1, 1, 0.4], vertical_alignment="center")
        width = "stretch"
    play.button(
        "Pause" if session.playing else "Play",
        key="pg_play",
        type="primary",
        on_click=session.play,
        args=(not session.playing,),  # what the label says, even if the press comes twice
        width=width,
        shortcut="Space" if keys else None,
        help="Train both twins continuously, a few dozen steps per screen update.",
    )
    one.button(
        "Step",
        key="pg_step",
        on_click=_step,
        args=(1,),
        width=width,
        shortcut="S" if keys else None,
        help="One optimizer step for both twins.",
    )
    if not present:  # the presenter view keeps the three buttons a lesson needs
        chunk.button(
            f"Step ×{CHUNK}",
            key="pg_chunk",
            on_click=_step,
            args=(CHUNK,),
            width=width,
            help=f"{CHUNK} optimizer steps for both twins.",
        )
    reset.button(
        "Reset",
        key="pg_reset",
        on_click=_reset,
        width=width,
        shortcut="X" if keys else None,  # R is Streamlit's own (rerun)
        help="Start both twins again from the same initial weights.",
    )
    if keys:
        tour.keys_hint(row)
    if session.twin.status == "diverged":
        st.warning(session.twin.message, icon="⚠️")


# --- the live part ------------------------------------------------------------------------
def _live_view(present: bool = False) -> None:
    """The step line, the three numbers and the board. While the run plays, the server's
    trainer makes each update and the screen reads it from the feed: no script runs here
    (serving/trainer.py says why)."""
    session: TwinSession = st.session_state[STATE]
    example, frequency = (0, False) if present else _example_controls(session)
    # The presenter view's board fills the window below its top (measured by the browser).
    # (From its PNG button down: the step line and the numbers above it take their room.)
    room = tour.room_below(".st-key-pg_board", inner=".dl-png") if present else None
    with session.lock:  # the trainer may be updating it this moment
        session.view = BoardView(example, frequency, _panel_height(room) if present else None)
        trainer.publish(session)  # the screen starts from the run as it is now
        body = answer_body(session.snapshot, "live" if session.playing else "paused")
    TRAINER.start()
    url = feed_path(session.class_code, st.get_option("server.baseUrlPath"))
    live_screen(body, url, session.owner_key)


def _panel_height(room: int | None) -> int:
    """The presenter board's panel height from the window's room below the board's top:
    less its PNG button, a caption line and the panels' margins."""
    if room is None:  # not measured yet (the first run): a height that fits 1280×720
        return 240
    return max(160, min(room - 90, 900))


def _example_controls(session: TwinSession) -> tuple[int, bool]:
    settings = session.settings
    batch = (
        settings.n_train if settings.batch_size == 0 else min(settings.batch_size, settings.n_train)
    )
    left, right = st.columns([3, 2])
    example = left.slider(
        "Training example whose mask is drawn",
        0,
        batch - 1,
        key="pg_example",
        help="Each example gets its own mask at every step: the mask is a matrix "
        "(examples × units), not a vector.",
    )
    frequency = right.toggle(
        "Show drop frequency over the batch",
        key="pg_frequency",
        help="Shade each unit by the share of this step's batch that dropped it.",
    )
    return example, frequency
