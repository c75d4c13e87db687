"""Metrics as pure functions on tensors: mode coverage of Gaussian mixtures, and more."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from .data import GaussianMixture

__all__ = ["Coverage", "mode_coverage", "kl_to_uniform"]


@dataclass(frozen=True)
class Coverage:
    """Result of :func:`mode_coverage`.

    Attributes:
        modes: Number of modes with at least one high-quality sample nearest to them.
        hq: Fraction of samples within ``threshold * std`` of their nearest center.
        kl: KL(histogram of HQ samples over modes || uniform); ``nan`` with no HQ sample.
        counts: HQ samples per mode, shape ``(K,)``.
    """

    modes: int
    hq: float
    kl: float
    counts: torch.Tensor


def kl_to_uniform(counts: torch.Tensor) -> float:
    """KL divergence (nats) of the normalized histogram ``counts`` from the uniform one.

    Args:
        counts: Non-negative counts per bin, shape ``(K,)``.

    Returns:
        ``sum_k p_k log(K p_k)``: 0 for a uniform histogram, ``log K`` when one bin holds all;
        ``nan`` when ``counts`` is all zero.
    """
    counts = torch.as_tensor(counts, dtype=torch.float64).flatten()
    total = counts.sum()
    if total <= 0:
        return math.nan
    p = counts[counts > 0] / total
    return float((p * (p * counts.numel()).log()).sum())


def mode_coverage(samples: torch.Tensor, mixture: GaussianMixture, threshold: float = 3.0) -> Coverage:
    """Modes covered, high-quality fraction and KL, by the VEEGAN / PacGAN protocol.

    A sample is *high quality* (HQ) when it lies within ``threshold`` standard deviations
    of its nearest center; a mode is *covered* when at least one HQ sample is nearest to it.
    The papers score 2,500 samples. In ``d`` dimensions even exact mixture samples are HQ
    only with probability ``P(chi2_d <= threshold**2)``: ``1 - exp(-4.5) = 98.89%`` in 2-D.

    Args:
        samples: Generated points, shape ``(N, dim)``, on any device.
        mixture: The target mixture (its ``centers`` and ``std``).
        threshold: The HQ radius in units of ``mixture.std``.

    Returns:
        A :class:`Coverage`.
    """
    if not isinstance(mixture, GaussianMixture):
        raise TypeError(f"mixture must be a GaussianMixture, got {type(mixture).__name__}")
    if not isinstance(samples, torch.Tensor) or samples.ndim != 2 or samples.shape[1] != mixture.dim:
        raise ValueError(
            f"samples must be a tensor of shape (N, {mixture.dim}), got "
            f"{getattr(samples, 'shape', type(samples).__name__)}"
        )
    if samples.shape[0] == 0:
        raise ValueError("samples is empty")
    x = samples.detach().to("cpu", torch.float64)
    dist = torch.cdist(x, mixture.centers.to(torch.float64))  # (N, K)
    nearest_dist, nearest = dist.min(dim=1)
    good = nearest_dist <= threshold * mixture.std
    counts = torch.bincount(nearest[good], minlength=mixture.modes)
    return Coverage(
        modes=int((counts > 0).sum()),
        hq=float(good.double().mean()),
        kl=kl_to_uniform(counts),
        counts=counts,
    )
