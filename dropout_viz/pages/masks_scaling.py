"""Masks & scaling: one dropout layer up close — h, this pass's mask m, h·m/(1−p), the
expectation it keeps, three scaling conventions, and sparser units after training."""

from __future__ import annotations

import streamlit as st

from dropout_viz import lesson
from dropout_viz.core import conventions as conv
from dropout_viz.core import limits, masks
from dropout_viz.figures import masks as fig
from dropout_viz.pages import masks_trained
from dropout_viz.ui import tour

TITLE = "Masks & scaling"
ICON = ":material/grid_on:"
URL_PATH = lesson.MASKS

DRAW = "ms_draw"  # st.session_state: how many times this user pressed Resample
MASK_STREAM, EXPECTATION_STREAM, CONVENTION_STREAM = 0, 1, 2
CONVENTION_MASKS = 2000  # masks averaged for the train-mode means: ~0.2% standard error


def render() -> None:
    st.title(TITLE)
    tour.bar(URL_PATH)  # a scene of the lesson tour sets the widgets below (?scene=N)
    st.markdown(
        "One dropout layer, taken apart: the activations `h` that arrive, the keep mask `m` "
        "drawn for this forward pass, and what leaves the layer in training, `h·m/(1−p)`. "
        "The layer is the hidden layer of the lesson's example network "
        "(`Linear(10, 50)` → ReLU → `Dropout`)."
    )
    st.info(lesson.ABOUT_P, icon=":material/info:")
    drop_rate, n_examples, seed = _controls()
    draw = st.session_state.setdefault(DRAW, 0)
    try:
        h = masks.example_activations(seed, n_examples)
        layer_pass = masks.drop(h, drop_rate, masks.draw_generator(seed, draw, MASK_STREAM))
    except ValueError as error:  # the widgets keep values in range; this guards the rest
        st.error(str(error))
        return
    if drop_rate == 0:
        st.warning("At p = 0 nothing is dropped: every mask is all ones. Move the p slider.")

    _one_pass(layer_pass, draw)
    _expectation(h, drop_rate, seed, draw)
    _conventions(h, drop_rate, seed, draw)
    masks_trained.after_training(drop_rate, seed)


def _controls() -> tuple[float, int, int]:
    side = st.sidebar
    side.header("Dropout layer")
    drop_rate = side.slider(
        "Dropout rate p",
        0.0,
        limits.PLAYGROUND_DROP_RATE.high,
        value=limits.PLAYGROUND_DROP_RATE.default,
        step=0.05,
        key="ms_p",
        help=lesson.tooltip("dropout rate p"),
    )
    n_examples = side.slider(
        limits.MASK_EXAMPLES.name,
        limits.MASK_EXAMPLES.low,
        limits.MASK_EXAMPLES.high,
        value=limits.MASK_EXAMPLES.default,
        key="ms_examples",
        help="Rows of the batch. Each example gets its own mask.",
    )
    seed = side.number_input(
        "Seed",
        limits.SEED.low,
        limits.SEED.high,
        value=limits.SEED.default,
        step=1,
        key="ms_seed",
        help="Same seed, same weights, inputs and masks (Resample draws new masks).",
    )
    return float(drop_rate), int(n_examples), int(seed)


def _resample() -> None:
    st.session_state[DRAW] = st.session_state.get(DRAW, 0) + 1


# --- 1. one forward pass ------------------------------------------------------------------
def _one_pass(layer_pass: masks.LayerPass, draw: int) -> None:
    st.header("One forward pass in training")
    left, right = st.columns([1, 3], vertical_alignment="center")
    left.button(
        "Resample mask",
        key="ms_resample",
        icon=":material/casino:",
        on_click=_resample,
        type="primary",
        help="Draw a new keep mask, as the next training step would. h stays the same.",
    )
    kept = layer_pass.kept_per_example
    total = layer_pass.keep_mask.numel()
    right.markdown(
        f"Mask draw **#{draw + 1}**: kept **{sum(kept)} of {total}** units "
        f"({sum(kept) / total:.0%}; expected {1 - layer_pass.drop_rate:.0%}). "
        f"Kept per example: {', '.join(map(str, kept))} — every row has its own mask."
    )
    st.plotly_chart(
        fig.layer_pass(
            layer_pass.activations.numpy(),
            layer_pass.keep_mask.numpy(),
            layer_pass.output.numpy(),
            layer_pass.drop_rate,
        ),
        key="ms_layer_pass",
    )
    st.caption(
        "Rows are the examples of one batch, columns the 50 hidden units. The mask is a "
        "matrix, not a vector: the same unit can be kept for one example and dropped for "
        "the next. ReLU already zeroes about half of h (untrained weights, as in the lesson); "
        "dropout's zeros come on top, and the kept units are scaled up so that, on average, "
        "the next layer sees what it will see at inference."
    )


