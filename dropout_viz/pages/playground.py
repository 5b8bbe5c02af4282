"""Playground: two identical networks train live, one without dropout and one with it."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import streamlit as st

from dropout_viz import lesson
from dropout_viz.core import findings, limits
from dropout_viz.core.boundary import boundary_length
from dropout_viz.core.data import DEFAULT_NOISE
from dropout_viz.core.training import Twin
from dropout_viz.figures import live as live_figures
from dropout_viz.figures import style
from dropout_viz.pages import playground_follow
from dropout_viz.serving.classroom import CLASSROOM
from dropout_viz.serving.pacing import PACER
from dropout_viz.state import url_state
from dropout_viz.state.twin_session import RULES, PlaygroundSettings, TwinSession
from dropout_viz.ui import class_server
from dropout_viz.ui.class_server import FOLLOW, LiveTick, pace
from dropout_viz.ui.live_canvas import encode
from dropout_viz.ui.live_screen import draw_update

TITLE = "Playground"
ICON = ":material/sports_esports:"
URL_PATH = lesson.PLAYGROUND
STATE = "playground"  # st.session_state key of this user's TwinSession
CHUNK = limits.STEPS_PER_TICK.default  # steps per screen update, and per "Step ×CHUNK"
TICK = limits.TICK_SECONDS  # seconds between updates while the server has time to spare


def render() -> None:
    code = st.query_params.get(FOLLOW)
    if code:  # a student opened the teacher's class link
        playground_follow.render(code)
        return
    st.title("Playground")
    st.markdown(
        f"{lesson.INTRO}\n\n**What to watch:** press **Play**. Both networks start from the same "
        "weights and see the same points; only the right one uses dropout. Compare their gaps "
        "and test accuracy under the step counter, and the boundary length under each panel: "
        "a network that memorises single training points bends its boundary around them."
    )
    watch = st.empty()  # what this run shows, once its settings are applied (below)
    session = _session()
    teach = st.sidebar.container()  # first in the sidebar, filled once the settings are known
    settings = _controls(session.settings)
    try:
        change = session.apply(settings)
    except ValueError as error:  # widgets keep values in range; this guards the rest
        st.error(str(error))
        change = None
    if change == "reset":
        st.toast("Data or architecture changed: both twins start again from step 0.", icon="🔄")
    with session.lock:  # a tick may be training it in the previous script thread
        watch.markdown(
            findings.twin_finding(
                session.twin, session.view_inputs, session.extent, link=lesson.PLAYGROUND
            )
        )
    st.query_params.from_dict(url_state.to_query(session.settings))
    _class_link(teach, session)
    _buttons(session)
    _live_view()


# --- state ------------------------------------------------------------------------------
def _session() -> TwinSession:
    """This browser session's twin; the first visit takes its settings from the URL."""
    if STATE in st.session_state and st.session_state[STATE].released:
        # Its browser was gone past the TTL and the janitor freed it: start it anew.
        start(TwinSession(st.session_state[STATE].settings))
    if STATE not in st.session_state:
        settings, warnings = url_state.from_query(PlaygroundSettings, st.query_params, RULES)
        if "noise" not in st.query_params:  # a shared dataset comes with its own noise level
            settings = replace(settings, noise=DEFAULT_NOISE[settings.dataset])
        for warning in warnings:
            st.warning(f"Link setting adjusted: {warning}")
        start(TwinSession(settings))
    return st.session_state[STATE]


def start(session: TwinSession) -> None:
    """Make session this browser's Playground run, and let a class follow it."""
    session.owner = class_server.session_id()
    session.class_code = CLASSROOM.open(session)
    for key in [k for k in st.session_state if str(k).startswith("pg_")]:
        del st.session_state[key]  # the widgets take the new run's settings (see _widget)
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


# --- controls ---------------------------------------------------------------------------
def _widget(key: str, value) -> str:
    """Widgets keep their own state; (re)seed it from the settings when it is missing,
    e.g. after visiting another page, so nothing the learner chose is lost."""
    full = f"pg_{key}"
    if full not in st.session_state:
        st.session_state[full] = value
    return full


def _on_dataset_change() -> None:
    st.session_state["pg_noise"] = DEFAULT_NOISE[st.session_state["pg_dataset"]]


