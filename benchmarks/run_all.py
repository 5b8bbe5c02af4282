"""Every benchmark, one after the other: `make bench`.

    .venv/bin/python benchmarks/run_all.py [--quick]

Each benchmark measures against its own baseline in the same run and prints a
table; nothing is asserted. Close other work first: they share the 2 cores.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    ("recording Dropout vs torch.nn.Dropout", ["bench_dropout_overhead.py"]),
    ("batched sweeps vs a loop of nn.Modules", ["bench_sweep.py"]),
    (
        "private optimizer kernels, mallopt vs torch.optim, MALLOC_*",
        ["bench_core_choices.py"],
    ),
    ("the Playground, live in Chromium", ["bench_live.py"]),
    ("a class on one server: protocol-level students", ["bench_class.py"]),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    quick = parser.parse_args().quick
    failed = 0
    for title, command in BENCHMARKS:
        print(f"\n=== {title} ===", flush=True)
        short = {"bench_live.py": ["--seconds", "8"], "bench_class.py": ["--seconds", "20"]}
        extra = short.get(command[0], ["--quick"]) if quick else []
        failed += subprocess.run([sys.executable, str(HERE / command[0]), *extra]).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
