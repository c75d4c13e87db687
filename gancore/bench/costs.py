"""What a technique costs: CPU seconds per step of plain single runs, timed on one thread."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import pandas as pd
import torch

from ..checks import positive_int
from .benchmarks import Benchmark
from .comparison import Variant, build_trainer

__all__ = ["time_per_step", "step_costs", "time_call"]


@contextmanager
def _one_thread() -> Iterator[None]:
    """Run the block with torch on one intra-op thread, then restore the caller's setting."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def time_per_step(
    variant: Variant, benchmark: Benchmark, steps: int = 60, warmup: int = 10, seed: int = 0
) -> float:
    """CPU seconds per generator step of one plain ``Trainer`` run, on one thread (best of 3 blocks).

    This is the cost of a technique as a reader would pay it; :func:`~gancore.bench.compare`'s
    ``seconds_per_step`` is amortized over a batch and over a shared machine. The clock is the
    process's CPU time (``time.process_time``), not wall-clock time: on a busy machine the
    wall clock also counts the time the process waits for a core, which is as large as the
    step itself, while CPU time grows only through shared caches. On an idle machine the two
    agree. The fastest of three blocks is the one least disturbed by other work.

    Args:
        variant: What to time.
        benchmark: The setting (models, data, batch size).
        steps: Timed steps, in three equal blocks after the warm-up.
        warmup: Untimed steps first (allocations, caches).
        seed: The run's seed.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 3:
        raise ValueError(f"steps must be an int >= 3, got {steps!r}")
    block = steps // 3
    trainer = build_trainer(variant, benchmark, seed, steps=warmup + 3 * block)
    data = benchmark.data()
    with _one_thread():
        trainer.fit(data, stop_at=warmup)
        times = []
        for b in range(1, 4):
            start = time.process_time()
            trainer.fit(data, stop_at=warmup + b * block)
            times.append((time.process_time() - start) / block)
    return min(times)


def step_costs(
    variants: Sequence[Variant], benchmark: Benchmark, rounds: int = 3, steps: int = 60, seed: int = 0
) -> pd.Series:
    """:func:`time_per_step` (CPU seconds) of several variants, in interleaved rounds (fastest round each).

    Interleaving spreads any slow period of the machine over every variant instead of charging
    it to whichever was being timed, so ratios between variants are what to read.

    Args:
        variants: What to time (unique names).
        benchmark: The setting.
        rounds: Rounds over all variants.
        steps: Timed steps per variant and round.
        seed: The runs' seed.

    Returns:
        CPU seconds per step, indexed by variant name, in the variants' order.
    """
    positive_int("rounds", rounds)
    names = [v.name for v in variants]
    if not names or len(set(names)) != len(names):
        raise ValueError(f"variants must be a non-empty sequence with unique names, got {names}")
    measured = [
        {v.name: time_per_step(v, benchmark, steps=steps, seed=seed) for v in variants} for _ in range(rounds)
    ]
    return pd.DataFrame(measured).min().rename("seconds per step")


def time_call(fn: Callable[[], object], calls: int = 50, blocks: int = 5) -> float:
    """CPU seconds per call of ``fn()`` on one thread: the fastest of ``blocks`` blocks of ``calls``.

    The clock is the process's CPU time, as in :func:`time_per_step`, so other work on a busy
    machine does not count; use it to compare parts of a step (a loss, a wrapper's forward pass).

    Args:
        fn: What to time, called without arguments.
        calls: Calls per block.
        blocks: Blocks; the fastest counts.
    """
    positive_int("calls", calls)
    positive_int("blocks", blocks)
    times = []
    with _one_thread():
        for _ in range(blocks):
            start = time.process_time()
            for _ in range(calls):
                fn()
            times.append((time.process_time() - start) / calls)
    return min(times)
