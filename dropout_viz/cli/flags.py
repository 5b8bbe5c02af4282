"""The flags every command shares, checked as they are parsed, and the core configs
they make. A bad value raises ``argparse.ArgumentTypeError``: exit status 2 and a
message saying what to change, before anything trains."""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from ..core import limits
from ..core.data import (
    DEFAULT_ACTIVATION,
    DEFAULT_LEARNING_RATE,
    DEFAULT_NOISE,
    DEFAULT_STEPS,
    DataConfig,
)
from ..core.training import TrainConfig
from ..core.user_data import data_config as own_data_config


# --- one value ----------------------------------------------------------------------------
def bounded(limit: limits.Limit, kind: Callable = float) -> Callable[[str], float]:
    """A number within limit."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        try:
            return limit.check(value)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    parse.__name__ = limit.name.lower()  # argparse names the type in its messages
    return parse


def widths(text: str) -> tuple[int, ...]:
    """Hidden layer widths, like 32,32."""
    try:
        sizes = tuple(int(w) for w in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give widths like 32,32") from None
    try:
        limits.LAYERS.check(len(sizes))
        for width in sizes:
            limits.WIDTH.check(width)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return sizes


def list_of(limit: limits.Limit, kind: Callable = float) -> Callable[[str], list]:
    """A comma-separated list, each value checked against limit; never empty."""
    one = bounded(limit, kind)

    def parse(text: str) -> list:
        values = [one(item.strip()) for item in text.split(",") if item.strip()]
        if not values:
            raise argparse.ArgumentTypeError(f"give at least one value, like {limit.default}")
        return values

    parse.__name__ = f"list of {one.__name__}"
    return parse


def csv_list(values: Sequence) -> str:
    return ",".join(f"{v:g}" for v in values)


# --- groups of flags ------------------------------------------------------------------------
def add_data_flags(
    parser: argparse.ArgumentParser,
    n_train: int | Sequence[int] = limits.N_TRAIN.default,
    sizes: bool = False,
) -> None:
    """Dataset flags; with ``sizes``, --n-train takes a comma-separated list of sizes."""
    group = parser.add_argument_group("data")
    group.add_argument(
        "--dataset",
        choices=limits.DATASETS,
        default="moons",
        help="which dataset to learn (default: %(default)s)",
    )
    if sizes:
        group.add_argument(
            "--n-train",
            type=list_of(limits.N_TRAIN, int),
            default=list(n_train),
            metavar="N,N,...",
            help=f"training-set sizes to compare (default: {csv_list(n_train)})",
        )
    else:
        group.add_argument(
            "--n-train",
            type=bounded(limits.N_TRAIN, int),
            default=n_train,
            help="number of training points (default: %(default)s)",
        )
    group.add_argument(
        "--n-test",
        type=bounded(limits.N_TEST, int),
        default=limits.N_TEST.default,
        help="number of test points (default: %(default)s)",
    )
    group.add_argument(
        "--noise",
        type=bounded(limits.NOISE),
        default=None,
        help="standard deviation of the jitter (default: the dataset's own)",
    )
    group.add_argument(
        "--data-seed",
        type=bounded(limits.SEED, int),
        default=0,
        help="seed of the data (default: %(default)s)",
    )


def add_model_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("model and training")
    group.add_argument(
        "--hidden",
        type=widths,
        default=TrainConfig.hidden,
        help="hidden layer widths, comma-separated (default: 32,32)",
    )
    group.add_argument(
        "--activation",
        choices=limits.ACTIVATIONS,
        default=None,
        help="hidden activation (default: the dataset's: relu for digits, tanh otherwise)",
    )
    group.add_argument(
        "--mode",
        choices=limits.DROPOUT_MODES,
        default="inverted",
        help="dropout convention: PyTorch's inverted, the 2014 paper's classic, "
        "or the unscaled bug (default: %(default)s)",
    )
    group.add_argument(
        "--optimizer",
        choices=limits.OPTIMIZERS,
        default="adam",
        help="adam, or sgd with momentum 0.9 (default: %(default)s)",
    )
    group.add_argument(
        "--lr",
        type=bounded(limits.LEARNING_RATE),
        default=None,
        help="learning rate (default: the dataset's: 0.001 for digits, 0.01 otherwise)",
    )
    group.add_argument(
        "--weight-decay",
        type=bounded(limits.WEIGHT_DECAY),
        default=0.0,
        help="L2 weight decay (default: %(default)s)",
    )
    group.add_argument(
        "--batch-size",
        type=bounded(limits.BATCH_SIZE, int),
        default=0,
        help="mini-batch size; 0 = the whole training set (default: %(default)s)",
    )
    group.add_argument(
        "--epochs",
        type=bounded(limits.STEPS, int),
        default=None,
        help="passes over the training set (default: the dataset's: 1000 for digits, "
        f"{limits.STEPS.default} otherwise)",
    )
    group.add_argument(
        "--seed",
        type=bounded(limits.SEED, int),
        default=0,
        help="seed of the initial weights and masks (default: %(default)s)",
    )


# --- flags into configs ---------------------------------------------------------------------
def dataset_defaults(args: argparse.Namespace) -> None:
    """Training flags left unset take their dataset's own default (core/data.py): digits
    learns at 0.001 for 1000 epochs, so a p sweep shows the paper's U shape."""
    for flag, defaults in (("lr", DEFAULT_LEARNING_RATE), ("epochs", DEFAULT_STEPS)):
        if hasattr(args, flag) and getattr(args, flag) is None:
            setattr(args, flag, defaults[args.dataset])


def data_config(args: argparse.Namespace, n_train: int | None = None) -> DataConfig:
    """The data flags (or --csv-data's file) as a DataConfig; n_train overrides the flag."""
    n_train = args.n_train if n_train is None else n_train
    if getattr(args, "csv_table", None) is not None:
        return own_data_config(args.csv_table, args.test_share, n_train, args.data_seed)
    noise = DEFAULT_NOISE[args.dataset] if args.noise is None else args.noise
    return DataConfig(args.dataset, n_train, args.n_test, noise, args.data_seed)


def train_config(args: argparse.Namespace, **fields) -> TrainConfig:
    """The model flags as a TrainConfig; ``fields`` are what the command sets itself
    (its drop rates, seed, evaluation interval)."""
    return TrainConfig(
        hidden=args.hidden,
        activation=args.activation or DEFAULT_ACTIVATION[args.dataset],
        dropout_mode=args.mode,
        optimizer=args.optimizer,
        learning_rate=args.lr,
        weight_decay=args.weight_decay,
        batch_size=args.batch_size,
        **fields,
    )


def steps_for(epochs: int, n_train: int, batch_size: int) -> int:
    """Optimizer steps for a number of epochs (one step per epoch with full batches)."""
    return epochs if batch_size in (0, None) else epochs * math.ceil(n_train / batch_size)


def check_outputs(args: argparse.Namespace) -> None:
    """Every file the command will write (--json, --csv) can be written: checked before
    any training, so a typo in a path never costs a run (ValueError: exit status 2)."""
    for flag in ("json", "csv"):
        target = getattr(args, flag, None)
        if not target or (flag == "json" and target == "-"):  # -: stdout
            continue
        path = Path(target)
        folder = path.parent
        if path.is_dir():
            raise ValueError(f"--{flag} {target}: that is a folder; give a file name in it.")
        if not folder.is_dir():
            raise ValueError(f"--{flag} {target}: there is no folder {folder}.")
        if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise ValueError(f"--{flag} {target}: no permission to write there.")
