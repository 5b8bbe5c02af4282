"""The Overfitting lab's sweeps: dropout rate p, amount of data, regularizers compared,
and the co-adaptation probe. Each draws one experiment on the lab's shared settings;
``run`` is the lab's trainer, which trains a result once for every visitor.

Part of the lab page (``overfitting_lab``), beside ``lab_grid`` (the best-p grid).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import streamlit as st

from dropout_viz import lesson
from dropout_viz.core import findings, limits, sweep
from dropout_viz.core.user_data import sizes_within
from dropout_viz.figures import overfitting as figures
from dropout_viz.pages import lab_grid


def _table(rows: list[dict], columns: dict[str, str]) -> None:
    st.dataframe(
        [{label: row.get(key) for key, label in columns.items()} for row in rows],
        hide_index=True,
        width="stretch",
    )


def p_sweep(config: sweep.SweepConfig, seeds: tuple[int, ...], run: Callable) -> None:
    st.markdown(
        "**How much dropout?** The same network at p = 0, 0.1, …, 0.8. Look for a training "
        "loss near zero and a high test loss at little dropout (a large gap), the gap closing "
        "as p grows, and the training loss rising once dropout is too strong (underfitting). "
        f"The lesson's typical rates are {limits.TYPICAL_DROP_RATES[0]}–"
        f"{limits.TYPICAL_DROP_RATES[1]}; the sentence under the chart says what this run shows."
    )
    key = ("p", config, seeds)
    result = run("p sweep", key, lambda report: sweep.p_sweep(config, seeds=seeds, progress=report))
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
    lab_grid.downloads(result, "p-sweep")


def size_sweep(config: sweep.SweepConfig, seeds: tuple[int, ...], run: Callable) -> None:
    sizes = sizes_within(config.data, limits.LAB_SIZES)  # own data: what its rows allow
    st.markdown(
        "**When does dropout help?** Networks with and without dropout trained on "
        f"{sizes[0]} to {sizes[-1]} points, all tested on the same "
        "test set. The 2014 paper "
        "saw no gain with the very smallest sets (too little to learn from either way), a "
        "clear gain in the middle, and a shrinking one as data grows: big data is itself a "
        "regularizer."
    )
    drop_rate = st.slider(
        "p of the dropout arm",
        limits.LAB_DROP_RATE.low,
        limits.LAB_DROP_RATE.high,
        limits.SWEEP_SIZE_DROP_RATE,
        step=0.1,
        key="lab_size_p",
        help=lesson.tooltip("dropout"),
    )
    if config.steps > limits.LAB_SIZE_SWEEP_MAX_STEPS:
        config = replace(config, steps=limits.LAB_SIZE_SWEEP_MAX_STEPS)
        st.caption(
            f"{limits.LAB_SIZE_SWEEP_MAX_STEPS:,} training steps per model here, to keep this "
            "experiment quick."
        )
    key = ("size", config, seeds, drop_rate)
    result = run(
        "data-size sweep",
        key,
        lambda report: sweep.size_sweep(
            config,
            sizes=sizes,
            drop_rate=drop_rate,
            seeds=seeds,
            progress=report,
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
    lab_grid.downloads(result, "size-sweep")


def regularizers(config: sweep.SweepConfig, seeds: tuple[int, ...], run: Callable) -> None:
    st.markdown(
        "**Dropout among other regularizers.** The same network with nothing, with dropout, "
        "with weight decay (L2), and with both. Regularizers can overlap: once one does the "
        "job, adding another helps less — one reason dropout is less useful next to other "
        "strong regularization. The sentence under the chart says whether they did here."
    )
    left, right = st.columns(2)
    drop_rate = left.slider(
        "p",
        limits.LAB_DROP_RATE.low,
        limits.LAB_DROP_RATE.high,
        limits.LAB_DROP_RATE.default,
        step=0.1,
        key="lab_reg_p",
        help=lesson.tooltip("dropout"),
    )
    weight_decay = right.select_slider(
        "Weight decay",
        [0.0001, 0.001, 0.01, 0.1],
        value=0.001,
        key="lab_reg_wd",
        help=lesson.tooltip("regularization"),
    )
    key = ("regularizers", config, seeds, drop_rate, weight_decay)
    result = run(
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
    lab_grid.downloads(result, "regularizers")


def coadaptation(config: sweep.SweepConfig, seeds: tuple[int, ...], run: Callable) -> None:
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
        "p",
        limits.LAB_DROP_RATE.low,
        limits.LAB_DROP_RATE.high,
        limits.LAB_DROP_RATE.default,
        step=0.1,
        key="lab_coad_p",
        help=lesson.tooltip("dropout"),
    )
    key = ("coadaptation", config, seeds, drop_rate)
    result = run(
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
    lab_grid.downloads(result, "coadaptation")
