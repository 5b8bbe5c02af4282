"""The Playground's sidebar: every setting of a run as a widget (data, network,
training), seeded from the run's settings so nothing a learner chose is lost between
pages. Widget keys start with ``pg_``: a new run clears them (``playground.start``)."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dropout_viz import lesson
from dropout_viz.core import limits
from dropout_viz.core.data import DEFAULT_NOISE
from dropout_viz.state.twin_session import PlaygroundSettings
from dropout_viz.ui import upload


def _widget(key: str, value) -> str:
    """Widgets keep their own state; (re)seed it from the settings when it is missing,
    e.g. after visiting another page, so nothing the learner chose is lost."""
    full = f"pg_{key}"
    if full not in st.session_state:
        st.session_state[full] = value
    return full


def _on_dataset_change() -> None:
    noise = DEFAULT_NOISE.get(st.session_state["pg_dataset"])  # own data has no noise
    if noise is not None:
        st.session_state["pg_noise"] = noise


def sidebar_controls(current: PlaygroundSettings, own: str | None = None) -> PlaygroundSettings:
    """The sidebar's widgets, seeded from current; what they are set to now. own: the
    key of this session's own data file, offered as one more dataset."""
    side = st.sidebar
    side.header("Data")
    if own is None and current.dataset not in limits.PLAYGROUND_DATASETS:
        own = current.dataset  # a copy of a teacher's run on the teacher's file
    dataset = side.selectbox(
        "Dataset",
        limits.PLAYGROUND_DATASETS + ((own,) if own else ()),
        format_func=upload.dataset_name,
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
        disabled=dataset not in DEFAULT_NOISE,  # own data: the file's points, as they are
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