# --- 2. the expectation -------------------------------------------------------------------
def _expectation(h, drop_rate: float, seed: int, draw: int) -> None:
    st.header("The expectation converges")
    st.markdown(
        "One mask gives a noisy version of `h`. Averaged over many masks, `h·m/(1−p)` "
        "comes back to `h` exactly — that is why inverted dropout needs no change at "
        "inference. The band is `h ± 2σ/√N`, with `σ = h·√(p/(1−p))`, the spread of a "
        "single draw: the mean should sit inside it about 95% of the time."
    )
    n_examples = h.shape[0]
    a, b, c = st.columns(3)
    example = a.selectbox(
        "Example",
        range(n_examples),
        key=f"ms_example_{n_examples}",  # a new batch size starts at example 0
        help="Which row of the batch to follow.",
    )
    example = int(example)
    strongest = int(h[example].argmax())
    unit = b.selectbox(
        "Hidden unit",
        range(h.shape[1]),
        index=strongest,
        format_func=lambda u: f"{u}" + (" (largest h)" if u == strongest else ""),
        key=f"ms_unit_{seed}_{n_examples}_{example}",  # new h: start at its strongest unit
        help=lesson.tooltip("activation", "Units with h = 0 stay 0 whatever the mask."),
    )
    n_masks = c.slider(
        limits.MASK_DRAWS.name,
        limits.MASK_DRAWS.low,
        limits.MASK_DRAWS.high,
        value=limits.MASK_DRAWS.default,
        step=10,
        key="ms_n",
        help="How many fresh masks to average.",
    )
    result = masks.running_mean(
        h[example], drop_rate, n_masks, masks.draw_generator(seed, draw, EXPECTATION_STREAM)
    )
    band = result.band()
    left, right = st.columns(2)
    left.plotly_chart(
        fig.convergence(
            result.counts.numpy(),
            result.running_mean[:, unit].numpy(),
            float(result.target[unit]),
            band[:, unit].numpy(),
            unit,
            example,
        ),
        key="ms_convergence",
    )
    right.plotly_chart(
        fig.units_after(
            result.target.numpy(), result.running_mean[-1].numpy(), band[-1].numpy(), n_masks
        ),
        key="ms_units_after",
    )
    target, mean, width = (
        float(result.target[unit]),
        float(result.running_mean[-1, unit]),
        float(band[-1, unit]),
    )
    inside = result.inside_band()
    active = result.target > 0
    summary = (
        f"After N = {n_masks:,} masks, unit {unit}'s mean is **{mean:.4f}**; h = **{target:.4f}**, "
        f"and the band is ±{width:.4f}."
    )
    if target == 0:
        st.info(f"{summary} This unit's h is 0: whatever the mask, it passes on 0.")
    elif bool(inside[unit]):
        st.success(f"{summary} The mean is inside the band.", icon=":material/check_circle:")
    else:
        st.warning(
            f"{summary} The mean is outside the band this time — with a ±2σ band that happens "
            "about 1 time in 20. Resample, or raise N.",
        )
    if int(active.sum()):
        st.caption(
            f"{int(inside[active].sum())} of the {int(active.sum())} units with h > 0 are inside "
            "their band after N masks (expect about 95%)."
        )


# --- 3. three conventions -----------------------------------------------------------------
def _conventions(h, drop_rate: float, seed: int, draw: int) -> None:
    st.header("Three ways to scale, and the bug")
    st.markdown(
        "Dropout removes a share p of the activation in training, so *something* must make "
        "training and inference agree. **Inverted** dropout (PyTorch) scales the kept units "
        "by 1/(1−p) in training and does nothing at inference. The **classic** convention "
        "of the 2014 paper does nothing in training and multiplies by (1−p) at inference. "
        "The **unscaled** version does neither — a real bug when dropout is written by hand: "
        "at inference every unit is back at full strength, so the next layer receives "
        "1/(1−p) times more than it was trained on."
    )
    means = conv.convention_means(
        h, drop_rate, CONVENTION_MASKS, masks.draw_generator(seed, draw, CONVENTION_STREAM)
    )
    left, right = st.columns(2)
    left.plotly_chart(
        fig.conventions(
            [m.mode for m in means], [m.train_mean for m in means], [m.eval_mean for m in means]
        ),
        key="ms_conventions",
    )
    with right:
        ratio = st.column_config.NumberColumn(format="%.3f")
        st.dataframe(
            {
                "convention": [fig.CONVENTION_NAMES[m.mode] for m in means],
                "training": [conv.SCALING[m.mode][0] for m in means],
                "inference": [conv.SCALING[m.mode][1] for m in means],
                "eval ÷ train": [m.ratio for m in means],
                "expected": [conv.expected_ratio(m.mode, drop_rate) for m in means],
            },
            hide_index=True,
            column_config={
                "training": st.column_config.TextColumn(help="What kept units are multiplied by."),
                "inference": st.column_config.TextColumn(help="What eval mode multiplies by."),
                "eval ÷ train": st.column_config.NumberColumn(
                    format="%.3f", help="Mean activation at inference ÷ mean in training."
                ),
                "expected": ratio,
            },
            key="ms_convention_table",
        )
        st.markdown(
            f"Means over the {h.shape[0]} × {h.shape[1]} activations above; the training "
            f"mean averages {CONVENTION_MASKS:,} masks. Inverted and classic keep the ratio "
            f"at 1. Unscaled: **{1 / (1 - drop_rate):.2f} = 1/(1−p)** — the next layer gets "
            "more at inference than it ever saw in training."
        )

    masks_trained.convention_models(drop_rate, seed)
