"""The Overfitting lab's best-p grid: p × training points, or p × units per layer.

Part of the lab page (``overfitting_lab``), kept apart so that page stays short.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import replace

import streamlit as st

from dropout_viz.core import best_p, findings, limits, sweep
from dropout_viz.core.reproduce import sweep_command
from dropout_viz.core.user_data import sizes_within
from dropout_viz.figures import overfitting as figures

ROWS = {"n_train": "Training points", "width": "Units per layer"}
GRID_MAX_STEPS = 1000  # 135 models at once (the size grid pads every model to 400 points)
RATES, SIZES, WIDTHS = limits.GRID_DROP_RATES, limits.GRID_SIZES, limits.GRID_WIDTHS


def render(config: sweep.SweepConfig, seeds: tuple[int, ...], run: Callable) -> None:
    """Train (or fetch) the chosen grid and draw it; ``run`` is the lab's shared trainer."""
    low, high = limits.TYPICAL_DROP_RATES
    st.markdown(
        "**Which p is best?** The lesson gives typical rates of "
        f"{low}–{high}, *depending on model complexity and data size*. Here every "
        "combination is trained at once: each row is a training-set size (or a width), "
        "each column a p, each cell the mean test loss over seeds. The star marks each "
        "row's best p: the least dropout whose test loss is within one standard error of "
        "the row's lowest (a row's bottom is often flat, and its lowest cell alone would "
        "jump with one seed more). Look for the stars moving left as data grows, and right "
        "as the network widens."
    )
    axis = st.radio(
        "Rows",
        list(ROWS),
        format_func=ROWS.get,
        horizontal=True,
        key="lab_grid_axis",
        help="Training points: the first N points of one training set, the network from the "
        "sidebar. Units per layer: the sidebar's data, every hidden layer this wide.",
    )
    if config.steps > GRID_MAX_STEPS:
        config = replace(config, steps=GRID_MAX_STEPS)
        st.caption(f"{GRID_MAX_STEPS:,} training steps per model here, to keep the grid quick.")
    if axis == "n_train":
        sizes = sizes_within(config.data, SIZES)  # own data: what its rows allow
        result = run(
            "p × size grid",
            ("grid", axis, config, seeds, RATES, sizes),
            lambda report: best_p.p_by_size(
                config, drop_rates=RATES, sizes=sizes, seeds=seeds, progress=report
            ),
        )
    else:
        result = run(
            "p × width grid",
            ("grid", axis, config, seeds, RATES, WIDTHS),
            lambda report: best_p.p_by_width(
                config, drop_rates=RATES, widths=WIDTHS, seeds=seeds, progress=report
            ),
        )
    grid, best = result.tables["grid"], result.tables["best_p"]
    st.plotly_chart(figures.p_grid(grid, best, axis), width="stretch")
    st.success(findings.best_p_finding(best, axis))
    st.dataframe(
        [
            {
                ROWS[axis].lower(): row[axis],
                "best p": row["best_p"],
                "its test loss": row["best_test_loss"],
                "lowest at p": row["lowest_p"],
                "lowest test loss": row["lowest_test_loss"],
                "± s.e.": row["lowest_test_loss_se"],
                "test loss, no dropout": row["test_loss_without_dropout"],
            }
            for row in best
        ],
        hide_index=True,
        width="stretch",
    )
    downloads(result, f"p-by-{'size' if axis == 'n_train' else 'width'}")


def downloads(result: sweep.SweepResult, name: str) -> None:
    """The result as JSON (what the CLI writes) and its per-model rows as CSV."""
    left, right = st.columns(2)
    left.download_button(
        "Download the results (JSON)",
        json.dumps(result.to_dict(), indent=2),
        file_name=f"dropout-lab-{name}.json",
        mime="application/json",
        key=f"lab_json_{name}",
        help="Config, every model's final numbers, the summary and the grid.",
    )
    right.download_button(
        "Download one row per model (CSV)",
        records_csv(result),
        file_name=f"dropout-lab-{name}.csv",
        mime="text/csv",
        key=f"lab_csv_{name}",
        help="The same columns as `python -m dropout_viz sweep --csv`.",
    )
    command = sweep_command(result)
    if command:
        st.caption("The same result from the command line (`--json` and `--csv` write the files):")
        st.code(command, language="bash", wrap_lines=True)


def records_csv(result: sweep.SweepResult) -> str:
    rows = [record.to_dict() for record in result.records]
    out = io.StringIO()
    writer = csv.DictWriter(out, list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
