"""The lesson's words, in one place: key terms, the example network's code, when to use dropout.

Pages show these texts and the controls' tooltips are built from them, so a
definition is written once. Plain data: no streamlit, no torch.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    name: str
    definition: str
    where: str  # the page (url path) that shows it happening
    where_label: str


# url paths of the pages, shared with dropout_viz.pages (which imports them from here)
PLAYGROUND = "playground"
MASKS = "masks-and-scaling"
OVERFITTING = "overfitting-lab"
EXAMPLE = "example-network"
UNCERTAINTY = "uncertainty"
INFERENCE = "inference"
TERMS = "key-terms"

TERMS_LIST = (
    Term(
        "Dropout",
        "During training, each unit's output is set to zero at random, with probability p, "
        "afresh at every step. No unit can count on any other being there, so units cannot "
        "co-adapt; the network learns features that work in many random sub-networks.",
        PLAYGROUND,
        "Playground: the masks of this step",
    ),
    Term(
        "Overfitting",
        "The model learns the noise and accidents of its training points instead of the "
        "pattern behind them: training loss keeps falling while loss on new data rises.",
        PLAYGROUND,
        "Playground: the no-dropout twin's curves",
    ),
    Term(
        "Regularization",
        "Anything that makes a model prefer simpler explanations so it generalizes better: "
        "dropout, weight decay, more data, early stopping.",
        OVERFITTING,
        "Overfitting lab: regularizers compared",
    ),
    Term(
        "Inference",
        "Using the trained model to predict on new data. Dropout is switched off "
        "(model.eval()): every unit takes part, scaled so its expected output is unchanged.",
        EXAMPLE,
        "The example network: train vs eval mode",
    ),
    Term(
        "Activation",
        "The output of a unit after its function (here ReLU, tanh or sigmoid). Dropout acts "
        "on activations: it zeroes some and scales the rest.",
        MASKS,
        "Masks & scaling: the activations h",
    ),
    Term(
        "Generalization gap",
        "Test loss minus training loss (measured with dropout off). A large gap means the "
        "model does much better on the points it has seen: it overfits.",
        PLAYGROUND,
        "Playground: the gap metric",
    ),
    Term(
        "Mask",
        "The pattern of kept (1) and dropped (0) units drawn for one forward pass: one "
        "random 0/1 per unit per example, new at every step.",
        MASKS,
        "Masks & scaling: the mask m",
    ),
    Term(
        "Inverted dropout",
        "PyTorch's convention: kept activations are divided by 1 − p during training, so "
        "nothing needs rescaling at inference and the expected activation is the same.",
        MASKS,
        "Masks & scaling: three conventions",
    ),
    Term(
        "Monte-Carlo dropout",
        "Keeping dropout on at inference and predicting many times: the spread of the "
        "predictions estimates how unsure the model is.",
        UNCERTAINTY,
        "Uncertainty: the ±2 std band around the mean prediction",
    ),
    Term(
        "Thinned sub-network",
        "The network with one dropout mask held fixed: some units gone, the rest scaled by "
        "1/(1 − p). A network with n droppable units holds 2ⁿ of them, all sharing its weights; "
        "training with dropout trains a random one at each step.",
        INFERENCE,
        "Inference: ten sub-networks of one trained network",
    ),
    Term(
        "Weight scaling",
        "The 2014 paper's rule for inference: use every unit, with its outgoing weights times "
        "the keep probability 1 − p (PyTorch does the same by dividing by 1 − p in training). "
        "It approximates averaging all the thinned sub-networks, without running them.",
        INFERENCE,
        "Inference: the average of N sub-networks against the full network",
    ),
    Term(
        "Dropout rate p",
        "The probability that dropout zeroes a unit at a training step; 1 − p is the chance "
        "of keeping it. Typical values are 0.1 to 0.5.",
        MASKS,
        "Masks & scaling: the p slider",
    ),
    Term(
        "Co-adaptation",
        "Units that are only useful together with particular other units, e.g. one "
        "cancelling another's mistakes. Dropout breaks such pairings: any partner may be "
        "missing at the next step.",
        MASKS,
        "Masks & scaling: activations after training",
    ),
)
TERMS_BY_NAME = {term.name.lower(): term for term in TERMS_LIST}

ABOUT_P = (
    "In PyTorch, and in this app, **p is the probability of dropping a unit**. "
    "The 2014 dropout paper used p for the probability of *keeping* one: its p = 0.5 "
    "is the same thing, but its p = 0.8 is our p = 0.2."
)

# What the dataset selectors show for each dataset of core/data.py.
DATASET_NAMES = {
    "moons": "Two moons",
    "circles": "Circles",
    "xor": "XOR",
    "spiral": "Spiral",
    "gaussians": "Two Gaussians",
    "sine": "Noisy sine (regression)",
    "digits": "Handwritten digits (8×8)",
}

INTRO = (
    "**Dropout** switches off a random part of a network's units at every training step, "
    "so the network cannot lean on any single unit and has to learn patterns that hold up. "
    "At inference every unit is back, scaled so that on average nothing changes."
)

# The seed lesson's example, exactly as a learner would type it.
EXAMPLE_CODE = """import torch
import torch.nn as nn

