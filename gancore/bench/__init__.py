"""Comparisons on fixed benchmarks: variants × seeds, batched training, statistics over seeds.

- :mod:`~gancore.bench.benchmarks`: what a comparison holds fixed (``RING``, ``GRID``, ``mnist``).
- :mod:`~gancore.bench.compare`: ``Variant``, ``compare``, ``run``, ``build_trainer``, ``time_per_step``.
- :mod:`~gancore.bench.stats`: ``summarize``, ``bootstrap_ci``, ``paired_difference``.
- :mod:`~gancore.bench.pool`: the worker processes ``compare`` keeps between calls.
"""

from .benchmarks import GRID, RING, Benchmark, MNISTBenchmark, ToyBenchmark, mnist
from .compare import Variant, build_trainer, compare, run, time_per_step
from .pool import shutdown_workers
from .stats import Summary, bootstrap_ci, paired_difference, summarize

__all__ = [
    "Variant",
    "Benchmark",
    "ToyBenchmark",
    "MNISTBenchmark",
    "RING",
    "GRID",
    "mnist",
    "build_trainer",
    "run",
    "compare",
    "time_per_step",
    "Summary",
    "summarize",
    "bootstrap_ci",
    "paired_difference",
    "shutdown_workers",
]