def _controls(current: PlaygroundSettings) -> PlaygroundSettings:
    side = st.sidebar
    side.header("Data")
    dataset = side.selectbox(
        "Dataset",
        limits.PLAYGROUND_DATASETS,
        format_func=lesson.DATASET_NAMES.get,
        key=_widget("dataset", current.dataset),
        on_change=_on_dataset_change,
        help="What the twins learn: five 2-D classification problems, or a 1-D curve fit.",
    )
    n_train = side.slider(
        "Training points",
        limits.PLAYGROUND_N_TRAIN.low,
        limits.PLAYGROUND_N_TRAIN.high,
        key=_widget("n_train", current.n_train),
        help="Points the twins train on. Fewer points overfit sooner: dropout matters most "
        "when data is limited.",
    )
    noise = side.slider(
        "Noise",
        0.0,
        1.0,
        step=0.05,
        key=_widget("noise", current.noise),
        help="How far points scatter from the clean pattern (standard deviation). Noise is "
        "what an overfitting network memorises.",
    )
    test_share = side.slider(
        "Test share",
        limits.TEST_SHARE.low,
        limits.TEST_SHARE.high,
        step=0.05,
        key=_widget("test_share", current.test_share),
        help="Held-out points, as a share of all points. The twins never train on them; "
        "the test loss is measured on them.",
    )

    side.header("Network")
    layers = side.slider(
        "Hidden layers",
        limits.LAYERS.low,
        limits.LAYERS.high,
        key=_widget("layers", current.layers),
        help="Fully connected hidden layers, each followed by dropout.",
    )
    width = side.select_slider(
        "Units per layer",
        [4, 8, 16, 32, 64, 128, 256],
        key=_widget("width", current.width),
        help="Wide layers can memorise more; that is where dropout earns its keep.",
    )
    activation = side.selectbox(
        "Activation",
        limits.ACTIVATIONS,
        key=_widget("activation", current.activation),
        help=lesson.tooltip(
            "activation",
            "tanh is the default here: its outputs saturate, so dropout's effect is easy to see.",
        ),
    )
    per_layer = side.toggle(
        "One p per layer",
        key=_widget("per_layer", bool(current.layer_rates)),
        help="Give each hidden layer its own dropout rate.",
    )
    p_help = lesson.tooltip("dropout", lesson.ABOUT_P.replace("**", ""))
    if per_layer:
        rates = current.drop_rates
        layer_rates = tuple(
            side.slider(
                f"p, hidden layer {i + 1}",
                0.0,
                limits.PLAYGROUND_DROP_RATE.high,
                step=0.05,
                key=_widget(f"p{i}", rates[i] if i < len(rates) else 0.5),
                help=p_help,
            )
            for i in range(layers)
        )
        drop_rate = current.drop_rate
    else:
        drop_rate = side.slider(
            "Dropout rate p",
            0.0,
            limits.PLAYGROUND_DROP_RATE.high,
            step=0.05,
            key=_widget("drop_rate", current.drop_rate),
            help=p_help,
        )
        layer_rates = ()

    side.header("Training")
    learning_rate = side.select_slider(
        "Learning rate",
        [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0],
        key=_widget("learning_rate", current.learning_rate),
        help="Size of each optimizer step. Too large and training diverges.",
    )
    optimizer = side.selectbox(
        "Optimizer",
        limits.OPTIMIZERS,
        format_func=str.capitalize,
        key=_widget("optimizer", current.optimizer),
        help="Adam, or SGD with momentum 0.9.",
    )
    batch_size = side.select_slider(
        "Batch size",
        [0, 1, 4, 8, 16, 32, 64, 128],
        format_func=lambda b: "all" if b == 0 else str(b),
        key=_widget("batch_size", current.batch_size),
        help="Examples per step; 'all' uses the whole training set every step.",
    )
    weight_decay = side.select_slider(
        "Weight decay",
        [0.0, 0.0001, 0.001, 0.01, 0.1],
        key=_widget("weight_decay", current.weight_decay),
        help=lesson.tooltip("regularization", "Weight decay pulls weights towards zero."),
    )
    seed = side.number_input(
        "Seed",
        limits.SEED.low,
        limits.SEED.high,
        step=1,
        key=_widget("seed", current.seed),
        help="Same seed, same data, same initial weights, same masks.",
    )
    return replace(
        current,
        dataset=dataset,
        n_train=n_train,
        noise=noise,
        test_share=test_share,
        layers=layers,
        width=width,
        activation=activation,
        drop_rate=drop_rate,
        layer_rates=layer_rates,
        learning_rate=learning_rate,
        optimizer=optimizer,
        batch_size=batch_size,
        weight_decay=weight_decay,
        seed=int(seed),
    )


