"""Small datasets where overfitting shows: 2-D classification, 1-D regression, digits.

scikit-learn generates what it can (moons, circles, blobs, digits); xor and the
two spirals are a few lines each. Train and test sets come from independent
random streams of one seed, so the test set does not change when only the
number of training points does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from sklearn.datasets import load_digits, make_blobs, make_circles, make_moons

from . import limits

# A noise level that shows each dataset at its best for the default 60 points. Moons at
# 0.45: after ~10 s of Play the dropout twin's test accuracy is higher in each of seeds
# 0–9, by 3.8 to 12 points (tests/core/test_twin_seeds.py); at 0.3 it was 2 points or
# more higher in only 6 of 10 (issue #11).
DEFAULT_NOISE = {
    "moons": 0.45,
    "circles": 0.15,
    "xor": 0.25,
    "spiral": 0.2,
    "gaussians": 0.8,
    "sine": 0.3,
    "digits": 0.0,
}


# The hidden activation under which dropout's effect shows best on each dataset: on
# the small 2-D sets tanh (it saturates, so weights cannot grow around the masks);
# on digits' 64 inputs ReLU (with tanh the 300-image sweep shows no gain at all).
DEFAULT_ACTIVATION = dict.fromkeys(DEFAULT_NOISE, "tanh") | {"digits": "relu"}

# Adam's learning rate and full-batch steps under which a p sweep shows the paper's U
# shape. On digits 0.01 memorises so fast that only p = 0.8 held it back (300 images,
# 128-128 ReLU, 300 epochs: best test loss at p = 0.8); at 0.001 the same sweep is
# best at p = 0.5. Long runs at 0.001 flatten the U again (100 images, 128-128, 2000
# steps: best at p = 0), so digits train 1000 steps (tests/core/test_defaults.py).
DEFAULT_LEARNING_RATE = dict.fromkeys(DEFAULT_NOISE, limits.LEARNING_RATE.default) | {
    "digits": 0.001
}
DEFAULT_STEPS = dict.fromkeys(DEFAULT_NOISE, limits.STEPS.default) | {"digits": 1000}


# Datasets made from a learner's CSV file (core/user_data.py), registered under
# "own:<digest of the file>": DataConfig and make_dataset take them like a built-in one,
# so twins, sweeps and the CLI need nothing else. Each source has check(config) and
# make(config) -> Dataset.
OWN_DATA = "own:"
USER_SOURCES: dict = {}


@dataclass(frozen=True)
class DataConfig:
    dataset: str = "moons"
    n_train: int = limits.N_TRAIN.default
    n_test: int = limits.N_TEST.default
    noise: float = limits.NOISE.default
    seed: int = 0

    def validate(self) -> DataConfig:
        if self.dataset in USER_SOURCES:  # a learner's own file: it knows its own bounds
            USER_SOURCES[self.dataset].check(self)
            return self
        if self.dataset.startswith(OWN_DATA):
            raise ValueError("This own-data file is no longer loaded: upload it again.")
        if self.dataset not in limits.DATASETS:
            raise ValueError(
                f"Unknown dataset {self.dataset!r}; choose one of {', '.join(limits.DATASETS)}."
            )
        limits.N_TRAIN.check(self.n_train)
        limits.N_TEST.check(self.n_test)
        limits.NOISE.check(self.noise)
        limits.SEED.check(self.seed)
        if self.dataset == "digits" and self.n_train + self.n_test > limits.DIGITS_SIZE:
            raise ValueError(
                f"digits has {limits.DIGITS_SIZE} images: training points + test points must be "
                f"at most {limits.DIGITS_SIZE}, got {self.n_train} + {self.n_test}."
            )
        return self


@dataclass
class Dataset:
    """Tensors ready for training. Classification targets are class indices (long)."""

    config: DataConfig
    x_train: torch.Tensor  # (n_train, features) float32
    y_train: torch.Tensor  # (n_train,) long, or (n_train, 1) float for regression
    x_test: torch.Tensor
    y_test: torch.Tensor
    n_classes: int  # 0 for regression

    @property
    def task(self) -> str:
        return "regression" if self.n_classes == 0 else "classification"

    @property
    def in_features(self) -> int:
        return self.x_train.shape[1]

    @property
    def out_features(self) -> int:
        # Two classes need one logit (sigmoid); more classes need one logit each.
        return 1 if self.n_classes in (0, 2) else self.n_classes

    def extent(self, margin: float = 0.15) -> tuple[tuple[float, float], ...]:
        """(low, high) per input feature over train and test, padded by a margin."""
        both = torch.cat([self.x_train, self.x_test])
        low, high = both.min(0).values, both.max(0).values
        pad = (high - low) * margin
        return tuple((float(a), float(b)) for a, b in zip(low - pad, high + pad))


def _moons(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    x, y = make_moons(n, noise=noise, random_state=seed)
    return (x - [0.5, 0.25]) * 1.6, y  # centre on the origin, like the other 2-D sets


def _circles(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    x, y = make_circles(n, noise=noise, factor=0.5, random_state=seed)
    return x * 2.0, y


def _xor(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, size=(n, 2))
    x += np.sign(x) * 0.2  # a small gap around the axes, as in TensorFlow Playground
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
    return x + rng.normal(0, noise, size=x.shape), y


def _spiral(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    t = rng.uniform(0.05, 1.0, size=n)  # position along the arm
    angle = 3.0 * np.pi * t + np.pi * y  # the second arm is the first turned by 180°
    x = 2.5 * t[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return x + rng.normal(0, noise, size=x.shape), y


def _gaussians(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    # Noise is each blob's spread: at 1.0 the two classes overlap heavily.
    return make_blobs(
        n, centers=[[-1.0, -1.0], [1.0, 1.0]], cluster_std=max(noise, 0.05), random_state=seed
    )


def _sine(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-np.pi, np.pi, size=(n, 1))
    return x, np.sin(x) + rng.normal(0, noise, size=x.shape)


GENERATORS = {
    "moons": _moons,
    "circles": _circles,
    "xor": _xor,
    "spiral": _spiral,
    "gaussians": _gaussians,
    "sine": _sine,
}


# The function the noisy regression samples come from, to draw beside a fit.
TRUTH = {"sine": np.sin}


def _digits(config: DataConfig) -> tuple[np.ndarray, ...]:
    images = load_digits()  # ships with scikit-learn: no download
    order = np.random.default_rng(config.seed).permutation(len(images.target))
    test, train = order[: config.n_test], order[config.n_test : config.n_test + config.n_train]
    x = images.data / 16.0  # pixel intensities 0..16 -> 0..1
    return x[train], images.target[train], x[test], images.target[test]


def make_dataset(config: DataConfig) -> Dataset:
    """Build the dataset a config describes; the same config always gives the same tensors."""
    config.validate()
    if config.dataset in USER_SOURCES:
        return USER_SOURCES[config.dataset].make(config)
    if config.dataset == "digits":
        x_train, y_train, x_test, y_test = _digits(config)
        n_classes = 10
    else:
        train_seed, test_seed = (
            int(s.generate_state(1)[0]) for s in np.random.SeedSequence(config.seed).spawn(2)
        )
        make = GENERATORS[config.dataset]
        x_train, y_train = make(config.n_train, config.noise, train_seed)
        x_test, y_test = make(config.n_test, config.noise, test_seed)
        n_classes = 0 if config.dataset in limits.REGRESSION_1D else 2

    def targets(y: np.ndarray) -> torch.Tensor:
        if n_classes == 0:
            return torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1)
        return torch.as_tensor(y, dtype=torch.long)

    return Dataset(
        config=config,
        x_train=torch.as_tensor(x_train, dtype=torch.float32),
        y_train=targets(y_train),
        x_test=torch.as_tensor(x_test, dtype=torch.float32),
        y_test=targets(y_test),
        n_classes=n_classes,
    )


def grid(extent: tuple[tuple[float, float], ...], resolution: int) -> torch.Tensor:
    """Points covering a 2-D extent, (resolution², 2), row by row from the bottom."""
    (x0, x1), (y0, y1) = extent
    xs = torch.linspace(x0, x1, resolution)
    ys = torch.linspace(y0, y1, resolution)
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")  # row = y, column = x
    return torch.stack([xx.reshape(-1), yy.reshape(-1)], dim=1)


def line(extent: tuple[tuple[float, float], ...], n: int) -> torch.Tensor:
    """n evenly spaced inputs across a 1-D extent, (n, 1)."""
    (x0, x1), *_ = extent
    return torch.linspace(x0, x1, n).reshape(-1, 1)
