"""`sweep` and `sweep-size`: many models as one computation, several seeds each.

python -m dropout_viz sweep --dataset digits --n-train 300 --hidden 128,128 --epochs 300
python -m dropout_viz sweep-size --n-train 25,100,400,1600 --p 0.5 --csv size.csv
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from ..core import limits, sweep
from . import flags
from .output import format_table, progress, report, write_csv
from .own_data import add_csv_data_flags

SUMMARY_COLUMNS = [
    "p",
    "n_train",
    "seeds",
    "train_loss_mean",
    "test_loss_mean",
    "test_loss_std",
    "test_acc_mean",
    "test_acc_std",
    "gap_mean",
]
RESULT_COLUMNS = [
    "label",
    "p",
    "seed",
    "n_train",
    "weight_decay",
    "steps",
    "status",
    "train_loss",
    "test_loss",
    "train_acc",
    "test_acc",
    "gap",
]


def add_sweep_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("sweep")
    group.add_argument(
        "--seeds",
        type=flags.bounded(limits.SWEEP_SEEDS, int),
        default=limits.SWEEP_SEEDS.default,
        help="runs per setting, with seeds --seed, --seed + 1, ... (default: %(default)s)",
    )
    group.add_argument(
        "--engine",
        choices=sweep.ENGINES,
        default="batched",
        help="batched: all models as one computation; loop: one nn.Module at a time "
        "with torch.nn.Dropout, the baseline (default: %(default)s)",
    )
    group.add_argument(
        "--json", metavar="PATH|-", help="write config, per-model results and summary as JSON"
    )
    group.add_argument("--csv", metavar="PATH", help="write the per-model results as CSV")


def add_commands(commands) -> None:
    parser = commands.add_parser(
        "sweep",
        help="sweep the dropout rate p: final losses, accuracy and gap over seeds",
        description="Train the same network at each dropout rate, several seeds each, all as "
        "one computation, and report the final train/test loss, accuracy and "
        "generalization gap (mean and std over seeds).",
    )
    flags.add_data_flags(parser, n_train=100)
    add_csv_data_flags(parser)
    flags.add_model_flags(parser)
    parser.add_argument(
        "--p",
        type=flags.list_of(limits.DROP_RATE),
        default=list(limits.SWEEP_DROP_RATES),
        metavar="P,P,...",
        help="dropout rates to compare, each the chance of DROPPING a unit "
        f"(default: {flags.csv_list(limits.SWEEP_DROP_RATES)})",
    )
    add_sweep_flags(parser)
    parser.set_defaults(run=run_sweep)

    parser = commands.add_parser(
        "sweep-size",
        help="sweep the training-set size, without and with dropout",
        description="Train the same network without and with dropout on growing training "
        "sets (each the first N points of the largest), several seeds each, and report the "
        "test error and the gain from dropout at each size. Trains on the full set each step.",
    )
    flags.add_data_flags(parser, n_train=limits.SWEEP_SIZES, sizes=True)
    add_csv_data_flags(parser)
    flags.add_model_flags(parser)
    parser.add_argument(
        "--p",
        type=flags.bounded(limits.DROP_RATE),
        default=limits.SWEEP_SIZE_DROP_RATE,
        help="dropout rate of the dropout models; the others have none (default: %(default)s)",
    )
    add_sweep_flags(parser)
    parser.set_defaults(run=run_sweep_size)


def _sweep_config(args: argparse.Namespace, n_train: int) -> sweep.SweepConfig:
    return sweep.SweepConfig(
        data=flags.data_config(args, n_train),
        train=flags.train_config(args),
        steps=flags.steps_for(args.epochs, n_train, args.batch_size),
        engine=args.engine,
    )


def _run_experiment(
    args: argparse.Namespace, experiment: Callable, config: sweep.SweepConfig, **kwargs
) -> sweep.SweepResult:
    seeds = range(args.seed, args.seed + args.seeds)
    with progress(0, args.command, unit="model-step") as bar:

        def steps_done(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        return experiment(config, seeds=seeds, progress=steps_done, **kwargs)


def _report(args: argparse.Namespace, result: sweep.SweepResult, table: str, extra: dict) -> int:
    diverged = sum(r.status == "diverged" for r in result.records)
    if diverged:
        table += f"\n{diverged} of {len(result.records)} models diverged: lower the learning rate."
    if args.csv:
        write_csv((r.to_dict() for r in result.records), RESULT_COLUMNS, args.csv)
    payload = result.to_dict()
    payload["config"] |= {"epochs": args.epochs, "seeds": args.seeds, **extra}
    if args.csv_data:
        payload["config"]["csv_data"] = args.csv_data
    report(table, payload, args.json)
    if args.csv:
        print(f"wrote {args.csv}", file=sys.stderr if args.json == "-" else sys.stdout)
    return 0


def run_sweep(args: argparse.Namespace) -> int:
    config = _sweep_config(args, args.n_train)
    result = _run_experiment(args, sweep.p_sweep, config=config, drop_rates=args.p)
    table = format_table(result.summary, SUMMARY_COLUMNS)
    return _report(args, result, table, {"p": args.p})


def run_sweep_size(args: argparse.Namespace) -> int:
    config = _sweep_config(args, max(args.n_train))
    if args.batch_size:
        raise ValueError("sweep-size trains on the full training set each step: drop --batch-size.")
    result = _run_experiment(
        args, sweep.size_sweep, config=config, sizes=args.n_train, drop_rate=args.p
    )
    table = format_table(result.summary, ["label", *SUMMARY_COLUMNS])
    gain_columns = ["n_train", "error_without_dropout", "error_with_dropout", "gain", "gain_se"]
    table += "\n\n" + format_table(result.tables["gain"], gain_columns)
    return _report(args, result, table, {"p": args.p, "sizes": sorted(set(args.n_train))})