# --- play / pause / step / reset -------------------------------------------------------
def _step(n: int) -> None:
    st.session_state[STATE].step(n)


def _reset() -> None:
    session = st.session_state[STATE]
    with session.lock:
        session.playing = False
        session.reset()


def _buttons(session: TwinSession) -> None:
    play, one, chunk, reset, _ = st.columns([1, 1, 1, 1, 3])
    play.button(
        "Pause" if session.playing else "Play",
        key="pg_play",
        type="primary",
        on_click=session.play,
        args=(not session.playing,),  # what the label says, even if the press comes twice
        width="stretch",
        help="Train both twins continuously, a few dozen steps per screen update.",
    )
    one.button(
        "Step",
        key="pg_step",
        on_click=_step,
        args=(1,),
        width="stretch",
        help="One optimizer step for both twins.",
    )
    chunk.button(
        f"Step ×{CHUNK}",
        key="pg_chunk",
        on_click=_step,
        args=(CHUNK,),
        width="stretch",
        help=f"{CHUNK} optimizer steps for both twins.",
    )
    reset.button(
        "Reset",
        key="pg_reset",
        on_click=_reset,
        width="stretch",
        help="Start both twins again from the same initial weights.",
    )
    if session.twin.status == "diverged":
        st.warning(session.twin.message, icon="⚠️")


# --- the live part ------------------------------------------------------------------------
def _live_view() -> None:
    session: TwinSession = st.session_state[STATE]
    # Outside the fragment: they change only when the learner moves them, so they are
    # not re-sent with every screen update.
    example, frequency = _example_controls(session)
    if not session.playing:
        PACER.leave(session.owner)

    # Only this part reruns while playing: a bounded chunk of training, then a redraw, at
    # the pace the server can give every playing session (serving.pacing).
    @st.fragment(run_every=pace(session.owner, TICK) if session.playing else None)
    def live_part() -> None:
        session: TwinSession = st.session_state[STATE]
        tick = LiveTick(session.owner, TICK)
        # Held for the whole tick, so a button pressed meanwhile acts between two ticks.
        with session.lock, tick.work():
            started = time.perf_counter()
            if session.playing:
                session.step(CHUNK)
                if not session.playing:  # it just diverged: redraw the buttons and warning
                    st.rerun()
            board = encode(board_payload(session, example, frequency))  # once for all
            session.publish(board)
            twin = session.twin
            draw_update(
                twin.step_count,
                session.settings.seed,
                twin.latest,
                session.data.task,
                board,
                _speed_text(session),
            )
            session.speed.record(started, time.perf_counter(), twin.step_count)
        if session.playing:
            tick.done()

    live_part()


def _speed_text(session: TwinSession) -> str:
    speed = session.speed
    if not (session.playing and speed.ready):
        return ""
    return (
        f" · {speed.steps_per_second:,.0f} steps/s · {speed.median_tick_ms:.0f} ms of "
        "server time per update"
    )


def board_payload(session: TwinSession, example: int, frequency: bool) -> dict:
    """What the live canvas draws this update (no streamlit: benchmarks time it alone)."""
    twin, data = session.twin, session.data
    batch = twin.last_step.inputs.shape[0] if twin.last_step else len(data.x_train)
    example = min(example, batch - 1)  # the last batch of an epoch may be smaller
    boundaries = _boundaries(session, highlight=example)
    scales = " / ".join(f"{1 / (1 - p):.2g}" for p in dict.fromkeys(session.settings.drop_rates))
    network = _network(twin, example, frequency)
    network["title"] = (
        "The masks of this step (dropout twin): "
        + (
            "shade = share of the batch that dropped each unit"
            if frequency
            else "what the optimizer just used for the ringed example"
        )
        + f". Kept units × 1/(1−p) = {scales}"
    )
    panels = [
        *boundaries,
        network,
        {"kind": "stack", "panels": [_curves(twin), _train_vs_eval(twin)]},
    ]
    return live_figures.board(panels, step=twin.step_count)


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


