"""Batched sweep engine vs a Python loop over nn.Modules, in model-steps per second.

    .venv/bin/python benchmarks/bench_sweep.py            # ~2 minutes
    .venv/bin/python benchmarks/bench_sweep.py --quick    # fewer rounds, one CLI run

Single thread (torch.set_num_threads(1)). Each case is K models of
in-h-h-1 with dropout p = 0.5 on both hidden layers, 500 training points
(moons), Adam, full batch:

* batched: ``core.training.Run`` over one ``StackedMLP`` (what the sweeps use)
* loop: K ``nn.Sequential(Linear, ReLU, nn.Dropout, ...)`` with their own
  ``torch.optim.Adam``, stepped one after the other (default Adam, and fused Adam)

Like the app and the CLI, the process first fixes glibc's malloc thresholds
(``core/memory.py``: freed tensors are reused instead of faulted in afresh);
``--glibc-defaults`` measures without. Rounds of each engine alternate in the
same process, so machine noise hits all of them; the table shows medians. Then
the wall time of the whole digits CLI sweep (two threads, torch's default here).
Prints tables; asserts nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from statistics import median

import torch
import torch.nn.functional as F
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dropout_viz.core.data import DataConfig, make_dataset  # noqa: E402
from dropout_viz.core.memory import reuse_freed_memory  # noqa: E402
from dropout_viz.core.training import Run, TrainConfig  # noqa: E402

P = 0.5
DIGITS_SWEEP = [
    "sweep",
    *("--dataset", "digits", "--n-train", "300", "--hidden", "128"),
    *("--p", "0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8", "--seeds", "5", "--epochs", "300"),
]


def batched(k: int, hidden: int, data) -> Callable[[int], object]:
    config = TrainConfig(hidden=(hidden, hidden), activation="relu", eval_every=10_000)
    run = Run(data, config, drop_rates=[P] * k, seeds=range(k))
    run.step(5)  # warm up
    return run.step


def loop(k: int, hidden: int, data, fused: bool) -> Callable[[int], object]:
    x, y = data.x_train, data.y_train.float()
    models = [
        nn.Sequential(
            nn.Linear(data.in_features, hidden),
            nn.ReLU(),
            nn.Dropout(P),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Dropout(P),
            nn.Linear(hidden, 1),
        )
        for _ in range(k)
    ]
    optimizers = [torch.optim.Adam(m.parameters(), lr=0.01, fused=fused) for m in models]

    def step(n: int) -> None:
        for _ in range(n):
            for model, optimizer in zip(models, optimizers):
                loss = F.binary_cross_entropy_with_logits(model(x)[:, 0], y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()

    step(2)  # warm up
    return step


def model_steps_per_second(k: int, hidden: int, rounds: int) -> dict[str, list[float]]:
    """Per round, each engine's model-steps per second; the rounds interleave the engines."""
    data = make_dataset(DataConfig("moons", n_train=500))
    engines = {
        "batched": (batched(k, hidden, data), 40),
        "loop": (loop(k, hidden, data, fused=False), 3),
        "loop fused": (loop(k, hidden, data, fused=True), 3),
    }
    rates: dict[str, list[float]] = {name: [] for name in engines}
    for _ in range(rounds):
        for name, (step, steps) in engines.items():
            start = time.perf_counter()
            step(steps)
            rates[name].append(k * steps / (time.perf_counter() - start))
    return rates


def idle_share() -> tuple[int, int] | None:
    """(idle, total) CPU ticks so far, from Linux's /proc/stat; None elsewhere."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except (OSError, ValueError):
        return None
    return fields[3], sum(fields)


def cli_seconds() -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "dropout_viz", *DIGITS_SWEEP],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, one CLI run")
    parser.add_argument(
        "--glibc-defaults",
        action="store_true",
        help="leave malloc's thresholds as glibc sets them (the app and the CLI fix them)",
    )
    args = parser.parse_args()
    rounds = 5 if args.quick else 15

    torch.set_num_threads(1)
    if not args.glibc_defaults:  # as the app and the CLI run; applies to both engines
        reuse_freed_memory()
    print(f"malloc thresholds: {'glibc defaults' if args.glibc_defaults else 'fixed'}")
    before = idle_share()
    print(f"model-steps per second, single thread, {rounds} interleaved rounds")
    print("ratio: batched / loop within each round; median (lowest-highest) over rounds")
    header = f"{'case':<18}{'batched':>9}{'loop':>7}{'ratio':>19}{'loop fused':>12}{'ratio':>19}"
    print(header)
    print("-" * len(header))
    for k, hidden in [(24, 16), (80, 8)]:
        rates = model_steps_per_second(k, hidden, rounds)
        cells = [f"{k} x 2-{hidden}-{hidden}-1".ljust(18), f"{median(rates['batched']):>9.0f}"]
        for name, width in [("loop", 7), ("loop fused", 12)]:
            ratios = [b / lp for b, lp in zip(rates["batched"], rates[name])]
            spread = f"{median(ratios):.1f}x ({min(ratios):.1f}-{max(ratios):.1f})"
            cells += [f"{median(rates[name]):>{width}.0f}", f"{spread:>19}"]
        print("".join(cells))
    print("target: batched >= 8x the loop (K = 24, 2-16-16-1)")
    after = idle_share()
    if before and after:  # other work on the machine slows the batched engine most
        idle = (after[0] - before[0]) / max(after[1] - before[1], 1)
        print(f"machine idle during these rounds: {idle:.0%} (one busy core of two is 50%)")

    runs = 1 if args.quick else 2
    print(f"\nwall time of the digits CLI sweep (all threads), {runs} run(s):")
    print("  python -m dropout_viz " + " ".join(DIGITS_SWEEP))
    times = [cli_seconds() for _ in range(runs)]
    print("  " + ", ".join(f"{t:.1f} s" for t in times) + "   (target: under 15 s on 2 cores)")


if __name__ == "__main__":
    main()
