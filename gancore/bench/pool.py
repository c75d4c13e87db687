"""The worker processes that `compare` spreads runs over, kept alive between calls."""

from __future__ import annotations

import atexit
import multiprocessing
import pickle
import signal
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import torch

__all__ = ["get_pool", "shutdown_workers", "kill_workers", "check_picklable"]


def _init_worker() -> None:
    torch.set_num_threads(1)  # two workers on two cores: no oversubscription
    # Jupyter interrupts and shuts kernels down by signalling the whole process group; the
    # parent decides what happens to its workers (see compare), so they ignore Ctrl-C.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# One pool of spawned workers, kept between calls of ``compare``: starting a worker imports
# torch (seconds), and a chapter compares several times. Runs do not depend on what a worker
# ran before (every run seeds everything), so reusing workers changes no number.
_POOL: ProcessPoolExecutor | None = None
_POOL_SIZE = 0
_ATEXIT = False


def get_pool(workers: int) -> ProcessPoolExecutor:
    """The shared pool with ``workers`` processes, (re)started when missing, resized or broken."""
    global _POOL, _POOL_SIZE, _ATEXIT
    if _POOL is None or _POOL_SIZE != workers or getattr(_POOL, "_broken", False):
        shutdown_workers()
        context = multiprocessing.get_context("spawn")
        _POOL = ProcessPoolExecutor(workers, context, initializer=_init_worker)
        _POOL_SIZE = workers
        if not _ATEXIT:  # registered on first use, not at import
            atexit.register(shutdown_workers)
            _ATEXIT = True
    return _POOL


def shutdown_workers() -> None:
    """Stop the worker processes that :func:`~gancore.bench.compare` keeps (also done at exit)."""
    global _POOL, _POOL_SIZE
    if _POOL is not None:
        _POOL.shutdown(wait=True, cancel_futures=True)
    _POOL, _POOL_SIZE = None, 0


def kill_workers() -> None:
    """After an interrupt: end the running runs now instead of waiting for them."""
    global _POOL, _POOL_SIZE
    if _POOL is not None:
        # ``_processes`` is private, but the executor has no public way to stop running work.
        for process in list((getattr(_POOL, "_processes", None) or {}).values()):
            process.terminate()
        _POOL.shutdown(wait=False, cancel_futures=True)
    _POOL, _POOL_SIZE = None, 0


def check_picklable(variants: Sequence[Any], benchmark: Any) -> None:
    """Raise a ``TypeError`` before any run starts if something cannot reach a worker process."""
    hint = (
        "with workers > 1 techniques, losses and benchmarks must be picklable and importable: "
        "instances of classes from an importable module, not lambdas, local functions or "
        "anything defined in a notebook (use workers=1 for those)"
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
