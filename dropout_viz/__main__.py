"""Dropout Lab from the command line: the app's experiments, headless.

    python -m dropout_viz train --dataset moons --n-train 60 --hidden 32,32 --p 0.3 --epochs 2000
    python -m dropout_viz train --dataset sine --n-train 20 --json - | jq '.summary'
    python -m dropout_viz sweep --dataset digits --n-train 300 --hidden 128,128 --epochs 300
    python -m dropout_viz sweep-size --n-train 25,100,400,1600 --p 0.5 --csv size.csv
    python -m dropout_viz mc ensemble --json - | jq '.summary'

``--json -`` prints the JSON alone on stdout and the table on stderr, so it pipes.
Bad flags, and output paths that cannot be written, exit with status 2 and say what to
change, before any training starts. The commands live in ``dropout_viz/cli/``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .cli import mc, sweeps, train
from .cli.flags import check_outputs, dataset_defaults
from .cli.own_data import load_csv_data
from .core.memory import reuse_freed_memory


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dropout_viz",
        description="Dropout Lab experiments from the command line.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    train.add_command(commands)
    sweeps.add_commands(commands)
    mc.add_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    reuse_freed_memory()  # a sweep's steps reallocate the same tensors: see core/memory.py
    parser = build_parser()
    args = parser.parse_args(argv)
    dataset_defaults(args)
    try:
        check_outputs(args)
        load_csv_data(args, sys.argv[1:] if argv is None else argv)
        return args.run(args)
    except ValueError as error:  # a combination the flags alone could not check, a path
        parser.exit(2, f"{parser.prog} {args.command}: error: {error}\n")  # one line, no usage


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # e.g. `| head`: the reader left; that is not an error of ours
        sys.stderr.close()
        sys.exit(0)