def _boundaries(session: TwinSession, highlight: int) -> list[dict]:
    twin, data = session.twin, session.data
    train = (data.x_train.numpy(), data.y_train.numpy())  # views: no copy
    test = (data.x_test.numpy(), data.y_test.numpy())
    record = twin.last_step
    if record is not None and record.batch_index is not None:
        highlight = int(record.batch_index[highlight])
    prediction = twin.predict(session.view_inputs).numpy()  # (2, points)
    rates = ", ".join(f"{p:g}" for p in dict.fromkeys(session.settings.drop_rates))
    titles = ("No dropout (p = 0)", f"Dropout (p = {rates})")
    lengths = ["", ""]  # how long each boundary is: a memorising twin's grows (core/boundary)
    if data.task == "classification":
        lengths = [
            f" · boundary length {v:.1f}" for v in boundary_length(prediction, session.extent)
        ]
    return [
        live_figures.boundary(
            prediction[k],
            session.extent,
            train,
            test,
            data.task,
            grid_x=session.view_inputs.numpy()[:, 0],
            truth=session.truth,
            highlight=highlight if k == Twin.DROPOUT else None,
            title=titles[k],
            summary=f"{twin.labels[k]}: train loss {point['train_loss']:.3f}, "
            f"test loss {point['test_loss']:.3f}{lengths[k]}",
        )
        for k, point in enumerate(twin.latest)
    ]


def _network(twin: Twin, example: int, frequency: bool) -> dict:
    k = Twin.DROPOUT
    weights = [w[k].detach().numpy() for w, _ in twin.model.layers()]
    record = twin.last_step
    masks, values, drop_frequency = [], None, None
    if record is not None:  # before the first step nothing was dropped yet
        masks = [m[k, example].numpy() for m in record.keep_masks]
        values = [a[k, example].numpy() for a in record.activations]
        values[0] = np.tanh(values[0])  # inputs: squash to [-1, 1] just for colouring
        if frequency:
            drop_frequency = [1 - m[k].float().mean(0).numpy() for m in record.keep_masks]
    names = ["x"] if twin.data.in_features == 1 else ["x1", "x2"]
    return live_figures.network(
        twin.model.sizes,
        weights,
        masks,
        values=values,
        drop_frequency=drop_frequency,
        input_names=names,
    )


def _curves(twin: Twin) -> dict:
    series = []
    for k, colour in (
        (Twin.BASELINE, style.NO_DROPOUT_COLOR),
        (Twin.DROPOUT, style.DROPOUT_COLOR),
    ):
        columns = twin.histories[k].columns
        series += [
            {
                "name": f"{twin.labels[k]}: train",
                "x": columns["step"],
                "y": columns["train_loss"],
                "color": colour,
            },
            {
                "name": f"{twin.labels[k]}: test",
                "x": columns["step"],
                "y": columns["test_loss"],
                "color": colour,
                "dash": [6, 4],
            },
        ]
    # Both twins are evaluated at the same steps, so one x serves every series.
    steps = twin.histories[Twin.BASELINE].columns["step"]
    return live_figures.lines(
        series, steps, title="Train and test loss (solid = train, dashed = test)"
    )


def _train_vs_eval(twin: Twin) -> dict:
    columns = twin.histories[Twin.DROPOUT].columns
    series = [
        {
            "name": "train, dropout on",
            "y": columns["train_loss_train_mode"],
            "color": style.DROPOUT_PALE,
            "width": 3,
        },
        {
            "name": "train, dropout off",
            "y": columns["train_loss"],
            "color": style.DROPOUT_COLOR,
        },
        {
            "name": "test",
            "y": columns["test_loss"],
            "color": style.DROPOUT_COLOR,
            "dash": [6, 4],
        },
    ]
    return live_figures.lines(
        series,
        columns["step"],
        height=220,
        title="Dropout twin: training loss with units dropped (what the optimizer sees) "
        "vs with all units on",
    )
