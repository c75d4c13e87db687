"""Multi-seed comparisons: train variants × seeds on one benchmark, batched, and tabulate their scores."""

from __future__ import annotations

import copy
import dataclasses
import random
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import torch
from tqdm.auto import tqdm

from ..checks import positive_int
from ..config import TrainConfig
from ..ensemble import EnsembleTrainer, NotBatchableError
from ..gan import GAN
from ..losses import GANLoss, nonsaturating
from ..techniques.base import Technique
from ..trainer import History, Trainer
from ..utils import seed_everything
from . import pool
from .benchmarks import Benchmark

__all__ = ["Variant", "build_trainer", "run", "compare"]


@dataclass(frozen=True)
class Variant:
    """One arm of a comparison: a loss, techniques and overrides of the benchmark's defaults.

    Args:
        name: The label of its rows in the results (unique within a comparison).
        loss: The loss pair, e.g. ``gc.losses.nonsaturating``.
        techniques: Technique instances, e.g. ``[gc.techniques.InstanceNoise(0.1)]``; every run
            trains a deep copy of them, so runs never share state. With ``workers > 1`` they
            must be picklable (gancore's are; a class defined in a notebook is not).
        g_kwargs: Keyword arguments overriding the benchmark's generator settings.
        d_kwargs: Keyword arguments overriding the benchmark's discriminator settings.
        overrides: ``TrainConfig`` fields overriding the benchmark's config, e.g. ``{"n_critic": 5}``.
    """

    name: str
    loss: GANLoss = nonsaturating
    techniques: Sequence[Technique] = ()
    g_kwargs: Mapping[str, Any] = field(default_factory=dict)
    d_kwargs: Mapping[str, Any] = field(default_factory=dict)
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"Variant.name must be a non-empty string, got {self.name!r}")
        if not isinstance(self.loss, GANLoss):
            raise TypeError(f"Variant.loss must be a gancore.losses.GANLoss, got {type(self.loss).__name__}")
        object.__setattr__(self, "techniques", tuple(self.techniques))
        for technique in self.techniques:
            if not isinstance(technique, Technique):
                raise TypeError(
                    "Variant.techniques must be Technique instances, e.g. gc.techniques.InstanceNoise(0.1), "
                    f"got {technique!r}"
                )
        names = {f.name for f in dataclasses.fields(TrainConfig)}
        unknown = sorted(set(self.overrides) - names)
        if unknown:
            raise ValueError(f"Variant.overrides has unknown TrainConfig fields {unknown}")

    def fresh_techniques(self) -> list[Technique]:
        """Deep copies of the techniques, for one run."""
        return copy.deepcopy(list(self.techniques))


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
    config = _config(variant, benchmark, seed, steps)
    gan, techniques = _build(variant, benchmark, seed)
    return Trainer(gan, variant.loss, config, techniques=techniques)


def _config(variant: Variant, benchmark: Benchmark, seed: int, steps: int | None) -> TrainConfig:
    overrides = {**variant.overrides, "seed": seed, "progress": False}
    if steps is not None:
        overrides["steps"] = steps
    return dataclasses.replace(benchmark.config, **overrides)


def _build(variant: Variant, benchmark: Benchmark, seed: int) -> tuple[GAN, list[Technique]]:
    """Seed, then build G, D and fresh techniques: the same objects for a plain or a batched run."""
    seed_everything(seed)
    G = benchmark.generator(**variant.g_kwargs)
    D = benchmark.discriminator(**variant.d_kwargs)
    latent_dim = getattr(G, "latent_dim", getattr(benchmark, "latent_dim", 0))
    gan = GAN(G, D, latent_dim=latent_dim, num_classes=getattr(G, "num_classes", None))  # conditional if G is
    return gan, variant.fresh_techniques()


def _checkpoints(steps: int, every: int | None) -> list[int]:
    """The steps at which a run is scored: every ``every`` steps and at the end."""
    if every is None or every >= steps:
        return [steps]
    return sorted({*range(every, steps, every), steps})


