"""Uncertainty (MC dropout): keep dropout on at inference, predict T times, and read the
spread — wider where the model saw no training points."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st
import torch

from dropout_viz import lesson
from dropout_viz.core import limits
from dropout_viz.core import mc_dropout as mc
from dropout_viz.core.rng import generator
from dropout_viz.figures import uncertainty as fig
from dropout_viz.ui import common

TITLE = "Uncertainty (MC dropout)"
ICON = ":material/blur_on:"
URL_PATH = lesson.UNCERTAINTY
GRID_POINTS = 240


def render() -> None:
    st.title(TITLE)
    st.markdown(
        "**Monte-Carlo dropout** keeps dropout on at inference and asks the network T times: "
        "each pass is a different random sub-network, and the spread of their answers (the "
        "band) estimates how unsure the model is. The network below learned a noisy sine "
        f"without the points in {mc.GAP[0]:g} < x < {mc.GAP[1]:g}, and there, where no "
        "training point told the sub-networks what to do, they disagree most."
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
    st.plotly_chart(
        fig.mc_band(
            xs,
            prediction.mean.numpy(),
            prediction.std.numpy(),
            prediction.samples.numpy(),
            data.x_train.numpy(),
            data.y_train.numpy(),
            np.sin(xs),
            data.gap,
            passes,
        ),
        key="mc_band",
    )
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
        10,
        1000,
        value=100,
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
