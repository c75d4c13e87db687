"""Multi-seed comparisons: train variants × seeds on one benchmark and tabulate their scores."""

from __future__ import annotations

import atexit
import dataclasses
import multiprocessing
import pickle
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import torch
from tqdm.auto import tqdm

from .benchmarks import GRID, RING, Benchmark, MNISTBenchmark, ToyBenchmark, mnist
from .config import TrainConfig
from .gan import GAN
from .losses import GANLoss, nonsaturating
from .techniques.base import Technique
from .trainer import Trainer
from .utils import seed_everything

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
    "Summary",
    "summarize",
    "shutdown_workers",
]

TechniqueFactory = Callable[[], Technique]


@dataclass(frozen=True)
class Variant:
    """One arm of a comparison: a loss, techniques and overrides of the benchmark's defaults.

    Args:
        name: The label of its rows in the results (unique within a comparison).
        loss: The loss pair, e.g. ``gc.losses.nonsaturating``.
        techniques: Technique *factories*, called once per run so every run gets fresh
            state: a class (``gc.techniques.ClipWeights``), a ``functools.partial``
            (``partial(gc.techniques.InstanceNoise, std=0.1)``) or a module-level function.
            With ``workers > 1`` they must be picklable, so not lambdas or local functions.
        g_kwargs: Keyword arguments overriding the benchmark's generator settings.
        d_kwargs: Keyword arguments overriding the benchmark's discriminator settings.
        config: ``TrainConfig`` fields overriding the benchmark's config, e.g. ``{"n_critic": 5}``.
    """

    name: str
    loss: GANLoss = nonsaturating
    techniques: Sequence[TechniqueFactory] = ()
    g_kwargs: Mapping[str, Any] = field(default_factory=dict)
    d_kwargs: Mapping[str, Any] = field(default_factory=dict)
    config: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"Variant.name must be a non-empty string, got {self.name!r}")
        if not isinstance(self.loss, GANLoss):
            raise TypeError(f"Variant.loss must be a gancore.losses.GANLoss, got {type(self.loss).__name__}")
        object.__setattr__(self, "techniques", tuple(self.techniques))
        for factory in self.techniques:
            if isinstance(factory, Technique) or not callable(factory):
                raise TypeError(
                    f"Variant.techniques must be factories returning a Technique (a class or a "
                    f"functools.partial), got {factory!r}; e.g. partial(gc.techniques.InstanceNoise, std=0.1)"
                )
        names = {f.name for f in dataclasses.fields(TrainConfig)}
        unknown = sorted(set(self.config) - names)
        if unknown:
            raise ValueError(f"Variant.config has unknown TrainConfig fields {unknown}")


def build_trainer(variant: Variant, benchmark: Benchmark, seed: int, steps: int | None = None) -> Trainer:
    """The trainer that :func:`compare` uses for one run (to train and inspect it yourself).

    Seeds every generator with ``seed`` before building G, D and the techniques, so a run is
    a deterministic function of ``(variant, benchmark, seed, steps)`` on CPU.

    Args:
        variant: What to train.
        benchmark: The fixed setting.
        seed: The run's seed (also ``TrainConfig.seed``).
        steps: Generator steps; ``None`` keeps the benchmark's budget.
    """
    if not isinstance(variant, Variant):
        raise TypeError(f"variant must be a gancore.bench.Variant, got {type(variant).__name__}")
    if not isinstance(benchmark, Benchmark):
        raise TypeError(f"benchmark must be a gancore.bench.Benchmark, got {type(benchmark).__name__}")
    overrides = {**variant.config, "seed": seed, "progress": False}
    if steps is not None:
        overrides["steps"] = steps
    config = dataclasses.replace(benchmark.config, **overrides)
    seed_everything(seed)
    G = benchmark.generator(**variant.g_kwargs)
    D = benchmark.discriminator(**variant.d_kwargs)
    gan = GAN(G, D, latent_dim=getattr(G, "latent_dim", getattr(benchmark, "latent_dim", 0)))
    return Trainer(gan, variant.loss, config, techniques=[make() for make in variant.techniques])


