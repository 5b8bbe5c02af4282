"""The example network: the lesson's SimpleNN, run live in train mode and in eval mode,
its masks, and when to use dropout — each point linked to where the app shows it."""

from __future__ import annotations

import streamlit as st

from dropout_viz import lesson
from dropout_viz.core import example as ex
from dropout_viz.core import limits
from dropout_viz.figures import example as fig
from dropout_viz.ui import common

TITLE = "The example network"
ICON = ":material/code:"
URL_PATH = lesson.EXAMPLE
TRAIN_VS_EVAL = "train-vs-eval"  # the section's anchor, linked from "when to use"


def render() -> None:
    st.title(TITLE)
    st.markdown(
        "The lesson's example, exactly as you would type it: a 10 → 50 → 1 network with "
        "`nn.Dropout(p=0.3)` after the hidden layer, run once in training mode on a batch "
        "of 5 random inputs."
    )
    st.code(lesson.EXAMPLE_CODE, language="python")

    st.header("Run it", anchor="run-it")
    seed_column, _ = st.columns([1, 3])
    seed = seed_column.number_input(
        "Seed",
        limits.SEED.low,
        limits.SEED.high,
        value=0,
        step=1,
        key="ex_seed",
        help="Put torch.manual_seed(seed) before the code above and it prints the "
        "same first output: same weights, same input, same masks.",
    )
    try:
        run = ex.run_example(int(seed))
    except ValueError as error:
        st.error(str(error))
        return
    st.markdown(f"With `torch.manual_seed({run.seed})` first, `print(output)` shows:")
    st.code(run.printed, language=None)

    _train_vs_eval(run)
    _masks(run)
    _when_to_use()


def _train_vs_eval(run: ex.ExampleRun) -> None:
    st.header("Train mode vs eval mode", anchor=TRAIN_VS_EVAL)
    st.markdown(
        f"The same 5 inputs, {len(run.train_outputs)} times through the same network. In "
        "**train mode** (`model.train()`) each pass draws a new mask, so the outputs change "
        "from pass to pass. In **eval mode** (`model.eval()`) dropout is off: every unit "
        "takes part and every pass gives the same output. " + lesson.tooltip("inference")
    )
    st.plotly_chart(
        fig.outputs(
            run.train_outputs.numpy(),
            run.eval_outputs.numpy(),
            run.mean_of_train.numpy(),
            run.tolerance.numpy(),
            run.n_average,
        ),
        key="ex_outputs",
    )
    rows = {"example": list(range(run.train_outputs.shape[1]))}
    for i, outputs in enumerate(run.train_outputs):
        rows[f"train pass {i + 1}"] = outputs.tolist()
    for i, outputs in enumerate(run.eval_outputs):
        rows[f"eval pass {i + 1}"] = outputs.tolist()
    rows[f"mean of {run.n_average:,} train passes"] = run.mean_of_train.tolist()
    rows["|eval − mean|"] = run.difference.tolist()
    rows[f"tolerance ({ex.Z:g} s.e.)"] = run.tolerance.tolist()
    number = st.column_config.NumberColumn(format="%.4f")
    st.dataframe(
        rows,
        hide_index=True,
        column_config={name: number for name in rows if name != "example"},
        key="ex_table",
    )
    a, b, c = common.metric_row(3)
    a.metric(
        "Train-mode passes",
        "differ" if run.train_passes_differ else "identical",
        help="A new keep mask at every pass: the same input gives a different output.",
    )
    b.metric(
        "Eval-mode passes",
        "identical" if run.eval_passes_identical else "differ",
        help="model.eval() switches dropout off: no randomness is left.",
    )
    c.metric(
        "Largest |eval − mean|",
        f"{float(run.difference.max()):.4f}",
        help="Eval output vs the mean of many train-mode passes, worst of the 5 examples.",
    )
    if run.eval_matches_mean:
        st.success(
            f"For all 5 examples the eval-mode output equals the mean of {run.n_average:,} "
            f"train-mode passes to within {ex.Z:g} standard errors of that mean. Inverted "
            "dropout's 1/(1−p) scaling keeps the average training output equal to the "
            "inference output.",
            icon=":material/check_circle:",
        )
    else:
        st.warning(
            f"At least one example is off by more than {ex.Z:g} standard errors — about 1 "
            "chance in 3,000 for five outputs. Try another seed."
        )


def _masks(run: ex.ExampleRun) -> None:
    st.header("The masks of each pass")
    st.markdown(
        "Dropout sits between the 50 hidden units and the output. Each train-mode pass "
        "draws one keep mask per example, a 5 × 50 grid; p = 0.3 drops about 15 of every "
        "row's 50 units, a different 15 each time."
    )
    st.plotly_chart(fig.mask_grid(run.keep_masks.numpy()), key="ex_masks")


def _when_to_use() -> None:
    st.header("When to use dropout")
    for number, advice in enumerate(lesson.WHEN_TO_USE, start=1):
        with st.container(border=True):
            st.markdown(f"**{number}.** {advice.text}")
            if advice.where == URL_PATH:
                st.markdown(f"Shown above: [train mode vs eval mode](#{TRAIN_VS_EVAL}).")
            else:
                common.link(advice.where, advice.where_label)
            common.preset_links(advice.presets)
