"""Overfitting lab: many runs at once — how the gap depends on p, data and other regularizers."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dropout_viz import lesson
from dropout_viz.core import findings, limits, sweep
from dropout_viz.core.data import (
    DEFAULT_ACTIVATION,
    DEFAULT_LEARNING_RATE,
    DEFAULT_NOISE,
    DEFAULT_STEPS,
    DataConfig,
)
from dropout_viz.core.training import TrainConfig
from dropout_viz.figures import overfitting as figures
from dropout_viz.pages import lab_grid
from dropout_viz.state.shared_results import SWEEPS

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
DATASETS = limits.CLASSIFICATION_2D + limits.REGRESSION_1D + limits.REAL_DATA
SIZES = (25, 50, 100, 200, 400, 800)
SIZE_SWEEP_MAX_STEPS = 1000  # its big training sets make it the slowest experiment


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
            "p": _p_sweep,
            "size": _size_sweep,
            "regularizers": _regularizers,
            "coadaptation": _coadaptation,
            "grid": lambda config, seeds: lab_grid.render(config, seeds, _run),
        }[experiment](config, seeds)
    except ValueError as error:  # settings the core refuses: say what to change
        st.error(str(error))


# --- settings -----------------------------------------------------------------------------
def _settings() -> tuple[sweep.SweepConfig, tuple[int, ...]]:
    side = st.sidebar
    side.header("Shared settings")
    dataset = side.selectbox(
        "Dataset",
        DATASETS,
        format_func=lesson.DATASET_NAMES.get,
        key="lab_dataset",
        help="Five 2-D classification sets, a 1-D curve fit, or 8×8 "
        "handwritten digits (64 inputs, 10 classes).",
    )
    n_train = side.slider(
        "Training points",
        20,
        500,
        60,
        step=10,
        key="lab_n_train",
        help="Fewer points overfit sooner. (The data-size experiment "
        f"varies this itself, from {SIZES[0]} to {SIZES[-1]}.)",
    )
    noise = side.slider(
        "Noise",
        0.0,
        1.0,
        DEFAULT_NOISE[dataset],
        step=0.05,
        key=f"lab_noise_{dataset}",
        disabled=dataset == "digits",
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
        "Hidden layers",
        1,
        3,
        2,
        key="lab_layers",
        help="Fully connected hidden layers, each followed by dropout.",
    )
    activation = side.selectbox(
        "Activation",
        limits.ACTIVATIONS,
        index=limits.ACTIVATIONS.index(DEFAULT_ACTIVATION[dataset]),
        key=f"lab_activation_{dataset}",  # each dataset starts from the one that suits it
        help=lesson.tooltip(
            "activation",
            "Each dataset starts with the one under which dropout's effect shows best.",
        ),
    )
    learning_rate = side.select_slider(
        "Learning rate",
        LEARNING_RATES,
        value=DEFAULT_LEARNING_RATE[dataset],
        key=f"lab_lr_{dataset}",  # like the activation: each dataset starts from its own
        help="Adam's step size. Digits start at 0.001: at 0.01 the network memorises its "
        "training images so fast that only extreme dropout holds it back.",
    )
    steps = side.select_slider(
        "Training steps",
        [250, 500, 1000, 2000, 4000],
        value=DEFAULT_STEPS[dataset],
        key=f"lab_steps_{dataset}",
        help="Full-batch Adam steps per model. Digits start at 1000: trained longer, even "
        "the dropout models grow overconfident and no p beats the others clearly.",
    )
    n_seeds = side.slider(
        "Seeds",
        1,
        5,
        3,
        key="lab_seeds",
        help="Each setting is trained this many times, from different "
        "initial weights and masks; the charts show mean ± std.",
    )
    data = DataConfig(dataset, n_train, 500, noise, seed=0)
    train = TrainConfig(
        hidden=(width,) * layers, activation=activation, learning_rate=learning_rate
    )
    return sweep.SweepConfig(data, train, steps=steps), tuple(range(n_seeds))


def _run(name: str, key: tuple, compute) -> sweep.SweepResult:
    """One experiment's result, trained once per server for everyone who asks for it."""
    if key in SWEEPS:
        return SWEEPS.get(key, compute)
    bar = st.progress(0.0, text=f"Training the {name}…")

    def report(done: int, total: int) -> None:
        bar.progress(
            done / total if total else 1.0,
            text=f"Training the {name}: {done:,} of {total:,} model-steps",
        )

    result = SWEEPS.get(key, lambda: compute(report))
    bar.empty()
    return result


