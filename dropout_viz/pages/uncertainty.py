"""Uncertainty (MC dropout): keep dropout on at inference, predict T times, and read the
spread — wider where the model saw no training points."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st
import torch

from dropout_viz import lesson
from dropout_viz.core import limits
from dropout_viz.core import mc_classify as mcc
from dropout_viz.core import mc_dropout as mc
from dropout_viz.core.data import grid
from dropout_viz.core.rng import generator
from dropout_viz.figures import uncertainty as fig
from dropout_viz.ui import common, tour

TITLE = "Uncertainty (MC dropout)"
ICON = ":material/blur_on:"
URL_PATH = lesson.UNCERTAINTY
GRID_POINTS = 240
MAP_GRID = 50  # cells per side of the 2-D maps
# Where the MC mean's convergence is followed: among the training points, and in the gap.
FOLLOW = ((2.0, "x = 2 (data)"), (0.0, "x = 0 (gap)"))
MEASURES = {"entropy": "predictive entropy (bits)", "std": "std of P(class 1)"}
PRESENTER_BAND_HEIGHT = 400  # px: the band chart's height in the presenter view


def render() -> None:
    present = tour.presenting()  # the presenter view: the band chart fits the screen
    if not present:
        st.title(TITLE)
    tour.bar(URL_PATH)  # a scene of the lesson tour sets the widgets below (?scene=N)
    if not present:
        st.markdown(
            "**Monte-Carlo dropout** keeps dropout on at inference and asks the network T "
            "times: each pass is a different random sub-network, and the spread of their "
            "answers (the band) estimates how unsure the model is. The network below learned "
            f"a noisy sine without the points in {mc.GAP[0]:g} < x < {mc.GAP[1]:g}, and "
            "there, where no training point told the sub-networks what to do, they disagree "
            "most."
        )
    config, passes = _controls()
    try:
        config.validate()
    except ValueError as error:
        st.error(str(error))
        return
    data = mc.sine_with_gap(config)
    model = common.remember(
        "mc_model",
        (config.drop_rate, config.seed),
        lambda report: mc.train_regressor(data, config, on_progress=report),
        f"Training the network ({config.steps} steps)…",
    )
    low, high = data.x_range
    x = torch.linspace(low, high, GRID_POINTS).reshape(-1, 1)
    prediction = mc.mc_predict(model, x, passes, generator(config.seed + 2))
    where = mc.regions(prediction.x, data)
    width_data = prediction.band_width(where["data"])
    width_gap = prediction.band_width(where["gap"])

    a, b, c = st.columns(3)
    a.metric(
        "Band width where the data is",
        f"{width_data:.3f}",
        help="Mean width of the ±2 std band (4 std) over the x where training points lie.",
    )
    b.metric(
        "Band width in the gap",
        f"{width_gap:.3f}",
        help="Mean width of the ±2 std band over the gap, where there were no training points.",
    )
    c.metric(
        "Gap / data",
        f"{width_gap / width_data:.1f}×" if width_data > 0 else "—",
        help="How much less sure the model is where it saw no data.",
    )
    xs = prediction.x.numpy()
    band = fig.mc_band(
        xs,
        prediction.mean.numpy(),
        prediction.std.numpy(),
        prediction.samples.numpy(),
        data.x_train.numpy(),
        data.y_train.numpy(),
        np.sin(xs),
        data.gap,
        passes,
    )
    if present:  # under the tour bar and the metrics, inside a 720-pixel-high screen
        band.update_layout(height=PRESENTER_BAND_HEIGHT)
    st.plotly_chart(band, key="mc_band")
    st.markdown("**How unsure, along x:** the band's half-width, 2 standard deviations.")
    st.plotly_chart(fig.spread(xs, prediction.std.numpy(), data.gap, passes), key="mc_spread")
    if width_gap <= width_data:
        st.warning(
            "With these settings the band is not wider in the gap. Monte-Carlo dropout is a "
            "rough estimate: try another seed or p."
        )
    st.caption(
        f"The network: {len(config.hidden)} ReLU layers of {config.hidden[0]} units with "
        f"dropout p = {config.drop_rate:g} after each, {config.steps} full-batch Adam steps on "
        f"{len(data.x_train)} points, seed {config.seed}. The band shows the model's own "
        "uncertainty, not the noise in the data, and its width depends on p and the "
        "architecture: read it as a guide, not a guarantee."
    )
    _convergence(prediction, passes)
    _two_d(config, passes)


def _convergence(prediction: mc.MCPrediction, passes: int) -> None:
    st.subheader("Does the MC mean reach the eval-mode prediction?")
    followed = []
    for x, label in FOLLOW:
        point = mc.convergence_at(prediction, int((prediction.x - x).abs().argmin()))
        followed.append((label, point))
    st.plotly_chart(
        fig.mc_convergence(
            [
                {
                    "label": label,
                    "running_mean": point.running_mean.numpy(),
                    "eval_value": point.eval_value,
                    "band": point.band().numpy(),
                }
                for label, point in followed
            ],
            passes,
        ),
        key="mc_convergence",
    )
    columns = st.columns(len(followed))
    for column, (label, point) in zip(columns, followed):
        band = float(point.band()[-1])
        column.metric(
            f"{label}: |MC mean − eval mode| after T = {passes}",
            f"{point.distance:.4f}",
            delta=f"noise band ±{band:.4f}",
            delta_color="off",
            delta_arrow="off",
            help="The eval-mode output is one pass with every unit on (weight scaling). If it "
            "were exactly the average of the sub-networks, the MC mean would stay inside "
            "the ±2σ/√T band around it 95 % of the time.",
        )
    st.markdown(
        "Each line is the mean of the first T passes minus the eval-mode output at one x. "
        "The noise of averaging shrinks as 1/√T (the band). Where the training points are, "
        "the mean settles on the eval-mode output; in the gap it often settles a little off "
        "it, outside the band: with three ReLU layers the eval-mode network approximates the "
        "average of the sub-networks, it does not equal it."
    )


def _two_d(config: mc.MCConfig, passes: int) -> None:
    st.subheader("In 2-D: where a classifier is unsure")
    hole_config = replace(mcc.HoleConfig(), drop_rate=config.drop_rate, seed=config.seed)
    hole = mcc.moons_with_hole(hole_config)
    st.markdown(
        f"Two moons, {len(hole.data.x_train)} training points, none inside the dashed circle "
        "(where the tip of one moon reaches into the other). A classifier with dropout "
        f"learned them; {passes} passes with dropout kept on give a mean probability and, from "
        "it, the **predictive entropy**: 0 bits where the passes agree on a class, 1 bit where "
        "they average to 50/50. The **std** shows how much the passes disagree."
    )
    model = common.remember(
        "mc_classifier",
        (hole_config.drop_rate, hole_config.seed),
        lambda report: mcc.train_classifier(hole, hole_config, on_progress=report),
        f"Training the classifier ({hole_config.steps} steps)…",
    )
    measure = st.radio(
        "Uncertainty shown",
        list(MEASURES),
        format_func=MEASURES.get,
        horizontal=True,
        key="mc_measure",
        help="Entropy counts every reason to be unsure, std only the passes' disagreement.",
    )
    maps, where = mcc.region_uncertainty(
        model, hole, grid(mcc.EXTENT, MAP_GRID), passes, generator(config.seed + 3)
    )
    values = maps.entropy if measure == "entropy" else maps.std
    st.plotly_chart(
        fig.mc_maps(
            maps.mean.numpy(),
            values.numpy(),
            MEASURES[measure],
            mcc.EXTENT,
            (hole.data.x_train.numpy(), hole.data.y_train.numpy()),
            (hole.centre, hole.radius),
            passes,
        ),
        key="mc_maps",
    )
    summary = where.entropy if measure == "entropy" else where.std
    columns = st.columns(len(summary))
    for column, (region, value) in zip(columns, summary.items()):
        column.metric(
            f"Mean {MEASURES[measure].split(' (')[0]}: {region}",
            f"{value:.3f}",
            help={
                "training points": "At the points the network was trained on.",
                "held-out region": f"At the {len(hole.x_hole)} test points inside the "
                "circle: never trained on.",
                "far from the data": f"Over the map's points farther than {mcc.FAR:g} from "
                "every training point.",
            }[region],
        )
    st.caption(
        "Monte-Carlo dropout is an approximation of a model's uncertainty, and it often "
        "under-estimates it far from the data: ReLU sub-networks extrapolate in straight "
        "lines and can agree, confidently, where no point was ever seen. Low entropy there "
        "does not mean the model knows."
    )


def _controls() -> tuple[mc.MCConfig, int]:
    side = st.sidebar
    side.header("Monte-Carlo dropout")
    drop_rate = side.slider(
        "Dropout rate p",
        0.05,
        0.5,
        value=mc.MCConfig.drop_rate,
        step=0.05,
        key="mc_p",
        help=lesson.tooltip("dropout rate p", "Changing p trains the network again."),
    )
    passes = side.slider(
        "Passes T",
        limits.MC_PASSES.low,
        limits.MC_PASSES.high,
        value=limits.MC_PASSES.default,
        step=10,
        key="mc_passes",
        help=lesson.tooltip(
            "monte-carlo dropout", "T is how many predictions are averaged; no retraining."
        ),
    )
    seed = side.number_input(
        "Seed",
        limits.SEED.low,
        limits.SEED.high,
        value=0,
        step=1,
        key="mc_seed",
        help="Same seed, same training points, initial weights and masks.",
    )
    return replace(mc.MCConfig(), drop_rate=float(drop_rate), seed=int(seed)), int(passes)
