"""`train`: a twin, the same network without and with dropout, on the same data.

python -m dropout_viz train --dataset moons --n-train 60 --hidden 32,32 --p 0.3
"""

from __future__ import annotations

import argparse
from dataclasses import asdict

from ..core import limits
from ..core.data import make_dataset
from ..core.training import Twin
from . import flags
from .output import format_table, progress, report
from .own_data import add_csv_data_flags

COLUMNS = [
    "label",
    "drop_rate",
    "steps",
    "status",
    "train_loss",
    "test_loss",
    "train_acc",
    "test_acc",
    "gap",
]


def add_command(commands) -> None:
    parser = commands.add_parser(
        "train",
        help="train a twin: the same network without and with dropout",
        description="Train two identical networks on the same data, one without dropout and "
        "one with it, and compare their train/test loss and the gap between them.",
    )
    flags.add_data_flags(parser)
    add_csv_data_flags(parser)
    flags.add_model_flags(parser)
    parser.add_argument(
        "--p",
        type=flags.bounded(limits.DROP_RATE),
        default=limits.DROP_RATE.default,
        help="dropout rate of the dropout twin: the chance of DROPPING a unit "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--input-p",
        type=flags.bounded(limits.DROP_RATE),
        default=0.0,
        help="dropout rate on the inputs (default: %(default)s)",
    )
    parser.add_argument(
        "--eval-every",
        type=flags.bounded(limits.EVAL_EVERY, int),
        default=10,
        help="steps between history points (default: %(default)s)",
    )
    parser.add_argument(
        "--json", metavar="PATH|-", help="write config, history and summary as JSON"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    data_cfg = flags.data_config(args)
    train_cfg = flags.train_config(
        args,
        drop_rate=args.p,
        input_drop_rate=args.input_p,
        seed=args.seed,
        eval_every=args.eval_every,
    )
    twin = Twin(make_dataset(data_cfg), train_cfg)
    total = flags.steps_for(args.epochs, args.n_train, args.batch_size)
    with progress(total, "train") as bar:
        while twin.step_count < total and twin.status == "running":
            bar.update(twin.step(min(500, total - twin.step_count)))
    summary = twin.summary()
    table = format_table(summary, COLUMNS)
    if twin.status == "diverged":
        table += f"\n{twin.message}"
    payload = {
        "config": {
            "data": asdict(data_cfg),
            "train": asdict(train_cfg),
            "epochs": args.epochs,
            "steps": total,
        },
        "history": {label: h.to_dict() for label, h in zip(twin.labels, twin.histories)},
        "summary": summary,
    }
    if args.csv_data:
        payload["config"]["csv_data"] = args.csv_data
    report(table, payload, args.json)
    return 0
