"""One trained network taken apart on its dataset: its sub-networks on the map, the test
points and the training points, and the numbers the Inference page and ``mc ensemble`` show.

    model = train_dropout_network(data, TrainConfig(drop_rate=0.5), steps=2000)
    run = run_ensemble(model, data, count=500, mask_seed=0)
    run.curve.floor, run.scores[0].matched_from, run.summary()
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import torch
from torch import Tensor

from . import ensemble as ens
from . import limits
from .data import Dataset, grid, line
from .models import MLP
from .rng import generator
from .training import Run, TrainConfig

ProgressCallback = Callable[[float], None]
CURVE_POINTS = 200  # a regression's fitted curves are drawn at this many x


def train_dropout_network(
    data: Dataset,
    config: TrainConfig,
    steps: int,
    on_progress: ProgressCallback | None = None,
) -> MLP:
    """The dropout model of a Playground twin, trained alone (same weights, masks and steps:
    each model of a stack draws from its own seed), exported as a plain MLP."""
    run = Run(data, config, drop_rates=[config.drop_rate], seeds=[config.seed], labels=["dropout"])
    chunk = max(1, steps // 20)
    while run.step_count < steps and run.status == "running":
        run.step(min(chunk, steps - run.step_count))
        if on_progress:
            on_progress(run.step_count / steps)
    if run.status == "diverged":
        raise ValueError(run.message)
    return run.model.export(0)


@dataclass(frozen=True)
class EnsembleRun:
    """One set of sub-networks (the same masks) on the map, the test and the training points."""

    data: Dataset
    view: ens.Ensemble  # on x_view: a grid over the extent, or a line for regression
    test: ens.Ensemble
    train: ens.Ensemble
    x_view: Tensor  # (points, features)
    extent: tuple[tuple[float, float], ...]

    @property
    def task(self) -> str:
        return self.view.task

    @cached_property
    def curve(self) -> ens.Convergence:
        return ens.convergence(self.view)

    @cached_property
    def scores(self) -> list[ens.TestScore]:
        """Test error (or MSE for regression) first; for classification also the test loss."""
        scores = [ens.test_score(self.test, self.data.y_test)]
        if self.task == "classification":
            scores.append(ens.test_score(self.test, self.data.y_test, "test loss"))
        return scores

    @property
    def most_disputed(self) -> int:
        """The training point whose outputs spread most over the sub-networks."""
        return int(self.train.outputs.std(0).argmax())

    def point(self, index: int) -> dict:
        """One training point's outputs: eval mode, and mean and std over the sub-networks."""
        outputs = self.train.outputs[:, index]
        return {
            "training_point": index,
            "x": self.data.x_train[index].tolist(),
            "eval_output": float(self.train.eval_output[index]),
            "mean_output": float(outputs.mean()),
            "std_output": float(outputs.std()),
        }

    def summary(self) -> dict:
        """What N → ∞ leaves, and each score of eval mode with the N from which the average
        of the sub-networks is as good for good (None: not within the sub-networks run)."""
        summary = {"floor": self.curve.floor, "sub_networks": self.view.count}
        for score in self.scores:
            key = score.metric.replace(" ", "_")
            summary |= {f"eval_{key}": score.of_eval, f"{key}_matched_from": score.matched_from}
        return summary


def affordable(model: MLP, points: int, wanted: int) -> int:
    """How many of the wanted sub-networks fit MAX_ENSEMBLE_MULTIPLY_ADDS on this many points
    (never fewer than the most the page draws)."""
    weights = sum(a * b for a, b in zip(model.sizes, model.sizes[1:]))
    fits = limits.MAX_ENSEMBLE_MULTIPLY_ADDS // (points * weights)
    return max(limits.SUB_NETWORKS_DRAWN.high, min(wanted, fits))


def run_ensemble(model: MLP, data: Dataset, count: int, mask_seed: int) -> EnsembleRun:
    """Draw up to count sub-networks from mask_seed (fewer for a wide network, see
    ``affordable``) and run each on the map, the test and the training points."""
    extent = data.extent()
    if data.task == "classification":
        x_view = grid(extent, limits.BOUNDARY_GRID)
    else:
        x_view = line(extent, CURVE_POINTS)
    points = len(x_view) + len(data.x_test) + len(data.x_train)
    count = affordable(model, points, count)
    masks = ens.draw_keep_masks(model, count, generator(mask_seed))
    inputs = torch.cat([x_view, data.x_test, data.x_train])
    everything = ens.predict_ensemble(model, inputs, masks, data.task)
    a, b = len(x_view), len(x_view) + len(data.x_test)
    return EnsembleRun(
        data,
        everything.select(slice(0, a)),
        everything.select(slice(a, b)),
        everything.select(slice(b, None)),
        x_view,
        extent,
    )
