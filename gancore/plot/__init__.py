"""Plots for the book (matplotlib only); each function takes ``ax=None`` and returns its Axes.

- ``gancore.plot.toy``: 2-D samples, densities, histograms, decision surfaces.
- ``gancore.plot.training``: curves over training, seed bands, animations, phase portraits.
- ``gancore.plot.images``: image grids.
- ``gancore.plot.compare``: multi-seed comparisons.
"""

from .base import FAKE_COLOR, REAL_COLOR
from .compare import checkpoint_curves, variant_scores
from .images import image_grid
from .toy import decision_surface, density, histogram, samples
from .training import animate, curves, mode_timeline, phase_portrait, seed_bands

__all__ = [
    "samples",
    "density",
    "histogram",
    "decision_surface",
    "curves",
    "seed_bands",
    "image_grid",
    "animate",
    "phase_portrait",
    "mode_timeline",
    "variant_scores",
    "checkpoint_curves",
    "REAL_COLOR",
    "FAKE_COLOR",
]
