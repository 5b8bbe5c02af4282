"""The app's colours and font: every figure module reads them from here, so a palette change
(e.g. for colour-blind readers) is made in one file. Plain named constants, nothing else."""

from __future__ import annotations


def _rgba(hex_color: str, alpha: float) -> str:
    """'#rrggbb' at the given opacity, as Plotly's 'rgba(r, g, b, a)'."""
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


# Okabe & Ito's colour-blind-safe palette (2008), so each set of colours drawn together
# stays apart under protanopia, deuteranopia and tritanopia (tests/figures/test_palette.py).
# The two twins: every figure, curve and the live canvas's legend use the same pair.
NO_DROPOUT_COLOR = "#d55e00"  # vermillion
DROPOUT_COLOR = "#0072b2"  # blue
DROPOUT_PALE = "#3a9ad9"  # the dropout twin's train-mode loss: its own hue, lighter
NO_DROPOUT_BAND_FILL = _rgba(NO_DROPOUT_COLOR, 0.12)
BAND_FILL = _rgba(DROPOUT_COLOR, 0.15)  # ±1 std bands of the dropout twin
HISTOGRAM_FILLS = (_rgba(NO_DROPOUT_COLOR, 0.15), _rgba(DROPOUT_COLOR, 0.2))  # no dropout, dropout
DROPOUT_BARS = _rgba(DROPOUT_COLOR, 0.45)  # histogram bars of many train-mode passes
DROPOUT_ERROR_BARS = _rgba(DROPOUT_COLOR, 0.5)
DROPOUT_SAMPLE_LINE = _rgba(DROPOUT_COLOR, 0.25)  # one Monte-Carlo pass among many

# Other arms of a sweep and the lab's curves.
TRAIN_COLOR = "#6c757d"
TEST_COLOR = DROPOUT_COLOR
WEIGHT_DECAY_COLOR = "#009e73"  # bluish green
BOTH_COLOR = "#3d405b"  # dropout and weight decay together; also the "best" marker
NOT_SIGNIFICANT_COLOR = "#c8d6d9"  # a gain within two standard errors of zero
ARM_COLORS = {
    "none": NO_DROPOUT_COLOR,
    "no dropout": NO_DROPOUT_COLOR,
    "dropout": DROPOUT_COLOR,
    "weight decay": WEIGHT_DECAY_COLOR,
    "both": BOTH_COLOR,
}
# Passes of the example network, one colour and symbol each (colour is never the only cue).
PASS_COLOURS = (DROPOUT_COLOR, "#e69f00", "#cc79a7", WEIGHT_DECAY_COLOR, NO_DROPOUT_COLOR)

# Masks and units.
KEPT_COLOR = DROPOUT_COLOR
DROPPED_COLOR = "#eceff1"
DROPPED_MARK = "#c62828"  # the Playground's red cross for a dropped unit
HIGHLIGHT_COLOR = "#ffd600"  # the one unit a figure points at
# White at 0 (a zero looks empty), then quickly into blue, so small activations still show.
ACTIVATION_SCALE = [
    [0, "#ffffff"],
    [0.15, "#c6dbef"],
    [0.4, "#6baed6"],
    [0.7, "#2171b5"],
    [1, "#08306b"],
]

# Decision maps: orange for class 0, blue for class 1, as the live canvas (ui/live_canvas.js).
CLASS_COLORS = ("rgb(245, 147, 34)", "rgb(8, 119, 189)")
# P(class 1): class 0's orange through white at 0.5 to class 1's blue.
PROBABILITY_SCALE = [[0.0, CLASS_COLORS[0]], [0.5, "rgb(255, 255, 255)"], [1.0, CLASS_COLORS[1]]]
# White = sure, dark purple = unsure; steep at the low end, so 0.1–0.3 already shows.
UNCERTAINTY_SCALE = [
    [0.0, "#ffffff"],
    [0.08, "#efedf5"],
    [0.25, "#bcbddc"],
    [0.5, "#807dba"],
    [0.75, "#54278f"],
    [1.0, "#3f007d"],
]
DIFFERENCE_SCALE = "RdBu_r"  # blue below zero, red above, white at zero

# Neutrals.
INK = "#222"  # eval mode, zero lines, single markers
TEXT_COLOR = "#31333f"  # Streamlit's text colour: point outlines
EDGE_COLOR = _rgba(TEXT_COLOR, 0.13)  # a network's weights, drawn faint
MARK_COLOR = "#666"  # the slider's value on an axis
REFERENCE_COLOR = "#999"  # a theoretical curve beside the measured one
MEAN_LINE_COLOR = "#888"
SEPARATOR_COLOR = "#ddd"
GRID_COLOR = "#eeeeee"
GAP_FILL = "rgba(120, 120, 120, 0.12)"  # neutral, so the teal band keeps its colour

FONT = {"size": 13}  # every Plotly figure of the app
# The charts of the Masks & scaling and Inference pages: a legend under the plot, the same size.
CHART_LAYOUT = {
    "legend": {"orientation": "h", "y": -0.25},
    "height": 420,
    "margin": {"l": 70, "r": 30, "t": 60, "b": 40},
    "font": FONT,
}
