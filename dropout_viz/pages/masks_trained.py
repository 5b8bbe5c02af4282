"""The Masks & scaling page's trained networks: one per scaling convention, and the
sparsity twins on the digits. Part of that page (``masks_scaling``), kept apart so
the page stays short; each result is trained once per user (``ui.common.remember``).
"""

from __future__ import annotations

import streamlit as st

from dropout_viz import lesson
from dropout_viz.core import conventions as conv
from dropout_viz.core import sparsity
from dropout_viz.figures import masks as fig
from dropout_viz.ui import common


def convention_models(drop_rate: float, seed: int) -> None:
    """A network trained and evaluated under each convention, side by side."""
    st.subheader("A model trained and evaluated each way")
    runs = common.remember(
        "conventions",
        (drop_rate, seed),
        lambda report: conv.train_conventions(drop_rate, seed, on_progress=report),
        "Training one network per convention…",
    )
    columns = common.metric_row(len(runs))
    by_mode = {run.mode: run for run in runs}
    reference = by_mode["inverted"].test_accuracy
    for column, run in zip(columns, runs):
        points = 100 * (run.test_accuracy - reference)
        column.metric(
            fig.CONVENTION_NAMES[run.mode],
            f"{run.test_accuracy:.1%}",
            delta="the reference" if run.mode == "inverted" else f"{points:+.1f} points",
            delta_color="off" if run.mode == "inverted" else "normal",
            delta_arrow="off" if run.mode == "inverted" else "auto",
            help="Test accuracy, evaluated the way the network was built.",
            border=True,
        )
        column.caption(
            f"test loss {run.test_loss:.3f} · first hidden layer passes on "
            f"{run.ratio:.2f}× at inference what it passed on in training"
        )
    same = bool((by_mode["classic"].flat_weights == by_mode["unscaled"].flat_weights).all())
    st.markdown(
        f"Each network: {len(conv.HIDDEN)} ReLU layers of {conv.HIDDEN[0]} units, p = "
        f"{drop_rate:g} after each, {conv.STEPS} Adam steps on the *circles* data "
        f"({conv.DATA.n_train} training points, {conv.DATA.n_test} test points), seed {seed}. "
        + (
            "The classic and unscaled networks are **the same network, weight for weight**: "
            "neither scales in training, so they trained identically. Only inference "
            "differs — the unscaled one skips the × (1−p), its activations arrive "
            f"{1 / (1 - drop_rate):.2f}× too large, layer after layer, and its predictions "
            "become overconfident (a higher test loss) or wrong (a lower accuracy)."
            if same and drop_rate > 0
            else ""
        )
    )


def after_training(drop_rate: float, seed: int) -> None:
    """Twins with and without dropout: how sparse their hidden units end up."""
    st.header("After training: sparser, less co-adapted units")
    st.markdown(
        "Twin networks (same initial weights, same batches; only dropout differs) learn the "
        "8×8 handwritten digits with one hidden layer of "
        f"{sparsity.HIDDEN} ReLU units, for {sparsity.STEPS} steps. Below: that layer's "
        "activations on the test digits, in eval mode."
    )
    st.markdown(
        f"**Co-adaptation:** {lesson.tooltip('co-adaptation')} Without a reliable partner, "
        "each unit has to be useful on its own — and fewer units fire for any one input."
    )
    result = common.remember(
        "sparsity",
        (drop_rate, seed),
        lambda report: sparsity.train_twins(drop_rate, seed, on_progress=report),
        "Training the twins on the digits…",
    )
    means, zeros = result.mean_activation, result.zero_share
    a, b, c = common.metric_row(3)
    a.metric(
        "Mean activation",
        f"{means[0]:.2f} → {means[1]:.2f}",
        help="No dropout → dropout, over every test digit and unit.",
    )
    b.metric(
        "Activations exactly 0",
        f"{zeros[0]:.0%} → {zeros[1]:.0%}",
        help="Sparsity: the share of (digit, unit) pairs where the ReLU outputs 0.",
    )
    c.metric(
        "Test accuracy",
        f"{result.test_accuracy[0]:.1%} → {result.test_accuracy[1]:.1%}",
        help="No dropout → dropout, on 500 test digits.",
    )
    st.plotly_chart(
        fig.activation_histograms(
            [a.numpy() for a in result.activations],
            [u.numpy() for u in result.unit_means],
            sparsity.LABELS,
        ),
        key="ms_histograms",
    )
    st.caption(
        "For context, not our result: the 2014 dropout paper reports the same effect in a "
        "larger setting — in its autoencoder on MNIST, the mean hidden activation fell from "
        "about 2.0 without dropout to about 0.7 with it."
    )
    if drop_rate == 0:
        st.info("At p = 0 the twins are identical: both histograms coincide.")
    elif means[1] >= means[0]:
        st.warning(
            "With these settings the dropout twin is not sparser. The effect is typical, "
            "not guaranteed: try another seed or a larger p."
        )
