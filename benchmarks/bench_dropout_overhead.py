"""What does recording the masks cost? Our Dropout vs torch.nn.Dropout in a training step.

    .venv/bin/python benchmarks/bench_dropout_overhead.py            # ~1 minute
    .venv/bin/python benchmarks/bench_dropout_overhead.py --quick

The same ``core.models.MLP`` twice: once with our recording ``Dropout`` (the
default), once with every dropout layer swapped for ``torch.nn.Dropout``. Each
training step is forward, loss, backward and an Adam step on one batch. Rounds
of the two alternate in the same process (single thread), so machine noise hits
both; the table shows median time per step and the ratio ours / torch. Prints a
table; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dropout_viz.core.models import MLP  # noqa: E402

P = 0.3
CASES = [  # (batch, hidden): the Playground's default, the sweep benchmark's, a wide one
    (60, (32, 32)),
    (500, (16, 16)),
    (256, (128, 128)),
]


def trainer(batch: int, hidden: tuple[int, ...], ours: bool) -> Callable[[int], None]:
    torch.manual_seed(0)
    model = MLP(2, hidden, 1, drop_rates=P, activation="relu")
    if not ours:
        model.input_dropout = nn.Dropout(0.0)
        model.dropouts = nn.ModuleList(nn.Dropout(P) for _ in hidden)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    x, y = torch.randn(batch, 2), (torch.rand(batch) > 0.5).float()

    def step(n: int) -> None:
        for _ in range(n):
            loss = F.binary_cross_entropy_with_logits(model(x)[:, 0], y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    step(5)  # warm up
    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args()
    rounds, steps = (5, 100) if args.quick else (15, 200)

    torch.set_num_threads(1)
    print(f"µs per training step, single thread, median of {rounds} rounds of {steps} steps")
    header = f"{'batch':>6}  {'hidden':<10}{'torch':>9}{'ours':>9}{'ratio':>8}"
    print(header)
    print("-" * len(header))
    for batch, hidden in CASES:
        engines = {"torch": trainer(batch, hidden, False), "ours": trainer(batch, hidden, True)}
        times: dict[str, list[float]] = {name: [] for name in engines}
        for _ in range(rounds):
            for name, step in engines.items():
                start = time.perf_counter()
                step(steps)
                times[name].append((time.perf_counter() - start) / steps * 1e6)
        torch_us, ours_us = (statistics.median(times[name]) for name in ("torch", "ours"))
        width = ",".join(map(str, hidden))
        print(f"{batch:>6}  {width:<10}{torch_us:>9.0f}{ours_us:>9.0f}{ours_us / torch_us:>7.2f}x")
    print("target: ours <= 1.10x torch")


if __name__ == "__main__":
    main()
