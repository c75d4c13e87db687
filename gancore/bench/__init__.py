"""Comparisons on fixed benchmarks: variants × seeds, batched training, statistics over seeds.

- :mod:`~gancore.bench.benchmarks`: what a comparison holds fixed (``RING``, ``GRID``, ``mnist``,
  ``stacked_mnist``).
- :mod:`~gancore.bench.comparison`: ``Variant``, ``compare``, ``run``, ``build_trainer``.
- :mod:`~gancore.bench.costs`: ``time_per_step``, ``step_costs``, ``time_call``.
- :mod:`~gancore.bench.stats`: ``summarize``, ``bootstrap_ci``, ``paired_difference``, ``effects``.
- ``gancore.bench.pool``: the worker processes ``compare`` keeps between calls.
"""

from . import comparison, costs, pool, stats
from .benchmarks import (
    GRID,
    RING,
    Benchmark,
    MNISTBenchmark,
    StackedMNISTBenchmark,
    ToyBenchmark,
    mnist,
    stacked_mnist,
)
from .comparison import Variant, build_trainer, compare, run
from .costs import step_costs, time_call, time_per_step
from .pool import shutdown_workers
from .stats import (
    Summary,
    bootstrap_ci,
    effects,
    format_effects,
    last_checkpoint,
    paired_difference,
    summarize,
)

__all__ = [
    "comparison",
    "costs",
    "pool",
    "stats",
    "Variant",
    "Benchmark",
    "ToyBenchmark",
    "MNISTBenchmark",
    "StackedMNISTBenchmark",
    "stacked_mnist",
    "RING",
    "GRID",
    "mnist",
    "build_trainer",
    "run",
    "compare",
    "time_per_step",
    "step_costs",
    "time_call",
    "Summary",
    "summarize",
    "bootstrap_ci",
    "paired_difference",
    "effects",
    "format_effects",
    "last_checkpoint",
    "shutdown_workers",
]