def _train(
    variant: Variant,
    benchmark: Benchmark,
    seeds: Sequence[int],
    steps: int | None,
    every: int | None,
    batch: bool,
) -> tuple[list[dict[str, Any]], list[GAN]]:
    """Train one variant on several seeds (batched when it can be) and score each checkpoint.

    Returns rows in seed-then-step order and the trained GANs (in eval mode), one per seed.
    """
    data = benchmark.data()
    config = _config(variant, benchmark, seeds[0], steps)
    built = [_build(variant, benchmark, seed) for seed in seeds]
    fits: list[Callable[[int], History]] = []
    if batch:
        try:
            ensemble = EnsembleTrainer(
                [gan for gan, _ in built], variant.loss, config, seeds, [ts for _, ts in built]
            )
            fits = [lambda k: ensemble.fit(data, stop_at=k)]
        except NotBatchableError:
            built = [_build(variant, benchmark, seed) for seed in seeds]  # setup may have wrapped them
    if not fits:
        trainers = [
            Trainer(gan, variant.loss, _config(variant, benchmark, seed, steps), ts)
            for (gan, ts), seed in zip(built, seeds, strict=True)
        ]
        fits = [lambda k, t=t: [t.fit(data, stop_at=k)] for t in trainers]  # type: ignore[misc]
    gans = [trainer_gan for trainer_gan, _ in built] if len(fits) == 1 else [t.gan for t in trainers]
    per_seed: list[list[dict[str, Any]]] = [[] for _ in seeds]
    seconds = 0.0
    for k in _checkpoints(config.steps, every):
        start = time.perf_counter()
        histories = [h for fit in fits for h in fit(k)]
        seconds += time.perf_counter() - start
        for i, (gan, seed, history) in enumerate(zip(gans, seeds, histories, strict=True)):
            tail = max(1, len(history) // 10)
            row: dict[str, Any] = {"variant": variant.name, "seed": seed, "step": k}
            row.update(benchmark.score(gan.eval(), data, seed))
            gan.train()
            row["seconds_per_step"] = seconds / (k * len(seeds))
            row["loss_d"] = float(history["loss_d"][-tail:].mean())
            row["loss_g"] = float(history["loss_g"][-tail:].mean())
            per_seed[i].append(row)
    return [row for rows in per_seed for row in rows], [gan.eval() for gan in gans]


def run(
    variant: Variant, benchmark: Benchmark, seed: int, steps: int | None = None, batch: bool = False
) -> dict[str, Any]:
    """Train and score one run; returns one row of :func:`compare`'s table (scalars only).

    Besides the benchmark's metrics the row holds ``step``, ``seconds_per_step`` (wall time of
    training over its steps) and ``loss_d``, ``loss_g``: their means over the last 10% of the
    steps. Generators are scored in eval mode. Like every run of :func:`compare`, it uses one
    torch thread, so its numbers do not depend on the machine's core count.

    Args:
        variant: What to train.
        benchmark: The fixed setting.
        seed: The run's seed.
        steps: Generator steps; ``None`` keeps the benchmark's budget.
        batch: Train through :class:`~gancore.ensemble.EnsembleTrainer` (the arithmetic of
            :func:`compare`'s batched runs, bit for bit) instead of the plain ``Trainer``.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the arithmetic of compare(), whose runs use one thread each
    try:
        rows, _ = _train(variant, benchmark, [seed], steps, None, batch)
    finally:
        torch.set_num_threads(threads)
    return rows[-1]


def _batchable(variant: Variant, benchmark: Benchmark, seed: int, steps: int | None) -> bool:
    """Whether the seeds of ``variant`` can train as one batch (builds one run's models, trains nothing).

    Leaves every random generator as it found it: building the models seeds them.
    """
    states = random.getstate(), np.random.get_state()
    try:
        with torch.random.fork_rng(devices=[]):
            gan, techniques = _build(variant, benchmark, seed)
            EnsembleTrainer(
                [gan], variant.loss, _config(variant, benchmark, seed, steps), [seed], [techniques]
            )
    except NotBatchableError:
        return False
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])
    return True


def _split(seeds: list[int], chunks: int) -> list[list[int]]:
    size = -(-len(seeds) // chunks)
    return [seeds[i : i + size] for i in range(0, len(seeds), size)]


def compare(
    variants: Sequence[Variant],
    benchmark: Benchmark,
    seeds: Sequence[int] = (0, 1, 2),
    steps: int | None = None,
    workers: int = 1,
    progress: bool = True,
    every: int | None = None,
    keep: bool = False,
    batch: bool = True,
) -> pd.DataFrame | tuple[pd.DataFrame, dict[tuple[str, int], GAN]]:
    """Train every variant with every seed under the same data, models and budget.

    The seeds of one variant train together as one :class:`~gancore.ensemble.EnsembleTrainer`
    (one process, member axis first) when the variant allows it, else one after the other;
    either way the numbers of a run depend only on ``(variant, benchmark, seed, steps)``, not on
    ``workers``, on batching groups or on which other seeds are in the comparison.

    Args:
        variants: The arms of the comparison (unique names).
        benchmark: The fixed setting, e.g. ``gc.bench.RING`` or ``gc.bench.mnist()``.
        seeds: One run per seed and variant.
        steps: Generator steps per run; ``None`` keeps the benchmark's budget.
        workers: Parallel worker processes (``spawn``ed; each imports torch, a few seconds,
            once: the workers are kept for later calls until :func:`shutdown_workers`).
            Every run uses one torch thread, in workers and in serial runs alike. With
            ``workers > 1`` everything in the variants must be picklable and importable: not
            lambdas, local functions or classes defined in a notebook (a ``TypeError`` says so
            before any run starts).
        progress: Show one progress bar over the jobs.
        every: Also score every run each ``every`` steps (rows with smaller ``step``).
        keep: Also return the trained GANs, keyed by ``(variant name, seed)``, in eval mode.
        batch: Batch the seeds of a variant (``False``: always the plain ``Trainer``).

    Returns:
        A tidy ``pandas.DataFrame`` with one row per run and checkpoint, in variant, seed, then
        step order, and the columns ``variant``, ``seed``, ``step``, the benchmark's metrics,
        ``seconds_per_step`` (training time per run and step, amortized over a batch),
        ``loss_d`` and ``loss_g``. With ``keep=True``, the pair ``(table, gans)``.
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
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct, got {seeds}")
    for name, value in (("steps", steps), ("every", every)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ValueError(f"{name} must be a positive int or None, got {value!r}")
    positive_int("workers", workers)
    chunks = min(len(seeds), -(-workers // len(variants)))  # enough jobs to keep every worker busy
    jobs = []
    for v in variants:  # a batch per variant; one job per seed where nothing would be batched
        per_variant = chunks if batch and _batchable(v, benchmark, seeds[0], steps) else len(seeds)
        jobs += [(v, benchmark, chunk, steps, every, batch) for chunk in _split(seeds, per_variant)]
    results: list[tuple[list[dict[str, Any]], list[GAN]]] = [([], []) for _ in jobs]
    with tqdm(total=len(jobs), desc=f"{benchmark.name}: jobs", disable=not progress) as bar:
        if workers == 1:
            threads = torch.get_num_threads()
            torch.set_num_threads(1)  # the same arithmetic as in a worker
            try:
                for i, job in enumerate(jobs):
                    results[i] = _train(*job)
                    bar.update(1)
            finally:
                torch.set_num_threads(threads)
        else:
            pool.check_picklable(variants, benchmark)
            executor = pool.get_pool(workers)
            futures = {executor.submit(_train, *job): i for i, job in enumerate(jobs)}
            try:
                for future in as_completed(futures):
                    results[futures[future]] = future.result()
                    bar.update(1)
            except BrokenProcessPool:  # a worker died: start afresh next time
                pool.shutdown_workers()
                raise
            except Exception:  # a failed run: drop the queued runs, keep the workers
                for future in futures:
                    future.cancel()
                raise
            except BaseException:  # an interrupt: stop the workers too
                pool.kill_workers()
                raise
    table = pd.DataFrame([row for rows, _ in results for row in rows])
    if not keep:
        return table
    gans = {(job[0].name, seed): gan for job, (_, trained) in zip(jobs, results, strict=True)
            for seed, gan in zip(job[2], trained, strict=True)}  # fmt: skip
    return table, gans
