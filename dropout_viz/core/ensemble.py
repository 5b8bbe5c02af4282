"""The ensemble of thinned networks inside one network trained with dropout.

    masks = draw_keep_masks(model, 500, generator(1))     # one fixed mask per sub-network
    ensemble = predict_ensemble(model, x, masks, "classification")
    ensemble.average(50)                                   # (points,) mean of 50 sub-networks
    curve = convergence(ensemble)                          # distance to eval mode, N = 1 … 500

A network with n droppable units holds 2^n thinned sub-networks that share its
weights; a sub-network is the network with one keep mask fixed for every input.
The 2014 paper's weight scaling (PyTorch: the 1/(1−p) applied during training)
makes the full network in eval mode an approximation of their average.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from . import limits
from .models import MLP


def check_model(model: MLP) -> MLP:
    """Raise ValueError unless the model drops units somewhere and has one output."""
    if not any(float(d.p) > 0 for d in model.dropout_layers()):
        raise ValueError(
            "This network has no dropout (p = 0 everywhere): it holds only one sub-network. "
            "Use a network trained with p > 0."
        )
    if model.sizes[-1] != 1:
        raise ValueError(
            "The ensemble view needs a network with one output (binary or regression)."
        )
    return model


def draw_keep_masks(model: MLP, count: int, generator: torch.Generator) -> list[Tensor]:
    """One keep mask per sub-network for each dropout layer (input first): (count, units) bool.

    A layer with p = 0 keeps every unit. Each mask holds for every input the sub-network sees.
    """
    limits.SUB_NETWORKS.check(count)
    check_model(model)
    masks = []
    for units, dropout in zip(model.sizes, model.dropout_layers()):
        keep = 1 - float(dropout.p)
        masks.append(torch.rand(count, units, generator=generator) < keep)
    return masks


def _noise(model: MLP, masks: list[Tensor], dtype: torch.dtype) -> list[Tensor | None]:
    """What each layer's activations are multiplied by, (count, 1, units); None: nothing."""
    noise = []
    for dropout, mask in zip(model.dropout_layers(), masks):
        p = float(dropout.p)
        if p == 0:
            noise.append(None)
            continue
        scale = 1 / (1 - p) if dropout.mode == "inverted" else 1.0  # as in training
        noise.append((mask.to(dtype) * scale).unsqueeze(1))
    return noise


