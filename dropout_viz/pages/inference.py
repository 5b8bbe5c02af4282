"""Inference, taken apart: the thinned sub-networks inside one network trained with dropout,
their average against the full network in eval mode, and one input's train-mode outputs."""

from __future__ import annotations

import streamlit as st

from dropout_viz import lesson
from dropout_viz.core import ensemble as ens
from dropout_viz.core import inference as core
from dropout_viz.core import limits
from dropout_viz.figures import inference as fig
from dropout_viz.figures import thinned
from dropout_viz.pages import inference_network
from dropout_viz.ui import common

TITLE = "Inference (the ensemble)"
ICON = ":material/hub:"
URL_PATH = lesson.INFERENCE
COUNT = limits.SUB_NETWORKS.high  # sub-networks run once per network and mask seed


def render() -> None:
    st.title(TITLE)
    st.markdown(
        "A network with dropout holds a whole **ensemble**: each dropout mask, held fixed, "
        "picks a **thinned sub-network** of the units, and all of them share the same weights. "
        "Training with dropout trains a random one of them at every step. At inference "
        "PyTorch switches dropout off: every unit takes part, and since kept units were "
        "scaled by 1/(1 − p) in training, the full network's activations match the "
        "sub-networks' on average (the 2014 paper's *weight scaling*). Below, the sub-networks "
        "of one trained network, run one by one, against that full network."
    )
    network = inference_network.choose()
    shown, n, mask_seed = _controls()
    try:
        run = common.remember(
            "inference_ensemble",
            (network.key, mask_seed),
            lambda report: core.run_ensemble(network.model, network.data, COUNT, mask_seed),
            f"Running {COUNT} sub-networks…",
        )
    except ValueError as error:  # e.g. a network without dropout
        st.error(str(error))
        return
    st.caption(f"{network.text} Masks from seed {mask_seed}.")
    if run.view.count < COUNT:
        st.warning(
            f"This network is wide: {run.view.count} sub-networks run here, not {COUNT}, "
            f"so the page stays quick; N goes up to {run.view.count}."
        )
        n = min(n, run.view.count)
    _sub_networks(network.model.sizes, run, shown)
    average, histogram = st.container(), st.container()  # the histogram picks the ★ point
    with histogram:
        point = _histogram(run, n)
    with average:
        _average(run, n, point)


def _where(run: core.EnsembleRun) -> dict:
    """Where the view's points lie, as the figures take it."""
    if run.task == "classification":
        return {"extent": run.extent}
    return {"x_line": run.x_view[:, 0].numpy()}


def _train(run: core.EnsembleRun) -> tuple:
    return run.data.x_train.numpy(), run.data.y_train.numpy()


def _sub_networks(sizes: tuple[int, ...], run: core.EnsembleRun, shown: int) -> None:
    st.subheader(f"{shown} thinned sub-networks")
    view = run.view
    st.plotly_chart(
        thinned.sub_networks(
            sizes,
            [m[:shown].numpy() for m in view.keep_masks],
            view.predictions[:shown].numpy(),
            run.task,
            _train(run),
            **_where(run),
            columns=(shown + 1) // 2,
        ),
        key="inf_sub_networks",
    )
    st.caption(
        "Each one is the same trained network with one mask fixed for every input: crossed "
        "units are dropped, the kept ones scaled by 1/(1 − p), exactly as in a training step. "
        f"The titles count the kept units of the {sum(sizes[1:-1])} hidden ones."
    )


def _average(run: core.EnsembleRun, n: int, point: int) -> None:
    st.subheader("Their average against the full network")
    classification = run.task == "classification"
    st.plotly_chart(
        thinned.average_vs_eval(
            run.view.average(n).numpy(),
            run.view.eval_prediction.numpy(),
            n,
            run.task,
            _train(run),
            point=run.data.x_train[point].numpy() if classification else None,
            **_where(run),
        ),
        key="inf_average",
    )
    curve, score = run.curve, run.scores[0]
    _metrics(curve, score, n)
    left, right = st.columns(2)
    of_outputs = curve.distance_of_outputs
    left.plotly_chart(
        fig.distance(
            curve.counts.numpy(),
            curve.distance.numpy(),
            curve.noise.numpy(),
            curve.floor,
            n,
            None if of_outputs is None else of_outputs.numpy(),
            "P(class 1)" if classification else "y",
            "the map" if classification else "the curve",
        ),
        key="inf_distance",
    )
    right.plotly_chart(
        fig.test_score(
            curve.counts.numpy(),
            score.of_average.numpy(),
            score.of_eval,
            score.metric,
            n,
            score.matched_from,
        ),
        key="inf_test_score",
    )
    st.markdown(_what_this_run_gives(run))


