"""2-D Gaussian mixtures: the ring of 8 and the grid of 25 that the toy chapters train on."""

from __future__ import annotations

import math

import torch

from ..checks import positive_int, positive_number
from ..step import Batch

__all__ = ["GaussianMixture", "ring", "grid"]


class GaussianMixture:
    """An isotropic Gaussian mixture with equal (or given) weights.

    Args:
        centers: Mode centers, shape ``(K, dim)``.
        std: Standard deviation of every mode (the same in every direction).
        weights: Mixture weights ``(K,)``; uniform when ``None``.

    Attributes:
        centers: ``(K, dim)`` float32 tensor.
        std: The per-mode standard deviation.
        weights: ``(K,)`` float32 tensor summing to one.
    """

    def __init__(self, centers: torch.Tensor, std: float, weights: torch.Tensor | None = None) -> None:
        centers = torch.as_tensor(centers, dtype=torch.float32)
        if centers.ndim != 2 or centers.shape[0] < 1 or centers.shape[1] < 1:
            raise ValueError(f"centers must have shape (K, dim), got {tuple(centers.shape)}")
        if not bool(torch.isfinite(centers).all()):
            raise ValueError("centers holds NaN or infinite values")
        positive_number("std", std)
        if weights is None:
            weights = torch.full((centers.shape[0],), 1.0 / centers.shape[0])
        weights = torch.as_tensor(weights, dtype=torch.float32)
        if (
            weights.shape != (centers.shape[0],)
            or not (weights >= 0).all()
            or not 0 < weights.sum() < math.inf
        ):
            raise ValueError(f"weights must be {centers.shape[0]} non-negative numbers")
        self.centers = centers
        self.std = float(std)
        self.weights = weights / weights.sum()

    @property
    def modes(self) -> int:
        """Number of mixture components ``K``."""
        return self.centers.shape[0]

    @property
    def dim(self) -> int:
        """Dimension of each sample."""
        return self.centers.shape[1]

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Draw ``n`` samples (from torch's global generator unless one is given).

        Args:
            n: Number of samples.
            generator: An optional ``torch.Generator`` (CPU) for reproducible draws.

        Returns:
            ``(n, dim)`` float32 samples.
        """
        return self.sample_batch(n, generator).x

    def sample_batch(self, n: int, generator: torch.Generator | None = None) -> Batch:
        """Draw ``n`` samples with the index of the mode each came from (the same draws as :meth:`sample`).

        Returns:
            A :class:`~gancore.step.Batch` of ``x`` ``(n, dim)`` float32 and ``y`` ``(n,)`` int64.
        """
        positive_int("n", n)
        labels = torch.multinomial(self.weights, n, replacement=True, generator=generator)
        noise = torch.randn(n, self.dim, generator=generator)
        return Batch(self.centers[labels] + self.std * noise, labels)  # (n, dim), (n,)

    def __repr__(self) -> str:
        return f"GaussianMixture(modes={self.modes}, dim={self.dim}, std={self.std})"


def ring(modes: int = 8, radius: float = 2.0, std: float = 0.02) -> GaussianMixture:
    """``modes`` Gaussians evenly spaced on a circle (the "ring of 8" of Metz et al. 2017).

    Args:
        modes: Number of Gaussians.
        radius: Radius of the circle.
        std: Standard deviation of each Gaussian.
    """
    positive_int("modes", modes)
    positive_number("radius", radius)
    angles = torch.arange(modes, dtype=torch.float64) * (2 * math.pi / modes)
    centers = radius * torch.stack([angles.cos(), angles.sin()], dim=1)
    return GaussianMixture(centers.float(), std)


def grid(side: int = 5, spacing: float = 2.0, std: float = 0.05) -> GaussianMixture:
    """``side x side`` Gaussians on a square grid centred at the origin (the "grid of 25").

    With the defaults the centers are ``{-4, -2, 0, 2, 4}^2`` (VEEGAN, PacGAN).

    Args:
        side: Gaussians per row and column.
        spacing: Distance between neighbouring centers.
        std: Standard deviation of each Gaussian.
    """
    positive_int("side", side)
    positive_number("spacing", spacing)
    coords = (torch.arange(side, dtype=torch.float32) - (side - 1) / 2) * spacing
    xs, ys = torch.meshgrid(coords, coords, indexing="ij")
    return GaussianMixture(torch.stack([xs.flatten(), ys.flatten()], dim=1), std)