def _download(result: sweep.SweepResult, name: str) -> None:
    lab_grid.downloads(result, name)  # JSON as the CLI writes it, and one CSV row per model


def _table(rows: list[dict], columns: dict[str, str]) -> None:
    st.dataframe(
        [{label: row.get(key) for key, label in columns.items()} for row in rows],
        hide_index=True,
        width="stretch",
    )


# --- experiments --------------------------------------------------------------------------
def _p_sweep(config: sweep.SweepConfig, seeds: tuple[int, ...]) -> None:
    st.markdown(
        "**How much dropout?** The same network at p = 0, 0.1, …, 0.8. Look for a training "
        "loss near zero and a high test loss at little dropout (a large gap), the gap closing "
        "as p grows, and the training loss rising once dropout is too strong (underfitting). "
        f"The lesson's typical rates are {limits.TYPICAL_DROP_RATES[0]}–"
        f"{limits.TYPICAL_DROP_RATES[1]}; the sentence under the chart says what this run shows."
    )
    key = ("p", config, seeds)
    result = _run(
        "p sweep", key, lambda report: sweep.p_sweep(config, seeds=seeds, progress=report)
    )
    classification = result.records[0].test_acc is not None
    st.plotly_chart(figures.p_sweep(result.summary, classification), width="stretch")
    st.success(findings.p_sweep_finding(result.summary))
    _table(
        result.summary,
        {
            "p": "p",
            "train_loss_mean": "train loss",
            "test_loss_mean": "test loss",
            "gap_mean": "gap",
            "gap_std": "gap std",
            "test_acc_mean": "test accuracy",
        },
    )
    _download(result, "p-sweep")


def _size_sweep(config: sweep.SweepConfig, seeds: tuple[int, ...]) -> None:
    st.markdown(
        "**When does dropout help?** Networks with and without dropout trained on "
        f"{SIZES[0]} to {SIZES[-1]} points, all tested on the same test set. The 2014 paper "
        "saw no gain with the very smallest sets (too little to learn from either way), a "
        "clear gain in the middle, and a shrinking one as data grows: big data is itself a "
        "regularizer."
    )
    drop_rate = st.slider(
        "p of the dropout arm",
        0.1,
        0.8,
        limits.SWEEP_SIZE_DROP_RATE,
        step=0.1,
        key="lab_size_p",
        help=lesson.tooltip("dropout"),
    )
    if config.steps > SIZE_SWEEP_MAX_STEPS:
        config = replace(config, steps=SIZE_SWEEP_MAX_STEPS)
        st.caption(
            f"{SIZE_SWEEP_MAX_STEPS:,} training steps per model here, to keep this "
            "experiment quick."
        )
    key = ("size", config, seeds, drop_rate)
    result = _run(
        "data-size sweep",
        key,
        lambda report: sweep.size_sweep(
            config, sizes=SIZES, drop_rate=drop_rate, seeds=seeds, progress=report
        ),
    )
    gain = result.tables["gain"]
    classification = result.records[0].test_acc is not None
    st.plotly_chart(figures.size_sweep(gain, classification), width="stretch")
    clear = [r["n_train"] for r in gain if r["gain"] > 2 * r["gain_se"]]
    st.info(
        "Dropout lowered the test error clearly (by more than 2 standard errors) with "
        + (
            ", ".join(map(str, clear)) + " training points."
            if clear
            else "none of these sizes: try more noise, a wider network or more steps."
        )
    )
    _table(
        gain,
        {
            "n_train": "training points",
            "error_without_dropout": "error, no dropout",
            "error_with_dropout": "error, dropout",
            "gain": "gain",
            "gain_se": "± s.e.",
        },
    )
    _download(result, "size-sweep")


