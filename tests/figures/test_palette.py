"""The app's colours stay apart for readers with a colour-vision deficiency (issue 16).

Each set of colours that one chart tells apart is simulated as seen with protanopia,
deuteranopia and tritanopia, and every pair must stay at least ``MIN_DELTA_E`` apart.

- Simulation: Machado, Oliveira & Fernandes (2009), "A physiologically-based model for
  simulation of color vision deficiency", at severity 1.0 (the full dichromacy, the
  hardest case), applied to linear sRGB as the paper does.
- Distance: CIEDE2000 in CIELAB (D65). 10 is about five just-noticeable differences
  (~2.3): two lines or markers of such colours read as different at a glance. The old
  palette failed it (deuteranopia: teal vs purple passes 4.6; protanopia: grey train vs
  teal test 6.7).
- Lines and markers must also reach 3:1 against the white plot (WCAG 2.1 1.4.11,
  non-text contrast), and text colours 4.5:1 (1.4.3).
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from dropout_viz.figures import style

MIN_DELTA_E = 10.0
SEVERITY = 1.0  # the matrices below are Machado et al.'s for severity 1.0
MACHADO_2009 = {
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}
VISIONS = {"normal vision": np.eye(3), **MACHADO_2009}

# Colours one chart tells apart (each also has a second cue: dash, symbol or label).
GROUPS = {
    "twins (every loss chart)": [
        style.NO_DROPOUT_COLOR,
        style.DROPOUT_COLOR,
        style.DROPOUT_PALE,
    ],
    "regularizers compared": list(dict.fromkeys(style.ARM_COLORS.values())),
    "train and test loss of a sweep": [style.TRAIN_COLOR, style.TEST_COLOR],
    "passes of the example network": list(style.PASS_COLOURS),
    "classes of a decision map": list(style.CLASS_COLORS),
    "kept and dropped units": [style.KEPT_COLOR, style.DROPPED_COLOR, style.DROPPED_MARK],
}
LINES = [  # drawn as lines or markers on white, with no other mark beside them
    style.NO_DROPOUT_COLOR,
    style.DROPOUT_COLOR,
    style.DROPOUT_PALE,
    style.TRAIN_COLOR,
    style.WEIGHT_DECAY_COLOR,
    style.BOTH_COLOR,
    style.DROPPED_MARK,
]
TEXT = [style.INK, style.TEXT_COLOR, style.MARK_COLOR]


def srgb(colour: str) -> np.ndarray:
    """'#rgb', '#rrggbb' or 'rgb(r, g, b)' as sRGB in [0, 1]."""
    if colour.startswith("rgb"):
        return np.array([float(v) for v in re.findall(r"[\d.]+", colour)[:3]]) / 255
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return np.array([int(digits[i : i + 2], 16) for i in (0, 2, 4)]) / 255


def to_linear(c: np.ndarray) -> np.ndarray:
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def to_srgb(c: np.ndarray) -> np.ndarray:
    c = np.clip(c, 0, 1)
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


def simulate(colour: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """How a dichromat sees an sRGB colour (Machado 2009: linear RGB times the matrix)."""
    return to_srgb(matrix @ to_linear(colour))


def lab(colour: np.ndarray) -> np.ndarray:
    """sRGB in [0, 1] to CIELAB, D65 white."""
    xyz_of_rgb = np.array(
        [
            [0.4124564, 0.3575761, 0.1804375],
            [0.2126729, 0.7151522, 0.0721750],
            [0.0193339, 0.1191920, 0.9503041],
        ]
    )
    xyz = xyz_of_rgb @ to_linear(colour) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e_2000(lab1: np.ndarray, lab2: np.ndarray) -> float:
    """CIEDE2000 colour difference (Sharma, Wu & Dalal 2005)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_mean = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = np.hypot(a1, b1), np.hypot(a2, b2)
    h1, h2 = np.degrees(np.arctan2(b1, a1)) % 360, np.degrees(np.arctan2(b2, a2)) % 360
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    d_big_h = 2 * np.sqrt(c1 * c2) * np.sin(np.radians(dh / 2))
    l_mean, c_mean = (l1 + l2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        h_mean = h1 + h2
    elif abs(h1 - h2) <= 180:
        h_mean = (h1 + h2) / 2
    else:
        h_mean = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (
        1
        - 0.17 * np.cos(np.radians(h_mean - 30))
        + 0.24 * np.cos(np.radians(2 * h_mean))
        + 0.32 * np.cos(np.radians(3 * h_mean + 6))
        - 0.20 * np.cos(np.radians(4 * h_mean - 63))
    )
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / np.sqrt(20 + (l_mean - 50) ** 2)
    s_c = 1 + 0.045 * c_mean
    s_h = 1 + 0.015 * c_mean * t
    r_c = 2 * np.sqrt(c_mean**7 / (c_mean**7 + 25**7))
    r_t = -np.sin(np.radians(60 * np.exp(-(((h_mean - 275) / 25) ** 2)))) * r_c
    dl, dc, dh_term = (l2 - l1) / s_l, (c2 - c1) / s_c, d_big_h / s_h
    return float(np.sqrt(dl**2 + dc**2 + dh_term**2 + r_t * dc * dh_term))


def contrast(colour: str, background: str = "#ffffff") -> float:
    """WCAG 2.1 contrast ratio."""
    lum = [
        float(np.array([0.2126, 0.7152, 0.0722]) @ to_linear(srgb(c))) for c in (colour, background)
    ]
    return (max(lum) + 0.05) / (min(lum) + 0.05)


@pytest.mark.parametrize(
    ("lab1", "lab2", "expected"),
    [  # pairs 1, 7 and 17 of Sharma et al.'s test data
        ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
        ((50, 0, 0), (50, -1, 2), 2.3669),
        ((50, 2.5, 0), (73, 25, -18), 27.1492),
    ],
)
def test_delta_e_2000_matches_sharmas_test_data(lab1, lab2, expected):
    assert delta_e_2000(np.array(lab1), np.array(lab2)) == pytest.approx(expected, abs=1e-4)


def test_the_simulation_confuses_what_dichromats_confuse():
    # The classic red/green pair is nearly one colour to a deuteranope: the check has teeth.
    red, green = srgb("#d62728"), srgb("#2ca02c")
    seen = [lab(simulate(c, MACHADO_2009["deuteranopia"])) for c in (red, green)]
    assert delta_e_2000(*seen) < MIN_DELTA_E < delta_e_2000(lab(red), lab(green))


@pytest.mark.parametrize("vision", VISIONS)
@pytest.mark.parametrize("group", GROUPS)
def test_colours_drawn_together_stay_apart(group, vision):
    matrix = VISIONS[vision]
    too_close = []
    for a, b in itertools.combinations(GROUPS[group], 2):
        distance = delta_e_2000(lab(simulate(srgb(a), matrix)), lab(simulate(srgb(b), matrix)))
        if distance < MIN_DELTA_E:
            too_close.append((a, b, round(distance, 1)))
    assert too_close == [], f"{group} under {vision} (severity {SEVERITY})"


@pytest.mark.parametrize("colour", LINES)
def test_lines_stand_out_from_the_white_plot(colour):
    assert contrast(colour) >= 3.0


@pytest.mark.parametrize("colour", TEXT)
def test_text_colours_reach_aa_contrast(colour):
    assert contrast(colour) >= 4.5
