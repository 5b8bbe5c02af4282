"""What does the boundary length cost a Playground screen update?

    .venv/bin/python benchmarks/bench_boundary.py

Every screen update predicts both twins on the 40×40 grid (``twin.predict``) and
then measures both boundaries (``core.boundary.boundary_length``). This times the
two on the default scene, alternating rounds in one process (single thread), and
prints the median time of each and the ratio length / prediction. Asserts nothing.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dropout_viz.core.boundary import boundary_length  # noqa: E402
from dropout_viz.state.twin_session import PlaygroundSettings, TwinSession  # noqa: E402

ROUNDS, CALLS = 15, 200


def median_us(function) -> float:
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(CALLS):
            function()
        times.append((time.perf_counter() - start) / CALLS * 1e6)
    return statistics.median(times)


def main() -> None:
    torch.set_num_threads(1)
    session = TwinSession(PlaygroundSettings())
    session.step(600)  # a boundary with some shape to it
    prediction = session.twin.predict(session.view_inputs).numpy()  # (2, 1600)
    predict = median_us(lambda: session.twin.predict(session.view_inputs))
    length = median_us(lambda: boundary_length(prediction, session.extent))
    print(f"{'what':<40}{'median µs':>12}")
    print(f"{'twin.predict on the 40x40 grid':<40}{predict:>12.1f}")
    print(f"{'boundary_length of both twins':<40}{length:>12.1f}")
    print(f"{'ratio length / predict':<40}{length / predict:>12.2f}")


if __name__ == "__main__":
    main()