def run(variant: Variant, benchmark: Benchmark, seed: int, steps: int | None = None) -> dict[str, Any]:
    """Train and score one run; returns one row of :func:`compare`'s table (scalars only).

    Besides the benchmark's metrics the row holds ``seconds_per_step`` (wall time of ``fit``
    over its steps) and ``loss_d``, ``loss_g``: their means over the last 10% of the steps.
    """
    data = benchmark.data()
    trainer = build_trainer(variant, benchmark, seed, steps)
    start = time.perf_counter()
    history = trainer.fit(data)
    seconds = time.perf_counter() - start
    tail = max(1, len(history) // 10)
    row: dict[str, Any] = {"variant": variant.name, "seed": seed}
    row.update(benchmark.score(trainer.gan, data, seed))
    row["seconds_per_step"] = seconds / trainer.config.steps
    row["loss_d"] = float(history["loss_d"][-tail:].mean())
    row["loss_g"] = float(history["loss_g"][-tail:].mean())
    return row


def _init_worker() -> None:
    torch.set_num_threads(1)  # two workers on two cores: no oversubscription
    # Jupyter interrupts and shuts kernels down by signalling the whole process group; the
    # parent decides what happens to its workers (see compare), so they ignore Ctrl-C.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# One pool of spawned workers, kept between calls of ``compare``: starting a worker imports
# torch (seconds), and a chapter compares several times. Runs do not depend on what a worker
# ran before (``build_trainer`` seeds everything), so reusing workers changes no number.
_POOL: ProcessPoolExecutor | None = None
_POOL_SIZE = 0


def _pool(workers: int) -> ProcessPoolExecutor:
    """The shared pool with ``workers`` processes, (re)started when missing, resized or broken."""
    global _POOL, _POOL_SIZE
    if _POOL is None or _POOL_SIZE != workers or getattr(_POOL, "_broken", False):
        shutdown_workers()
        context = multiprocessing.get_context("spawn")
        _POOL = ProcessPoolExecutor(workers, context, initializer=_init_worker)
        _POOL_SIZE = workers
    return _POOL


def shutdown_workers() -> None:
    """Stop the worker processes that :func:`compare` keeps between calls (also done at exit)."""
    global _POOL, _POOL_SIZE
    if _POOL is not None:
        _POOL.shutdown(wait=True, cancel_futures=True)
    _POOL, _POOL_SIZE = None, 0


def _kill_workers() -> None:
    """After an interrupt: end the running runs now instead of waiting for them."""
    global _POOL, _POOL_SIZE
    if _POOL is not None:
        # ``_processes`` is private, but the executor has no public way to stop running work.
        for process in list((getattr(_POOL, "_processes", None) or {}).values()):
            process.terminate()
        _POOL.shutdown(wait=False, cancel_futures=True)
    _POOL, _POOL_SIZE = None, 0


atexit.register(shutdown_workers)


def _check_picklable(variants: Sequence[Variant], benchmark: Benchmark) -> None:
    hint = (
        "with workers > 1 technique factories, losses and benchmarks must be picklable and importable: "
        "classes, functools.partial or top-level functions of an importable module, not lambdas, "
        "local functions or anything defined in a notebook (use workers=1 for those)"
    )
    interactive = not hasattr(sys.modules["__main__"], "__file__")  # a notebook or a REPL
    for v in variants:
        objects = [*v.techniques, v.loss]
        if interactive and any(_main_module(o) for o in objects):
            raise TypeError(f"variant {v.name!r} uses something defined in this notebook; {hint}")
    if interactive and _main_module(benchmark):
        raise TypeError(f"the benchmark is defined in this notebook; {hint}")
    for obj, what in [(v, f"variant {v.name!r}") for v in variants] + [(benchmark, "the benchmark")]:
        try:
            pickle.dumps(obj)
        except Exception as error:  # lambdas and local functions fail with several types
            raise TypeError(f"{what} cannot be sent to worker processes ({error}); {hint}") from error


def _main_module(obj: Any) -> bool:
    """Whether ``obj`` (a class, a function, a partial or an instance) comes from ``__main__``."""
    obj = getattr(obj, "func", obj)  # functools.partial
    owner = obj if hasattr(obj, "__qualname__") else type(obj)  # classes and functions, else instances
    return getattr(owner, "__module__", None) == "__main__"


def compare(
    variants: Sequence[Variant],
    benchmark: Benchmark,
    seeds: Sequence[int] = (0, 1, 2),
    steps: int | None = None,
    workers: int = 1,
    progress: bool = True,
) -> pd.DataFrame:
    """Train every variant with every seed under the same data, models and budget.

    Args:
        variants: The arms of the comparison (unique names).
        benchmark: The fixed setting, e.g. ``gc.bench.RING`` or ``gc.bench.mnist()``.
        seeds: One run per seed and variant.
        steps: Generator steps per run; ``None`` keeps the benchmark's budget.
        workers: Parallel worker processes (``spawn``ed; each imports torch, a few seconds,
            once: the workers are kept for later calls until :func:`shutdown_workers`).
            Every run uses one torch thread, in workers and in serial runs alike, so its
            numbers do not depend on ``workers``. With ``workers > 1`` everything in the
            variants must be picklable and importable: not lambdas, local functions or
            classes defined in a notebook (a ``TypeError`` says so before any run starts).
        progress: Show one progress bar over the runs.

    Returns:
        A tidy ``pandas.DataFrame`` with one row per run, in variant then seed order, and the
        columns ``variant``, ``seed``, the benchmark's metrics, ``seconds_per_step``,
        ``loss_d`` and ``loss_g``.
    """
    variants = list(variants)
    if not variants or not all(isinstance(v, Variant) for v in variants):
        raise TypeError("variants must be a non-empty sequence of gancore.bench.Variant")
    names = [v.name for v in variants]
    if len(set(names)) != len(names):
        raise ValueError(f"variant names must be unique, got {names}")
    if not isinstance(benchmark, Benchmark):
        raise TypeError(f"benchmark must be a gancore.bench.Benchmark, got {type(benchmark).__name__}")
    seeds = list(seeds)
    if not seeds or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds):
        raise ValueError(f"seeds must be a non-empty sequence of non-negative ints, got {seeds!r}")
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int) or steps < 1):
        raise ValueError(f"steps must be a positive int or None, got {steps!r}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive int, got {workers!r}")
    jobs = [(v, benchmark, seed, steps) for v in variants for seed in seeds]
    bar = tqdm(total=len(jobs), desc=f"{benchmark.name}: runs", disable=not progress)
    rows: list[dict[str, Any]] = [{} for _ in jobs]
    with bar:
        if workers == 1:
            threads = torch.get_num_threads()
            torch.set_num_threads(1)  # the same arithmetic as in a worker
            try:
                for i, job in enumerate(jobs):
                    rows[i] = run(*job)
                    bar.update(1)
            finally:
                torch.set_num_threads(threads)
        else:
            _check_picklable(variants, benchmark)
            pool = _pool(workers)
            futures = {pool.submit(run, *job): i for i, job in enumerate(jobs)}
            try:
                for future in as_completed(futures):
                    rows[futures[future]] = future.result()
                    bar.update(1)
            except BrokenProcessPool:  # a worker died: start afresh next time
                shutdown_workers()
                raise
            except Exception:  # a failed run: drop the queued runs, keep the workers
                for future in futures:
                    future.cancel()
                raise
            except BaseException:  # an interrupt: stop the workers too
                _kill_workers()
                raise
    return pd.DataFrame(rows)


