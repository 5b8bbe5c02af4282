"""Two of the core's speed choices against their public alternatives, in the same run.

    .venv/bin/python benchmarks/bench_core_choices.py            # ~2 minutes
    .venv/bin/python benchmarks/bench_core_choices.py --quick    # fewer rounds

1. The optimizer: ``core/optimizers.py`` calls ATen's fused Adam/SGD kernels on the flat
   parameter directly; the alternatives are ``torch.optim.Adam(fused=True)`` and
   ``torch.optim.Adam(foreach=True)`` on the same tensor. Timed as one optimizer step,
   and as a whole Playground twin step and a 24-model sweep step around it.
2. glibc's malloc: ``core/memory.py`` fixes its thresholds with ``mallopt`` (ctypes); the
   alternative is glibc's ``MALLOC_MMAP_THRESHOLD_``/``MALLOC_TRIM_THRESHOLD_`` set where
   the process starts. Each variant runs in a fresh child process (the setting is per
   process), timing the same 24-model sweep step.

Single thread, as the app runs. Rounds of the variants alternate; medians. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": str(32 * 2**20), "MALLOC_TRIM_THRESHOLD_": str(256 * 2**20)}


def _public_adam(run, **kind):
    import torch

    c = run.config
    return torch.optim.Adam([run.model.flat], lr=c.learning_rate, weight_decay=0.0, **kind)


def _runs():
    from dropout_viz.core.data import DataConfig, make_dataset
    from dropout_viz.core.training import Run, TrainConfig, Twin

    twin_data = make_dataset(DataConfig("moons", n_train=60, n_test=240, noise=0.3))
    twin = Twin(twin_data, TrainConfig(hidden=(32, 32), drop_rate=0.5, eval_every=30))
    sweep_data = make_dataset(DataConfig("moons", n_train=500, n_test=200))
    config = TrainConfig(hidden=(16, 16), activation="relu", eval_every=10_000)
    sweep = Run(sweep_data, config, drop_rates=[0.5] * 24, seeds=range(24))
    return {"twin step": twin, "24-model step": sweep}


def _time(fn, n: int) -> float:
    started = time.perf_counter()
    fn(n)
    return (time.perf_counter() - started) / n * 1e6  # µs per call


def optimizers(rounds: int) -> list[tuple[str, str, float, float]]:
    rows = []
    for name, run in _runs().items():
        run.step(20)  # warm up; flat.grad exists from here on
        variants = {
            "ATen kernel (FlatAdam)": run.optimizer,
            "torch.optim.Adam(fused=True)": _public_adam(run, fused=True),
            "torch.optim.Adam(foreach=True)": _public_adam(run, foreach=True),
        }
        opt_only, whole = {v: [] for v in variants}, {v: [] for v in variants}
        for _ in range(rounds):
            for label, optimizer in variants.items():
                optimizer.step()  # warm this one's state

                def steps(n, optimizer=optimizer):
                    for _ in range(n):
                        optimizer.step()

                opt_only[label].append(_time(steps, 200))
                run.optimizer = optimizer
                whole[label].append(_time(run.step, 60))
        base_opt = median(opt_only["ATen kernel (FlatAdam)"])
        base_whole = median(whole["ATen kernel (FlatAdam)"])
        for label in variants:
            rows.append((name, label, median(opt_only[label]), median(whole[label])))
        rows.append((name, "(baseline)", base_opt, base_whole))
    return rows


def _child_malloc(mode: str, rounds: int) -> float:
    """In a child process: µs of a 24-model sweep step under one malloc setting, the
    fastest of its rounds (the least disturbed by whatever else the machine runs)."""
    if mode == "ctypes":
        from dropout_viz.core.memory import reuse_freed_memory

        reuse_freed_memory()
    run = _runs()["24-model step"]
    run.step(20)
    return min(_time(run.step, 40) for _ in range(rounds))


def malloc(rounds: int, processes: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {"glibc defaults": [], "mallopt (ctypes)": [], "env": []}
    modes = {
        "glibc defaults": ("none", {}),
        "mallopt (ctypes)": ("ctypes", {}),
        "env": ("env", MALLOC_ENV),
    }
    for _ in range(processes):  # alternate the processes too
        for label, (mode, extra) in modes.items():
            env = {**os.environ, "OMP_NUM_THREADS": "1", **extra}
            out = subprocess.run(
                [sys.executable, __file__, "--child", mode, "--rounds", str(rounds)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            results[label].append(json.loads(out.stdout.strip().splitlines()[-1]))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--processes", type=int, default=3, help="per malloc variant")
    parser.add_argument("--quick", action="store_true", help="5 rounds, 2 processes")
    parser.add_argument("--only", choices=("optimizer", "malloc"))
    parser.add_argument("--child", choices=("none", "ctypes", "env"))
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.processes = 5, 2
    import torch

    torch.set_num_threads(1)
    if args.child:
        print(json.dumps(_child_malloc(args.child, args.rounds)))
        return 0
    if args.only != "malloc":
        print("optimizer: median µs per optimizer step / per training step (incl. it)")
        rows = optimizers(args.rounds)
        for name, label, opt, whole in rows:
            if label == "(baseline)":
                continue
            base = next(r for r in rows if r[0] == name and r[1] == "(baseline)")
            print(
                f"  {name:14} {label:32} {opt:8.1f} µs ({opt / base[2]:4.2f}x)"
                f"  {whole:8.1f} µs ({whole / base[3]:4.2f}x)"
            )
    if args.only == "optimizer":
        return 0
    print(f"malloc: µs per 24-model step, median of {args.processes} processes' fastest rounds")
    results = malloc(max(3, args.rounds // 3), args.processes)
    base = median(results["mallopt (ctypes)"])
    for label, values in results.items():
        m = median(values)
        runs = ", ".join(f"{v:.0f}" for v in values)
        print(f"  {label:20} {m:8.1f} µs ({m / base:4.2f}x)  runs: {runs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
