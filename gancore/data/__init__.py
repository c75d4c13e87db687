"""Data sets: 2-D Gaussian mixtures (ring, grid), and MNIST and Stacked MNIST as [-1, 1] image tensors.

- ``gancore.data.toy``: ``GaussianMixture``, ``ring``, ``grid``.
- ``gancore.data.mnist``: ``LabeledImages``, ``mnist``, ``stacked_mnist``.
- :mod:`~gancore.data.download`: ``data_root`` and md5-checked downloads.
- :mod:`~gancore.data.adapters`: ``batches``, which the Trainer draws its real batches from.
"""

from . import download
from .adapters import Data, batches
from .download import data_root
from .mnist import LabeledImages, mnist, stacked_mnist
from .toy import GaussianMixture, grid, ring

__all__ = [
    "GaussianMixture",
    "ring",
    "grid",
    "LabeledImages",
    "data_root",
    "mnist",
    "stacked_mnist",
    "download",
    "Data",
    "batches",
]