def _regularizers(config: sweep.SweepConfig, seeds: tuple[int, ...]) -> None:
    st.markdown(
        "**Dropout among other regularizers.** The same network with nothing, with dropout, "
        "with weight decay (L2), and with both. Regularizers can overlap: once one does the "
        "job, adding another helps less — one reason dropout is less useful next to other "
        "strong regularization. The sentence under the chart says whether they did here."
    )
    left, right = st.columns(2)
    drop_rate = left.slider(
        "p", 0.1, 0.8, 0.5, step=0.1, key="lab_reg_p", help=lesson.tooltip("dropout")
    )
    weight_decay = right.select_slider(
        "Weight decay",
        [0.0001, 0.001, 0.01, 0.1],
        value=0.001,
        key="lab_reg_wd",
        help=lesson.tooltip("regularization"),
    )
    key = ("regularizers", config, seeds, drop_rate, weight_decay)
    result = _run(
        "comparison",
        key,
        lambda report: sweep.regularizer_comparison(
            config, drop_rate=drop_rate, weight_decay=weight_decay, seeds=seeds, progress=report
        ),
    )
    classification = result.records[0].test_acc is not None
    st.plotly_chart(figures.regularizers(result.summary, classification), width="stretch")
    st.success(findings.regularizer_finding(result.summary))
    _table(
        result.summary,
        {
            "label": "regularizer",
            "test_loss_mean": "test loss",
            "gap_mean": "gap",
            "train_loss_mean": "train loss",
            "test_acc_mean": "test accuracy",
        },
    )
    _download(result, "regularizers")


def _coadaptation(config: sweep.SweepConfig, seeds: tuple[int, ...]) -> None:
    st.markdown(
        "**Co-adaptation.** After training, silence one hidden unit at a time at test time "
        "and measure how much accuracy the network loses. Without dropout, units learn to "
        "rely on each other, so losing one can hurt; trained with dropout, every unit had to "
        "work while others were missing, so no single one is critical."
    )
    if config.data.dataset == "sine":
        st.warning("This probe measures accuracy: pick a classification dataset.")
        return
    drop_rate = st.slider(
        "p", 0.1, 0.8, 0.5, step=0.1, key="lab_coad_p", help=lesson.tooltip("dropout")
    )
    key = ("coadaptation", config, seeds, drop_rate)
    result = _run(
        "co-adaptation probe",
        key,
        lambda report: sweep.coadaptation_probe(
            config, drop_rate=drop_rate, seeds=seeds, progress=report
        ),
    )
    layers = sorted({row["layer"] for row in result.tables["knockout"]})
    layer = (
        st.radio(
            "Hidden layer",
            layers,
            format_func=lambda i: f"hidden {i + 1}",
            horizontal=True,
            key="lab_coad_layer",
        )
        if len(layers) > 1
        else layers[0]
    )
    st.plotly_chart(figures.knockout(result.tables["knockout"], layer), width="stretch")
    rows = [r for r in result.tables["knockout_summary"] if r["layer"] == layer]
    worst = {r["label"]: r["worst_acc_drop_mean"] for r in rows}
    st.info(
        f"The most important single unit costs {worst.get('no dropout', 0):.1%} of test "
        f"accuracy without dropout, {worst.get('dropout', 0):.1%} with dropout (mean over "
        f"{len(seeds)} seed{'s' if len(seeds) > 1 else ''}): "
        + (
            "with dropout no single unit matters as much."
            if worst.get("dropout", 0) < worst.get("no dropout", 0)
            else "in this run dropout did not make single units matter less."
        )
    )
    _download(result, "coadaptation")