class SimpleNN(nn.Module):
    def __init__(self):
        super(SimpleNN, self).__init__()
        self.fc1 = nn.Linear(10, 50)
        self.dropout = nn.Dropout(p=0.3)  # 30% dropout
        self.fc2 = nn.Linear(50, 1)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        x = self.dropout(x)  # randomly zero some activations during training
        x = self.fc2(x)
        return x

model = SimpleNN()
model.train()  # enable dropout
input_tensor = torch.randn(5, 10)
output = model(input_tensor)
print(output)
"""


@dataclass(frozen=True)
class Preset:
    """A Playground set up to show one thing: its settings as URL query parameters."""

    label: str
    query: tuple[tuple[str, str], ...]

    @property
    def url(self) -> str:
        """The Playground's address relative to any page of the app (works under a base path)."""
        return PLAYGROUND + "?" + "&".join(f"{key}={value}" for key, value in self.query)


@dataclass(frozen=True)
class Advice:
    text: str
    where: str
    where_label: str
    presets: tuple[Preset, ...] = ()  # Playground set-ups that show it right away


WHEN_TO_USE = (
    Advice(
        "Use it when data is limited and the network can memorise it: overfitting is "
        "what dropout fights.",
        PLAYGROUND,
        "Playground: 60 points, two twins",
        (Preset("Playground with only 20 training points", (("n_train", "20"),)),),
    ),
    Advice(
        "It works best in fully connected layers (sometimes in convolutional ones).",
        MASKS,
        "Masks & scaling: one dense layer up close",
    ),
    Advice(
        "Switch it off for evaluation and inference (model.eval()): use the full network.",
        EXAMPLE,
        "The example network: train vs eval",
    ),
    Advice(
        "Typical rates are p = 0.1 to 0.5; more for big layers and little data.",
        OVERFITTING,
        "Overfitting lab: which p is best for how much data and how wide a network",
        (
            Preset("Playground at p = 0.1", (("drop_rate", "0.1"),)),
            Preset("Playground at p = 0.5", (("drop_rate", "0.5"),)),
        ),
    ),
    Advice(
        "It helps less with very large datasets, or when other strong regularizers "
        "(weight decay, data augmentation) already do the job.",
        OVERFITTING,
        "Overfitting lab: dataset size and regularizers",
        (
            Preset("Playground with 500 training points", (("n_train", "500"),)),
            Preset("Playground with weight decay 0.01 on both twins", (("weight_decay", "0.01"),)),
        ),
    ),
)


def tooltip(term: str, extra: str = "") -> str:
    """A control's help text from the key term's definition (one source for both)."""
    text = TERMS_BY_NAME[term.lower()].definition
    return f"{text} {extra}".strip()
