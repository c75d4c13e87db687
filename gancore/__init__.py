"""gancore: the small PyTorch package behind the book *Taming GANs*."""

from . import (
    bench,
    data,
    diagnostics,
    dirac,
    ensemble,
    losses,
    metrics,
    models,
    penalties,
    plot,
    studies,
    techniques,
    utils,
)
from .config import TrainConfig
from .gan import GAN
from .trainer import History, Trainer
from .utils import get_device, seed_everything

__version__ = "0.1.0"

__all__ = [
    "GAN",
    "History",
    "TrainConfig",
    "Trainer",
    "bench",
    "data",
    "diagnostics",
    "ensemble",
    "dirac",
    "get_device",
    "losses",
    "metrics",
    "models",
    "penalties",
    "plot",
    "seed_everything",
    "studies",
    "techniques",
    "utils",
    "__version__",
]
