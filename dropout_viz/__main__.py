"""Dropout Lab from the command line: the app's experiments, headless.

    python -m dropout_viz train --dataset moons --n-train 60 --hidden 32,32 --p 0.3 --epochs 2000
    python -m dropout_viz train --dataset sine --n-train 20 --json - | jq '.summary'
    python -m dropout_viz sweep --dataset digits --n-train 300 --hidden 128,128 --epochs 300
    python -m dropout_viz sweep-size --n-train 25,100,400,1600 --p 0.5 --csv size.csv
    python -m dropout_viz mc ensemble --json - | jq '.summary'     # see cli_mc.py

``--json -`` prints the JSON alone on stdout and the table on stderr, so it pipes.
Bad flags exit with status 2 and say what to change, before any training starts.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict

from . import cli_mc
from .core import limits, sweep
from .core.data import (
    DEFAULT_ACTIVATION,
    DEFAULT_LEARNING_RATE,
    DEFAULT_NOISE,
    DEFAULT_STEPS,
    DataConfig,
    make_dataset,
)
from .core.memory import reuse_freed_memory
from .core.training import TrainConfig, Twin
from .core.user_data import LAB, UserDataError, parse_csv
from .core.user_data import data_config as own_data_config


# --- flag parsing helpers: each raises ArgumentTypeError, which argparse turns into exit 2
def _bounded(limit: limits.Limit, kind: Callable = float) -> Callable[[str], float]:
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


def _widths(text: str) -> tuple[int, ...]:
    try:
        widths = tuple(int(w) for w in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give widths like 32,32") from None
    try:
        limits.LAYERS.check(len(widths))
        for width in widths:
            limits.WIDTH.check(width)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return widths


def _list_of(limit: limits.Limit, kind: Callable = float) -> Callable[[str], list]:
    """A comma-separated list, each value checked against limit; never empty."""
    one = _bounded(limit, kind)

    def parse(text: str) -> list:
        values = [one(item.strip()) for item in text.split(",") if item.strip()]
        if not values:
            raise argparse.ArgumentTypeError(f"give at least one value, like {limit.default}")
        return values

    parse.__name__ = f"list of {one.__name__}"
    return parse


def _csv_list(values: Sequence) -> str:
    return ",".join(f"{v:g}" for v in values)


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
            type=_list_of(limits.N_TRAIN, int),
            default=list(n_train),
            metavar="N,N,...",
            help=f"training-set sizes to compare (default: {_csv_list(n_train)})",
        )
    else:
        group.add_argument(
            "--n-train",
            type=_bounded(limits.N_TRAIN, int),
            default=n_train,
            help="number of training points (default: %(default)s)",
        )
    group.add_argument(
        "--n-test",
        type=_bounded(limits.N_TEST, int),
        default=limits.N_TEST.default,
        help="number of test points (default: %(default)s)",
    )
    group.add_argument(
        "--noise",
        type=_bounded(limits.NOISE),
        default=None,
        help="standard deviation of the jitter (default: the dataset's own)",
    )
    group.add_argument(
        "--data-seed",
        type=_bounded(limits.SEED, int),
        default=0,
        help="seed of the data (default: %(default)s)",
    )


def add_model_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("model and training")
    group.add_argument(
        "--hidden",
        type=_widths,
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
        type=_bounded(limits.LEARNING_RATE),
        default=None,
        help="learning rate (default: the dataset's: 0.001 for digits, 0.01 otherwise)",
    )
    group.add_argument(
        "--weight-decay",
        type=_bounded(limits.WEIGHT_DECAY),
        default=0.0,
        help="L2 weight decay (default: %(default)s)",
    )
    group.add_argument(
        "--batch-size",
        type=_bounded(limits.BATCH_SIZE, int),
        default=0,
        help="mini-batch size; 0 = the whole training set (default: %(default)s)",
    )
    group.add_argument(
        "--epochs",
        type=_bounded(limits.STEPS, int),
        default=None,
        help="passes over the training set (default: the dataset's: 1000 for digits, "
        f"{limits.STEPS.default} otherwise)",
    )
    group.add_argument(
        "--seed",
        type=_bounded(limits.SEED, int),
        default=0,
        help="seed of the initial weights and masks (default: %(default)s)",
    )


def data_config(args: argparse.Namespace) -> DataConfig:
    if getattr(args, "csv_table", None) is not None:
        return own_data_config(args.csv_table, args.test_share, args.n_train, args.data_seed)
    noise = DEFAULT_NOISE[args.dataset] if args.noise is None else args.noise
    return DataConfig(args.dataset, args.n_train, args.n_test, noise, args.data_seed)


def steps_for(epochs: int, n_train: int, batch_size: int) -> int:
    """Optimizer steps for a number of epochs (one step per epoch with full batches)."""
    return epochs if batch_size in (0, None) else epochs * math.ceil(n_train / batch_size)


def progress(total: int, label: str, unit: str = "step"):
    """A progress bar on stderr; it only draws when a run takes over a second."""
    from tqdm import tqdm

    return tqdm(
        total=total, desc=label, unit=unit, file=sys.stderr, delay=1.0, disable=None, leave=False
    )


def format_table(rows: Sequence[dict], columns: Sequence[str]) -> str:
    def cell(value) -> str:
        if value is None:
            return "-"
        return f"{value:.4f}" if isinstance(value, float) else str(value)

    table = [list(columns)] + [[cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(columns))]
    return "\n".join("  ".join(v.rjust(w) for v, w in zip(r, widths)) for r in table)


def write_json(payload: dict, target: str, table: str) -> None:
    """`-`: JSON alone on stdout (table to stderr); otherwise JSON to a file, table to stdout."""
    text = json.dumps(payload, indent=2)
    if target == "-":
        print(table, file=sys.stderr)
        print(text)
        return
    with open(target, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    print(table)
    print(f"wrote {target}")


# --- train ------------------------------------------------------------------------------
def add_train_command(commands) -> None:
    parser = commands.add_parser(
        "train",
        help="train a twin: the same network without and with dropout",
        description="Train two identical networks on the same data, one without dropout and "
        "one with it, and compare their train/test loss and the gap between them.",
    )
    add_data_flags(parser)
    add_csv_data_flags(parser)
    add_model_flags(parser)
    parser.add_argument(
        "--p",
        type=_bounded(limits.DROP_RATE),
        default=limits.DROP_RATE.default,
        help="dropout rate of the dropout twin: the chance of DROPPING a unit "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--input-p",
        type=_bounded(limits.DROP_RATE),
        default=0.0,
        help="dropout rate on the inputs (default: %(default)s)",
    )
    parser.add_argument(
        "--eval-every",
        type=_bounded(limits.EVAL_EVERY, int),
        default=10,
        help="steps between history points (default: %(default)s)",
    )
    parser.add_argument(
        "--json", metavar="PATH|-", help="write config, history and summary as JSON"
    )
    parser.set_defaults(run=run_train)


def run_train(args: argparse.Namespace) -> int:
    data_cfg = data_config(args)
    train_cfg = TrainConfig(
        hidden=args.hidden,
        drop_rate=args.p,
        input_drop_rate=args.input_p,
        activation=args.activation or DEFAULT_ACTIVATION[args.dataset],
        dropout_mode=args.mode,
        optimizer=args.optimizer,
        learning_rate=args.lr,
        weight_decay=args.weight_decay,
        batch_size=args.batch_size,
        seed=args.seed,
        eval_every=args.eval_every,
    )
    twin = Twin(make_dataset(data_cfg), train_cfg)
    total = steps_for(args.epochs, args.n_train, args.batch_size)
    with progress(total, "train") as bar:
        while twin.step_count < total and twin.status == "running":
            bar.update(twin.step(min(500, total - twin.step_count)))
    summary = twin.summary()
    columns = [
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
    table = format_table(summary, columns)
    if twin.status == "diverged":
        table += f"\n{twin.message}"
    if args.json:
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
        write_json(payload, args.json, table)
    else:
        print(table)
    return 0


# --- sweep and sweep-size -------------------------------------------------------------
def add_sweep_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("sweep")
    group.add_argument(
        "--seeds",
        type=_bounded(limits.SWEEP_SEEDS, int),
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


def add_sweep_command(commands) -> None:
    parser = commands.add_parser(
        "sweep",
        help="sweep the dropout rate p: final losses, accuracy and gap over seeds",
        description="Train the same network at each dropout rate, several seeds each, all as "
        "one computation, and report the final train/test loss, accuracy and "
        "generalization gap (mean and std over seeds).",
    )
    add_data_flags(parser, n_train=100)
    add_csv_data_flags(parser)
    add_model_flags(parser)
    parser.add_argument(
        "--p",
        type=_list_of(limits.DROP_RATE),
        default=list(limits.SWEEP_DROP_RATES),
        metavar="P,P,...",
        help="dropout rates to compare, each the chance of DROPPING a unit "
        f"(default: {_csv_list(limits.SWEEP_DROP_RATES)})",
    )
    add_sweep_flags(parser)
    parser.set_defaults(run=run_sweep)


def add_sweep_size_command(commands) -> None:
    parser = commands.add_parser(
        "sweep-size",
        help="sweep the training-set size, without and with dropout",
        description="Train the same network without and with dropout on growing training "
        "sets (each the first N points of the largest), several seeds each, and report the "
        "test error and the gain from dropout at each size. Trains on the full set each step.",
    )
    add_data_flags(parser, n_train=limits.SWEEP_SIZES, sizes=True)
    add_csv_data_flags(parser)
    add_model_flags(parser)
    parser.add_argument(
        "--p",
        type=_bounded(limits.DROP_RATE),
        default=limits.SWEEP_SIZE_DROP_RATE,
        help="dropout rate of the dropout models; the others have none (default: %(default)s)",
    )
    add_sweep_flags(parser)
    parser.set_defaults(run=run_sweep_size)


def _sweep_config(args: argparse.Namespace, n_train: int) -> sweep.SweepConfig:
    noise = DEFAULT_NOISE[args.dataset] if args.noise is None else args.noise
    data = DataConfig(args.dataset, n_train, args.n_test, noise, args.data_seed)
    if getattr(args, "csv_table", None) is not None:
        data = own_data_config(args.csv_table, args.test_share, n_train, args.data_seed)
    return sweep.SweepConfig(
        data=data,
        train=TrainConfig(
            hidden=args.hidden,
            activation=args.activation or DEFAULT_ACTIVATION[args.dataset],
            dropout_mode=args.mode,
            optimizer=args.optimizer,
            learning_rate=args.lr,
            weight_decay=args.weight_decay,
            batch_size=args.batch_size,
        ),
        steps=steps_for(args.epochs, n_train, args.batch_size),
        engine=args.engine,
    )


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


def _run_experiment(
    args: argparse.Namespace, experiment: Callable, config: sweep.SweepConfig, **kwargs
) -> sweep.SweepResult:
    seeds = range(args.seed, args.seed + args.seeds)
    with progress(0, args.command, unit="model-step") as bar:

        def report(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        return experiment(config, seeds=seeds, progress=report, **kwargs)


def _report(args: argparse.Namespace, result: sweep.SweepResult, table: str, extra: dict) -> int:
    diverged = sum(r.status == "diverged" for r in result.records)
    if diverged:
        table += f"\n{diverged} of {len(result.records)} models diverged: lower the learning rate."
    if args.csv:
        with open(args.csv, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, RESULT_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(r.to_dict() for r in result.records)
    if args.json:
        payload = result.to_dict()
        payload["config"] |= {"epochs": args.epochs, "seeds": args.seeds, **extra}
        if args.csv_data:
            payload["config"]["csv_data"] = args.csv_data
        write_json(payload, args.json, table)
    else:
        print(table)
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


def add_csv_data_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("your own data")
    group.add_argument(
        "--csv-data",
        metavar="PATH",
        help="learn a CSV file instead of --dataset: numeric feature columns, then the label "
        "(2-10 classes) or a numeric target in the last column; standardised like the app",
    )
    group.add_argument(
        "--test-share",
        type=_bounded(limits.TEST_SHARE),
        default=limits.TEST_SHARE.default,
        help="with --csv-data: the share of the rows held out as the test set; --n-train "
        "then takes at most the rest (default: %(default)s, all the rest)",
    )


def load_csv_data(args: argparse.Namespace, argv: Sequence[str]) -> None:
    """Check --csv-data before any training (ValueError: exit 2); --n-train defaults to
    every row the test share leaves."""
    args.csv_table = None
    if not getattr(args, "csv_data", None):
        return
    try:
        with open(args.csv_data, "rb") as f:
            raw = f.read(limits.USER_MAX_BYTES + 1)
    except OSError as error:
        raise ValueError(f"--csv-data: cannot read {args.csv_data}: {error.strerror}.") from None
    try:
        table = parse_csv(raw, name=args.csv_data, shape=LAB)
    except UserDataError as error:
        raise ValueError(f"--csv-data: {error}") from None
    available = own_data_config(table, args.test_share, limits.USER_MAX_ROWS, 0).n_train
    explicit = any(a == "--n-train" or a.startswith("--n-train=") for a in argv)
    sizes = args.n_train if isinstance(args.n_train, list) else [args.n_train]
    if explicit and max(sizes) > available:
        raise ValueError(
            f"--n-train {max(sizes)}: {args.csv_data} has {table.rows} rows, and a test share "
            f"of {args.test_share:g} leaves {available} for training."
        )
    if not explicit:
        default = [n for n in limits.SWEEP_SIZES if n < available] + [available]
        args.n_train = default if isinstance(args.n_train, list) else available
    args.csv_table = table
    print(table.describe().replace("**", ""), file=sys.stderr)


def dataset_defaults(args: argparse.Namespace) -> None:
    """Training flags left unset take their dataset's own default (core/data.py): digits
    learns at 0.001 for 1000 epochs, so a p sweep shows the paper's U shape."""
    for flag, defaults in (("lr", DEFAULT_LEARNING_RATE), ("epochs", DEFAULT_STEPS)):
        if hasattr(args, flag) and getattr(args, flag) is None:
            setattr(args, flag, defaults[args.dataset])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dropout_viz",
        description="Dropout Lab experiments from the command line.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_train_command(commands)
    add_sweep_command(commands)
    add_sweep_size_command(commands)
    cli_mc.add_command(commands, sys.modules[__name__])  # mc: its module, our flag helpers
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    reuse_freed_memory()  # a sweep's steps reallocate the same tensors: see core/memory.py
    parser = build_parser()
    args = parser.parse_args(argv)
    dataset_defaults(args)
    try:
        load_csv_data(args, sys.argv[1:] if argv is None else argv)
        return args.run(args)
    except ValueError as error:  # a combination the flags alone could not check
        parser.error(str(error))  # exits with status 2
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # e.g. `| head`: the reader left; that is not an error of ours
        sys.stderr.close()
        sys.exit(0)
