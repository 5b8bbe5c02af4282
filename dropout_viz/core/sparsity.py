"""Hidden activations after training, without and with dropout.

The 2014 paper found that dropout makes hidden units sparser: in its MNIST
autoencoder the mean activation fell from about 2.0 to 0.7. Here a twin (same
data, initial weights and batches; only dropout differs) learns the bundled
8×8 digits, and we read its hidden activations on the test digits in eval mode.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from torch import Tensor

from .data import DataConfig, make_dataset
from .training import TrainConfig, Twin

ProgressCallback = Callable[[float], None]

DATA = DataConfig("digits", n_train=500, n_test=500, noise=0.0)
HIDDEN = 128  # one ReLU layer, like the paper's autoencoder's single hidden layer
STEPS = 300
LABELS = Twin.LABELS  # ("no dropout", "dropout")


@dataclass(frozen=True)
class Sparsity:
    activations: Tensor  # (2, test examples, units): eval-mode ReLU outputs, per twin
    test_accuracy: tuple[float, float]
    drop_rate: float

    @property
    def mean_activation(self) -> list[float]:
        return self.activations.mean((1, 2)).tolist()

    @property
    def zero_share(self) -> list[float]:
        """Share of (example, unit) activations that are exactly 0: how sparse the layer is."""
        return (self.activations == 0).float().mean((1, 2)).tolist()

    @property
    def unit_means(self) -> Tensor:
        """(2, units): each unit's mean activation over the test digits."""
        return self.activations.mean(1)


def train_twins(
    drop_rate: float,
    seed: int = 0,
    steps: int = STEPS,
    on_progress: ProgressCallback | None = None,
) -> Sparsity:
    """Train the twin on digits and read the hidden layer on the test digits."""
    data = make_dataset(DataConfig(DATA.dataset, DATA.n_train, DATA.n_test, DATA.noise, seed))
    twin = Twin(
        data,
        TrainConfig(
            hidden=(HIDDEN,),
            drop_rate=drop_rate,
            activation="relu",
            learning_rate=0.01,
            seed=seed,
            eval_every=steps,
        ),
    )
    chunk, done = 50, 0
    while done < steps:
        done += twin.step(min(chunk, steps - done))
        if on_progress:
            on_progress(done / steps)
        if twin.status != "running":
            break
    twin.predict(data.x_test)  # eval mode: every unit on, as at inference
    activations = twin.model.dropouts[0].last_input.clone()  # (2, n_test, units)
    point_base, point_drop = twin.latest
    return Sparsity(
        activations=activations,
        test_accuracy=(float(point_base["test_acc"]), float(point_drop["test_acc"])),
        drop_rate=float(drop_rate),
    )
