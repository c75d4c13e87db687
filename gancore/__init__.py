"""gancore: the small PyTorch package behind the book *Taming GANs*."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import (
    checkpoint,
    checks,
    data,
    diagnostics,
    dirac,
    ensemble,
    losses,
    metrics,
    models,
    penalties,
    techniques,
    utils,
)
from .config import TrainConfig
from .divergence import NonFiniteError
from .gan import GAN
from .history import History
from .step import Batch, Step
from .trainer import Trainer
from .utils import get_device, seed_everything

if TYPE_CHECKING:
    from . import bench, plot, studies

__version__ = "0.1.0"

# Imported on first use: they pull in pandas, matplotlib or worker processes, which a training
# script does not need (``import gancore`` stays light and has no side effects).
_LAZY = ("bench", "plot", "studies")


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'gancore' has no attribute {name!r}")


__all__ = [
    "Batch",
    "GAN",
    "History",
    "NonFiniteError",
    "TrainConfig",
    "Trainer",
    "bench",
    "checkpoint",
    "checks",
    "data",
    "diagnostics",
    "dirac",
    "ensemble",
    "get_device",
    "losses",
    "metrics",
    "models",
    "penalties",
    "plot",
    "seed_everything",
    "Step",
    "studies",
    "techniques",
    "utils",
    "__version__",
]
