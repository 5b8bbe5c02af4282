"""The command line that reproduces a sweep's result, read from the result itself.

    sweep_command(result)  # "python -m dropout_viz sweep --dataset moons ... --seeds 3"

Only the p sweep (``sweep``) and the data-size sweep (``sweep-size``) have a command;
for other experiments it returns None. A result on a learner's own data names the
file it was trained on (``--csv-data``): the command runs where that file is.
"""

from __future__ import annotations

import shlex

from .data import DEFAULT_NOISE, USER_SOURCES
from .sweep import SweepResult

PROGRAM = "python -m dropout_viz"


def _numbers(values) -> str:
    return ",".join(f"{v:g}" for v in values)


def sweep_command(result: SweepResult, file_name: str | None = None) -> str | None:
    """The CLI command of a p sweep or a size sweep, or None for other experiments."""
    config, records = result.config, result.records
    labels = {r.label for r in records}
    rates = list(dict.fromkeys(r.p for r in records))
    seeds = list(dict.fromkeys(r.seed for r in records))
    sizes = sorted({r.n_train for r in records})
    if labels == {"no dropout", "dropout"} and "gain" in result.tables:
        command = ["sweep-size", *_data(config, file_name), "--n-train", _numbers(sizes)]
        command += ["--p", f"{max(rates):g}"]
    elif all(r.label == f"p={r.p:g}" for r in records) and len(sizes) == 1:
        command = ["sweep", *_data(config, file_name), "--n-train", str(sizes[0])]
        command += ["--p", _numbers(rates)]
    else:
        return None
    if seeds != list(range(seeds[0], seeds[0] + len(seeds))):
        return None  # the CLI's seeds are consecutive
    train = config.train
    command += ["--hidden", ",".join(map(str, train.hidden)), "--activation", train.activation]
    command += ["--optimizer", train.optimizer, "--lr", f"{train.learning_rate:g}"]
    if train.dropout_mode != "inverted":
        command += ["--mode", train.dropout_mode]
    if train.weight_decay:
        command += ["--weight-decay", f"{train.weight_decay:g}"]
    if train.batch_size:
        return None  # epochs and steps differ: the lab trains full batches
    command += ["--epochs", str(config.steps), "--seeds", str(len(seeds)), "--seed", str(seeds[0])]
    if config.engine != "batched":
        command += ["--engine", config.engine]
    return " ".join([PROGRAM, *map(shlex.quote, command)])


def _data(config, file_name: str | None) -> list[str]:
    data = config.data
    table = USER_SOURCES.get(data.dataset)
    if table is not None:  # own data: the file, and the share of its rows tested on
        share = data.n_test / table.rows
        return ["--csv-data", file_name or table.name, "--test-share", f"{share:g}"]
    flags = ["--dataset", data.dataset, "--n-test", str(data.n_test)]
    if data.dataset in DEFAULT_NOISE and data.noise != DEFAULT_NOISE[data.dataset]:
        flags += ["--noise", f"{data.noise:g}"]
    if data.seed:
        flags += ["--data-seed", str(data.seed)]
    return flags
