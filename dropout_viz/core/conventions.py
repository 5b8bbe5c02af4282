"""Three ways to scale dropout, and what the unscaled bug does to a trained model.

* inverted (PyTorch): kept units × 1/(1−p) in training, nothing at inference;
* classic (the 2014 paper): nothing in training, × (1−p) at inference;
* unscaled (the bug): nothing anywhere, so inference sees 1/(1−p) times more.

``convention_means`` measures the mean activation a layer passes on in train
and eval mode; ``train_conventions`` trains one small classifier per convention
and evaluates each the way it was built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import torch
from torch import Tensor

from .data import DEFAULT_NOISE, DataConfig, make_dataset
from .dropout import MODES, Dropout
from .training import Run, TrainConfig

ProgressCallback = Callable[[float], None]

# What scales the kept units, in words, for the table a page shows.
SCALING = {
    "inverted": ("× 1/(1−p)", "none"),
    "classic": ("none", "× (1−p)"),
    "unscaled": ("none", "none"),
}


def expected_ratio(mode: str, drop_rate: float) -> float:
    """Eval-mode mean / train-mode mean of a dropout layer's output, in expectation."""
    return 1 / (1 - drop_rate) if mode == "unscaled" else 1.0


@dataclass(frozen=True)
class ConventionMeans:
    mode: str
    train_mean: float  # mean output in training, over many masks: what the next layer learns on
    eval_mean: float  # mean output at inference

    @property
    def ratio(self) -> float:
        return self.eval_mean / self.train_mean if self.train_mean else float("nan")


def convention_means(
    h: Tensor, drop_rate: float, n_masks: int, generator: torch.Generator
) -> list[ConventionMeans]:
    """Per mode: the mean of h after its dropout layer, in train mode (n_masks masks) and eval."""
    results = []
    for mode in MODES:
        layer = Dropout(drop_rate, mode=mode, generator=generator)
        with torch.no_grad():
            layer.train()
            train_mean = layer(h.expand(n_masks, *h.shape)).double().mean().item()
            layer.eval()
            eval_mean = layer(h).double().mean().item()
        results.append(ConventionMeans(mode, train_mean, eval_mean))
    return results


# --- a small model trained each way -------------------------------------------------------
# Circles with three ReLU layers: deep enough that activations 1/(1−p) too large at
# inference compound and cost accuracy, small enough to train three times in about a second.
DATA = DataConfig("circles", n_train=200, n_test=500, noise=DEFAULT_NOISE["circles"])
HIDDEN = (32, 32, 32)
STEPS = 300


@dataclass(frozen=True)
class ConventionRun:
    mode: str
    test_accuracy: float
    test_loss: float
    # The first hidden layer's dropout output on the test inputs: mean in training
    # (averaged over masks) and at inference. Their ratio is what the next layer notices.
    train_mean: float
    eval_mean: float
    flat_weights: Tensor  # the trained weights, to compare conventions

    @property
    def ratio(self) -> float:
        return self.eval_mean / self.train_mean if self.train_mean else float("nan")


def train_conventions(
    drop_rate: float,
    seed: int = 0,
    steps: int = STEPS,
    on_progress: ProgressCallback | None = None,
) -> list[ConventionRun]:
    """Train the same classifier once per convention (same data, seed, batches); evaluate
    each the way it was built."""
    data = make_dataset(replace(DATA, seed=seed))
    results = []
    chunk = 50
    for index, mode in enumerate(MODES):
        config = TrainConfig(
            hidden=HIDDEN,
            drop_rate=drop_rate,
            activation="relu",
            dropout_mode=mode,
            seed=seed,
            eval_every=steps,
        )
        run = Run(data, config)
        done = 0
        while done < steps:
            done += run.step(min(chunk, steps - done))
            if on_progress:
                on_progress((index + done / steps) / len(MODES))
            if run.status != "running":  # diverged: it keeps its best weights; stop here
                break
        point = run.latest[0]
        train_mean, eval_mean = _first_layer_means(run, data.x_test)
        results.append(
            ConventionRun(
                mode=mode,
                test_accuracy=float(point["test_acc"]),
                test_loss=float(point["test_loss"]),
                train_mean=train_mean,
                eval_mean=eval_mean,
                flat_weights=run.model.flat.detach().clone(),
            )
        )
    return results


@torch.no_grad()
def _first_layer_means(run: Run, x: Tensor, repeats: int = 20) -> tuple[float, float]:
    """Mean output of the first hidden layer's dropout, train mode (many masks) vs eval."""
    model, layer = run.model, run.model.dropouts[0]
    model.train()
    model(x.repeat(repeats, 1))  # each repeat gets its own masks
    train_mean = layer.last_output.double().mean().item()
    model.eval()
    try:
        model(x)
        eval_mean = layer.last_output.double().mean().item()
    finally:
        model.train()
    return train_mean, eval_mean
