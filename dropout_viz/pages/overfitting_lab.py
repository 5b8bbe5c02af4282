"""Overfitting lab: many runs at once — how the gap depends on p, data and other regularizers."""

from __future__ import annotations

import streamlit as st

from dropout_viz import lesson
from dropout_viz.core import limits, sweep
from dropout_viz.core.data import (
    DEFAULT_ACTIVATION,
    DEFAULT_LEARNING_RATE,
    DEFAULT_NOISE,
    DEFAULT_STEPS,
    DataConfig,
)
from dropout_viz.core.training import TrainConfig
from dropout_viz.core.user_data import LAB, data_config
from dropout_viz.pages import lab_grid, lab_sweeps
from dropout_viz.state.shared_results import SWEEPS
from dropout_viz.ui import common, upload

TITLE = "Overfitting lab"
ICON = ":material/trending_up:"
URL_PATH = lesson.OVERFITTING

EXPERIMENTS = {
    "p": "Dropout rate p",
    "size": "Amount of data",
    "regularizers": "Regularizers compared",
    "coadaptation": "Co-adaptation",
    "grid": "Which p is best?",
}
LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)


def render() -> None:
    st.title(TITLE)
    st.markdown(
        "The Playground trains one pair of networks. Here the same small network is trained "
        "many times at once — several dropout rates, dataset sizes, regularizers, each with "
        "several seeds — and the lab compares where they end up. Every point is a mean over "
        "seeds; the error bars are ±1 standard deviation."
    )
    config, seeds = _settings()
    choice = st.segmented_control(
        "Experiment",
        list(EXPERIMENTS),
        format_func=EXPERIMENTS.get,
        default="p",
        key="lab_experiment",
        help="Each experiment runs on the settings in the sidebar.",
    )
    experiment = choice or "p"
    try:
        {
            "p": lab_sweeps.p_sweep,
            "size": lab_sweeps.size_sweep,
            "regularizers": lab_sweeps.regularizers,
            "coadaptation": lab_sweeps.coadaptation,
            "grid": lab_grid.render,
        }[experiment](config, seeds, _run)
    except ValueError as error:  # settings the core refuses: say what to change
        st.error(str(error))


# --- settings -----------------------------------------------------------------------------
def _settings() -> tuple[sweep.SweepConfig, tuple[int, ...]]:
    side = st.sidebar
    own, new = upload.data_panel(side, "own_lab", LAB)
    if new is not None:  # a good new file becomes the dataset; a bad one changed nothing
        st.session_state["lab_dataset"] = new.key
    side.header("Shared settings")
    dataset = side.selectbox(
        "Dataset",
        limits.DATASETS + ((own.key,) if own else ()),
        format_func=upload.dataset_name,
        key="lab_dataset",
        help="Five 2-D classification sets, a 1-D curve fit, or 8×8 "
        "handwritten digits (64 inputs, 10 classes).",
    )
    n_train = side.slider(
        limits.LAB_N_TRAIN.name,
        limits.LAB_N_TRAIN.low,
        limits.LAB_N_TRAIN.high,
        limits.LAB_N_TRAIN.default,
        step=10,
        key="lab_n_train",
        help="Fewer points overfit sooner. (The data-size experiment "
        f"varies this itself, from {limits.LAB_SIZES[0]} to {limits.LAB_SIZES[-1]}.)",
    )
    own_data = own is not None and dataset == own.key
    base = "moons" if own_data else dataset  # own data starts from the small sets' defaults
    test_share = limits.TEST_SHARE.default
    if own_data:
        test_share = side.slider(
            "Test share",
            limits.TEST_SHARE.low,
            limits.TEST_SHARE.high,
            limits.TEST_SHARE.default,
            step=0.05,
            key="lab_test_share",
            help="The share of your file's rows held out as the test set.",
        )
    noise = side.slider(
        "Noise",
        0.0,
        1.0,
        DEFAULT_NOISE[base],
        step=0.05,
        key=f"lab_noise_{dataset}",
        disabled=base == "digits" or own_data,
        help="Standard deviation of the jitter around the clean pattern.",
    )
    width = side.select_slider(
        "Units per layer",
        [8, 16, 32, 64, 128],
        value=32,
        key="lab_width",
        help="Wide layers can memorise more.",
    )
    layers = side.slider(
        limits.LAB_LAYERS.name,
        limits.LAB_LAYERS.low,
        limits.LAB_LAYERS.high,
        limits.LAB_LAYERS.default,
        key="lab_layers",
        help="Fully connected hidden layers, each followed by dropout.",
    )
    activation = side.selectbox(
        "Activation",
        limits.ACTIVATIONS,
        index=limits.ACTIVATIONS.index(DEFAULT_ACTIVATION[base]),
        key=f"lab_activation_{dataset}",  # each dataset starts from the one that suits it
        help=lesson.tooltip(
            "activation",
            "Each dataset starts with the one under which dropout's effect shows best.",
        ),
    )
    learning_rate = side.select_slider(
        "Learning rate",
        LEARNING_RATES,
        value=DEFAULT_LEARNING_RATE[base],
        key=f"lab_lr_{dataset}",  # like the activation: each dataset starts from its own
        help="Adam's step size. Digits start at 0.001: at 0.01 the network memorises its "
        "training images so fast that only extreme dropout holds it back.",
    )
    steps = side.select_slider(
        "Training steps",
        [250, 500, 1000, 2000, 4000],
        value=DEFAULT_STEPS[base],
        key=f"lab_steps_{dataset}",
        help="Full-batch Adam steps per model. Digits start at 1000: trained longer, even "
        "the dropout models grow overconfident and no p beats the others clearly.",
    )
    n_seeds = side.slider(
        limits.LAB_SEEDS.name,
        limits.LAB_SEEDS.low,
        limits.LAB_SEEDS.high,
        limits.LAB_SEEDS.default,
        key="lab_seeds",
        help="Each setting is trained this many times, from different "
        "initial weights and masks; the charts show mean ± std.",
    )
    data = DataConfig(dataset, n_train, limits.N_TEST.default, noise, seed=0)
    if own_data:  # the test share of the file's rows; up to n_train of the rest train
        data = data_config(own, test_share, n_train, 0)
    train = TrainConfig(
        hidden=(width,) * layers, activation=activation, learning_rate=learning_rate
    )
    return sweep.SweepConfig(data, train, steps=steps), tuple(range(n_seeds))


def _run(name: str, key: tuple, compute) -> sweep.SweepResult:
    """One experiment's result, trained once per server for everyone who asks for it."""
    if key in SWEEPS:
        return SWEEPS.get(key, compute)
    with common.progress(f"Training the {name}…") as report:

        def steps_done(done: int, total: int) -> None:
            fraction = done / total if total else 1.0
            report(fraction, f"Training the {name}: {done:,} of {total:,} model-steps")

        return SWEEPS.get(key, lambda: compute(steps_done))
