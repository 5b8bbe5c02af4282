"""--csv-data: the CLI learns one's own CSV file, the same way the pages take it
(``core/user_data.py``), and checks it before anything trains."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..core import limits
from ..core.user_data import LAB, UserDataError, parse_csv
from ..core.user_data import data_config as own_data_config
from .flags import bounded


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
        type=bounded(limits.TEST_SHARE),
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