@torch.no_grad()
def thinned_outputs(model: MLP, x: Tensor, masks: list[Tensor]) -> Tensor:
    """Raw outputs of the sub-networks the masks describe, (count, points): no Dropout layer
    runs; dropped units are zeroed and kept ones scaled as in training."""
    noise = _noise(check_model(model), masks, x.dtype)
    count = masks[0].shape[0]
    # Sub-networks per forward: (size, points, width) activations of MAX_BATCH_FLOATS at most.
    size = max(1, limits.MAX_BATCH_FLOATS // (len(x) * max(model.sizes[:-1])))
    outputs = []
    for start in range(0, count, size):
        chunk = [None if n is None else n[start : start + size] for n in noise]
        h = x  # (points, in) until the first mask makes it (chunk, points, units)
        layers = [None, *model.linears[:-1]]  # the input mask comes before any layer
        for linear, layer_noise in zip(layers, chunk):
            if linear is not None:
                h = model.act(linear(h))
            if layer_noise is not None:
                h = h * layer_noise
        outputs.append(model.linears[-1](h)[..., 0])  # (chunk, points): some layer drops
    return torch.cat(outputs)


@torch.no_grad()
def eval_outputs(model: MLP, x: Tensor) -> Tensor:
    """The full network in eval mode (every unit on, no mask), (points,)."""
    was_training = model.training
    model.eval()
    try:
        return model(x)[:, 0]
    finally:
        model.train(was_training)


def to_prediction(outputs: Tensor, task: str) -> Tensor:
    """P(class 1) for a binary classifier's logits; the value itself for regression."""
    return torch.sigmoid(outputs) if task == "classification" else outputs


@dataclass(frozen=True)
class Ensemble:
    keep_masks: list[Tensor]  # per dropout layer, input first: (count, units) bool
    outputs: Tensor  # (count, points): each sub-network's raw output (logit or value)
    eval_output: Tensor  # (points,): the full network in eval mode
    task: str  # "classification" (binary) or "regression"

    @property
    def count(self) -> int:
        return self.outputs.shape[0]

    @property
    def predictions(self) -> Tensor:
        return to_prediction(self.outputs, self.task)  # (count, points)

    @property
    def eval_prediction(self) -> Tensor:
        return to_prediction(self.eval_output, self.task)

    def average(self, n: int) -> Tensor:
        """The ensemble's prediction: the mean of the first n sub-networks' predictions."""
        limits.SUB_NETWORKS.check(n)
        return self.predictions[:n].mean(0)

    def select(self, index: slice | Tensor) -> Ensemble:
        """The same sub-networks on a subset of the points."""
        return Ensemble(self.keep_masks, self.outputs[:, index], self.eval_output[index], self.task)


def predict_ensemble(model: MLP, x: Tensor, masks: list[Tensor], task: str) -> Ensemble:
    if task not in ("classification", "regression"):
        raise ValueError(f"task must be classification or regression, got {task!r}")
    return Ensemble(masks, thinned_outputs(model, x, masks), eval_outputs(model, x), task)


@dataclass(frozen=True)
class Convergence:
    """How far the average of the first N sub-networks is from the eval-mode prediction."""

    counts: Tensor  # (count,): N = 1 … count
    distance: Tensor  # (count,): RMS over the points of average(N) − eval prediction
    # Classification only: the same for the sigmoid of the averaged logits (None otherwise).
    distance_of_outputs: Tensor | None
    noise: Tensor  # (count,): the RMS a perfect approximation would still show, σ/√N
    floor: float  # what averaging infinitely many would leave: the weight-scaling gap

    def at(self, n: int) -> float:
        return float(self.distance[n - 1])


def running_mean(values: Tensor) -> Tensor:
    """Row n − 1 holds the mean of rows 0 … n − 1, (count, points)."""
    counts = torch.arange(1, values.shape[0] + 1, dtype=values.dtype).reshape(-1, 1)
    return values.cumsum(0) / counts


def _rms(x: Tensor) -> Tensor:
    return x.pow(2).mean(-1).sqrt()


def convergence(ensemble: Ensemble) -> Convergence:
    """Distance of the running average to eval mode, its noise part, and what remains.

    E[distance²] = gap² + mean variance / N: the variance part shrinks as more sub-networks
    are averaged, the gap (the mean sub-network differs from the scaled full network) does not.
    """
    predictions, target = ensemble.predictions.double(), ensemble.eval_prediction.double()
    count = ensemble.count
    distance = _rms(running_mean(predictions) - target)
    counts = torch.arange(1, count + 1, dtype=torch.float64)
    variance = predictions.var(0).mean() if count > 1 else torch.tensor(0.0, dtype=torch.float64)
    noise = (variance / counts).sqrt()
    floor = math.sqrt(max(0.0, float(distance[-1] ** 2 - variance / count)))
    of_outputs = None
    if ensemble.task == "classification":
        averaged = to_prediction(running_mean(ensemble.outputs.double()), ensemble.task)
        of_outputs = _rms(averaged - target)
    return Convergence(counts, distance, of_outputs, noise, floor)


@dataclass(frozen=True)
class TestScore:
    """A test score of the average of N sub-networks (lower is better), and weight scaling's."""

    metric: str  # "test error", "test loss" or "test MSE"
    of_average: Tensor  # (count,): N = 1 … count
    of_eval: float  # the full network in eval mode (weight scaling)

    @property
    def matched_from(self) -> int | None:
        """The smallest N from which every larger average scores as well as weight scaling."""
        worse = (self.of_average > self.of_eval + 1e-9).nonzero()
        if len(worse) == 0:
            return 1
        last_worse = int(worse[-1])
        return last_worse + 2 if last_worse + 1 < len(self.of_average) else None


def test_score(ensemble: Ensemble, target: Tensor, metric: str | None = None) -> TestScore:
    """Score the running average of the sub-networks and the eval-mode network on test points.

    metric: "test error" or "test loss" (cross-entropy) for classification, "test MSE" for
    regression; by default the error, or the MSE.
    """
    averages = running_mean(ensemble.predictions.double())  # (count, points)
    eval_prediction = ensemble.eval_prediction.double()
    classification = ensemble.task == "classification"
    metric = metric or ("test error" if classification else "test MSE")
    if metric not in (("test error", "test loss") if classification else ("test MSE",)):
        raise ValueError(f"No {metric!r} for {ensemble.task}.")
    values = target.reshape(-1).double()

    def score(prediction: Tensor) -> Tensor:  # (..., points) -> (...)
        if metric == "test error":
            return ((prediction > 0.5) != values.bool()).double().mean(-1)
        if metric == "test loss":
            p = prediction.clamp(1e-7, 1 - 1e-7)
            return -(values * p.log() + (1 - values) * (1 - p).log()).mean(-1)
        return (prediction - values).pow(2).mean(-1)

    return TestScore(metric, score(averages), float(score(eval_prediction)))
