"""Shared pieces of the plots: colours, axes creation, tensor conversion and extents."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes

from ..data import GaussianMixture

__all__ = ["REAL_COLOR", "FAKE_COLOR", "axes", "to_numpy", "extent"]

REAL_COLOR = "#1f77b4"
FAKE_COLOR = "#d62728"


def axes(ax: Axes | None, size: tuple[float, float] = (4.0, 4.0)) -> Axes:
    """``ax``, or the Axes of a new figure of ``size`` inches."""
    return plt.subplots(figsize=size)[1] if ax is None else ax


def to_numpy(x: torch.Tensor | np.ndarray) -> np.ndarray:
    """A NumPy array on the CPU, whatever ``x`` is."""
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def extent(
    mixture: GaussianMixture | None, points: np.ndarray | None, margin: float = 1.0
) -> tuple[float, float, float, float]:
    """``(xmin, xmax, ymin, ymax)`` around the mixture's centers (else the points), with a margin."""
    ref = to_numpy(mixture.centers) if mixture is not None else points
    lo, hi = ref.min(axis=0) - margin, ref.max(axis=0) + margin
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])
