"""Throughput of batched runs: E seeds in one EnsembleTrainer against the same E runs one by one.

The protocol's players (MLP G and D, 2 hidden layers of 128), batch 256, the grid of 25, the
non-saturating loss, one torch thread. Both arms train the same runs (member e of the batch is
the plain run of seed e); each arm is timed over ``--steps`` steps after a short warm-up, in
alternating rounds, and the medians are compared. Usage:
python scripts/bench_ensemble.py [--members 8] [--steps 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from functools import partial

import torch

import gancore as gc
from gancore.bench.comparison import _build
from gancore.ensemble import EnsembleTrainer


def batched(variant: gc.bench.Variant, seeds: list[int], steps: int) -> float:
    bench = gc.bench.GRID
    config = dataclasses.replace(bench.config, steps=steps + 10)
    built = [_build(variant, bench, s) for s in seeds]
    ensemble = EnsembleTrainer([g for g, _ in built], variant.loss, config, seeds, [t for _, t in built])
    ensemble.fit(bench.data(), stop_at=10)  # warm-up
    start = time.perf_counter()
    ensemble.fit(bench.data())
    return time.perf_counter() - start


def sequential(variant: gc.bench.Variant, seeds: list[int], steps: int) -> float:
    total = 0.0
    for seed in seeds:
        trainer = gc.bench.build_trainer(variant, gc.bench.GRID, seed, steps=steps + 10)
        trainer.fit(gc.bench.GRID.data(), stop_at=10)
        start = time.perf_counter()
        trainer.fit(gc.bench.GRID.data())
        total += time.perf_counter() - start
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=8)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    seeds = list(range(args.members))
    variants = [
        gc.bench.Variant("baseline"),
        gc.bench.Variant("clip norm 1", techniques=[partial(gc.techniques.ClipGradNorm, max_norm=1.0)]),
    ]
    for variant in variants:
        times = {"batched": [], "sequential": []}
        for _ in range(args.rounds):
            times["batched"].append(batched(variant, seeds, args.steps))
            times["sequential"].append(sequential(variant, seeds, args.steps))
        b, s = statistics.median(times["batched"]), statistics.median(times["sequential"])
        member_steps = args.members * args.steps
        print(
            f"{variant.name}: E={args.members} batched {member_steps / b:.0f} run-steps/s "
            f"({1e3 * b / member_steps:.2f} ms per run-step), sequential {member_steps / s:.0f} run-steps/s "
            f"({1e3 * s / member_steps:.2f} ms); speed-up {s / b:.2f}x"
        )


if __name__ == "__main__":
    main()