_DIGITS = {"modes": 1, "hq": 3, "kl": 2, "fd": 1, "class_kl": 2, "seconds_per_step": 4}  # else 3


@dataclass(frozen=True)
class Summary:
    """Mean and standard deviation over seeds, one row per variant (in the variants' order).

    Attributes:
        mean: Numeric means, indexed by variant.
        sd: Sample standard deviations (``ddof=1``; ``nan`` with one seed).
        table: Display-ready strings ``"mean ± sd"``; a notebook shows this table.
    """

    mean: pd.DataFrame
    sd: pd.DataFrame
    table: pd.DataFrame

    def _repr_html_(self) -> str:
        return self.table._repr_html_()

    def __str__(self) -> str:
        return self.table.to_string()


def summarize(df: pd.DataFrame, columns: Sequence[str] | None = None) -> Summary:
    """Aggregate :func:`compare`'s table over seeds.

    Args:
        df: One row per run with a ``variant`` column.
        columns: Numeric columns to aggregate; ``None`` takes all but ``seed``.

    Returns:
        A :class:`Summary`.
    """
    if not isinstance(df, pd.DataFrame) or "variant" not in df.columns:
        raise TypeError("df must be a DataFrame with a 'variant' column, as compare() returns")
    if columns is None:
        columns = [c for c in df.select_dtypes("number").columns if c != "seed"]
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"columns {missing} are not in df (it has {list(df.columns)})")
    groups = df.groupby("variant", sort=False)[list(columns)]
    mean, sd = groups.mean(), groups.std(ddof=1)
    table = pd.DataFrame(index=mean.index, columns=mean.columns, dtype=object)
    for c in mean.columns:
        d = _DIGITS.get(c, 3)
        table[c] = [f"{m:.{d}f} ± {s:.{d}f}" for m, s in zip(mean[c], sd[c], strict=True)]
    return Summary(mean, sd, table)