def _histogram(run: core.EnsembleRun, n: int) -> int:
    """One training point's outputs over all sub-networks; returns the point chosen."""
    st.subheader("Train mode vs eval mode, on one input")
    data, train = run.data, run.train
    config = data.config
    point = st.slider(
        "Input: training point #",
        0,
        len(data.x_train) - 1,
        run.most_disputed,
        key=f"inf_point_{config.dataset}_{len(data.x_train)}_{config.seed}",
        help="Starts at the training point whose outputs spread most over the sub-networks. "
        "It is marked ★ on the maps above.",
    )
    coordinates = ", ".join(f"{v:.2f}" for v in data.x_train[point].tolist())
    label = (
        "network output: the logit of class 1 (P = sigmoid of it)"
        if run.task == "classification"
        else "network output: the predicted y"
    )
    st.plotly_chart(
        fig.output_histogram(
            train.outputs[:, point].numpy(),
            float(train.eval_output[point]),
            n,
            label,
            f"training point #{point} ({coordinates})",
        ),
        key="inf_histogram",
    )
    st.caption(
        f"Every bar counts sub-networks: in train mode this input gets one of {COUNT} random "
        "answers; in eval mode it gets one answer, the dashed line. Scaling by 1/(1 − p) keeps "
        "the expected value: the mean of the answers lands on the eval-mode output, exactly "
        "when a single linear layer follows the dropout, and nearly with more layers after it."
    )
    return int(point)


def _controls() -> tuple[int, int, int]:
    side, drawn, averaged = st.sidebar, limits.SUB_NETWORKS_DRAWN, limits.SUB_NETWORKS
    shown = side.slider(
        "Sub-networks drawn",
        drawn.low,
        drawn.high,
        drawn.default,
        key="inf_shown",
        help=lesson.tooltip("thinned sub-network"),
    )
    n = side.slider(
        "Sub-networks averaged N",
        averaged.low,
        averaged.high,
        averaged.default,
        key="inf_n",
        help=lesson.tooltip("weight scaling", "The average is over sub-networks 1 … N."),
    )
    seed = side.number_input(
        "Mask seed",
        limits.SEED.low,
        limits.SEED.high,
        0,
        step=1,
        key="inf_seed",
        help="Which random masks pick the sub-networks. The network's weights stay the same.",
    )
    return int(shown), int(n), int(seed)


def _metrics(curve: ens.Convergence, score: ens.TestScore, n: int) -> None:
    a, b, c, d = common.metric_row(4)
    a.metric(
        f"Distance at N = {n}",
        f"{curve.at(n):.3f}",
        help="RMS over the map of (average of N sub-networks − full network in eval mode).",
    )
    b.metric(
        "What N → ∞ leaves",
        f"{curve.floor:.3f}",
        help="The distance with the noise of sampling taken out: how far the mean "
        "sub-network is from the scaled full network.",
    )
    percent, name = score.metric == "test error", score.metric.replace("test", "Test", 1)
    value = (lambda v: f"{100 * v:.1f} %") if percent else (lambda v: f"{v:.4f}")
    of_average = float(score.of_average[n - 1])
    change = (of_average - score.of_eval) * (100 if percent else 1)
    same = abs(change) < 1e-9
    c.metric(
        f"{name}, average of {n}",
        value(of_average),
        delta="the same as eval mode" if same else f"{change:+.2g}{' points' * percent} vs eval",
        delta_color="off" if same else "inverse",
        delta_arrow="off" if same else "auto",
        help="On the test points, which no sub-network was trained on.",
    )
    d.metric(
        f"{name}, eval mode",
        value(score.of_eval),
        help="The full network with every unit: one forward pass.",
    )


def _what_this_run_gives(run: core.EnsembleRun) -> str:
    curve, score = run.curve, run.scores[0]
    matched = score.matched_from
    when = (
        f"scores as well as weight scaling from **N = {matched}** on (by {score.metric}, "
        f"never worse again up to N = {COUNT})"
        if matched is not None
        else f"still scores worse than weight scaling at N = {COUNT} (by {score.metric})"
    )
    text = (
        f"**What this run gives.** On the {len(run.data.x_test)} test points, the average of N "
        f"sub-networks {when}; the 2014 paper, on MNIST, needed about 50. The number rests on "
        "a few test points: another mask seed moves it."
    )
    loss = run.scores[1] if len(run.scores) > 1 else None
    if loss is not None and loss.matched_from is not None:
        text += (
            f" By test loss (cross-entropy) the average is as good from N = {loss.matched_from}, "
            f"and after {COUNT} it is at {float(loss.of_average[-1]):.3f} against the full "
            f"network's {loss.of_eval:.3f}: the ensemble is less sure where it is wrong."
        )
    text += (
        "\n\nThe distance falls like the noise, σ/√N, then levels off at "
        f"{curve.floor:.3f}: the average of the sub-networks and the scaled full network are "
        "not the same function. Weight scaling is exact only for one linear layer after "
        "dropout; with nonlinear layers it is an approximation."
    )
    if curve.distance_of_outputs is not None:
        text += (
            " Averaging the sub-networks' outputs before the sigmoid comes closer, to "
            f"{float(curve.distance_of_outputs[-1]):.3f}: the expected output is what the "
            "scaling keeps."
        )
    return text
