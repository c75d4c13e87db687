"""Metrics as pure functions on tensors: mode coverage, Fréchet distance, precision/recall, MNIST modes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from .checks import float_tensor, positive_int, positive_number
from .classifier import class_probabilities, classifier_features, classify
from .data import GaussianMixture

__all__ = [
    "Coverage",
    "mode_coverage",
    "coverage_over",
    "kl_to_uniform",
    "frechet_distance",
    "frechet_distance_gaussians",
    "PrecisionRecall",
    "precision_recall",
    "classifier_features",
    "class_probabilities",
    "conditional_accuracy",
    "classify",
    "ClassCoverage",
    "class_coverage",
    "stacked_mnist_coverage",
    "stacked_modes",
    "label_coverage",
]


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
    if not bool((counts >= 0).all()) or not bool(torch.isfinite(counts).all()):
        raise ValueError("counts must be non-negative finite numbers")
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
    float_tensor("samples", samples)
    positive_number("threshold", threshold)
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


def coverage_over(
    snapshots: Sequence[tuple[int, torch.Tensor]], mixture: GaussianMixture, threshold: float = 3.0
) -> dict[str, np.ndarray]:
    """:func:`mode_coverage` of every snapshot, as curves over training.

    Args:
        snapshots: ``(step, samples)`` pairs, e.g. ``Trainer.snapshots``.
        mixture: The target mixture.
        threshold: The HQ radius in units of ``mixture.std``.

    Returns:
        A dict with the arrays ``step``, ``modes``, ``hq`` and ``kl`` (``nan`` where no sample
        is HQ), one entry per snapshot, and ``counts`` ``(snapshots, K)``, HQ samples per mode.
    """
    if not snapshots:
        raise ValueError("snapshots is empty; train with TrainConfig(sample_every=...) to record some")
    scores = [mode_coverage(x, mixture, threshold) for _, x in snapshots]
    return {
        "step": np.array([int(step) for step, _ in snapshots]),
        "modes": np.array([c.modes for c in scores]),
        "hq": np.array([c.hq for c in scores]),
        "kl": np.array([c.kl for c in scores]),
        "counts": torch.stack([c.counts for c in scores]).numpy(),
    }


def _check_features(feats: torch.Tensor, name: str, min_rows: int = 2) -> None:
    if not isinstance(feats, torch.Tensor) or feats.ndim != 2 or feats.shape[0] < min_rows:
        raise ValueError(
            f"{name} must be a tensor of shape (N, F) with N >= {min_rows}, got "
            f"{getattr(feats, 'shape', type(feats).__name__)}"
        )
    float_tensor(name, feats)


def _sqrtm_psd(matrix: torch.Tensor) -> torch.Tensor:
    """Symmetric square root of a symmetric PSD matrix (negative rounding noise clamped to 0)."""
    eigenvalues, eigenvectors = torch.linalg.eigh((matrix + matrix.T) / 2)
    return (eigenvectors * eigenvalues.clamp(min=0).sqrt()) @ eigenvectors.T


def frechet_distance_gaussians(
    mu_a: torch.Tensor, cov_a: torch.Tensor, mu_b: torch.Tensor, cov_b: torch.Tensor
) -> float:
    """Fréchet (2-Wasserstein²) distance between two Gaussians, in float64.

    ``||mu_a - mu_b||² + tr(cov_a) + tr(cov_b) - 2 tr((cov_a cov_b)^{1/2})``. The eigenvalues of
    ``cov_a cov_b`` are those of the symmetric PSD ``cov_a^{1/2} cov_b cov_a^{1/2} = M Mᵀ`` with
    ``M = cov_a^{1/2} cov_b^{1/2}``, so the last trace is the sum of ``M``'s singular values.
    Square roots come from ``eigh`` with rounding-negative eigenvalues clamped to 0; taking
    singular values of ``M`` rather than square roots of ``M Mᵀ``'s eigenvalues keeps zero
    directions at zero, so singular (``n < d``) covariances stay accurate. No SciPy needed.

    Args:
        mu_a: Mean ``(F,)``.
        cov_a: Covariance ``(F, F)``, symmetric positive semi-definite.
        mu_b: Mean ``(F,)``.
        cov_b: Covariance ``(F, F)``.

    Returns:
        The distance, ``>= 0`` (tiny negative rounding is clamped to 0).
    """
    for name, mu, cov in (("a", mu_a, cov_a), ("b", mu_b, cov_b)):
        if not isinstance(mu, torch.Tensor) or not isinstance(cov, torch.Tensor):
            raise TypeError(f"mu_{name} and cov_{name} must be tensors")
        if mu.ndim != 1 or cov.shape != (mu.shape[0], mu.shape[0]):
            raise ValueError(
                f"mu_{name} must be (F,) and cov_{name} (F, F), got {tuple(mu.shape)} and {tuple(cov.shape)}"
            )
    if mu_a.shape != mu_b.shape:
        raise ValueError(f"mu_a and mu_b differ in dimension: {tuple(mu_a.shape)} vs {tuple(mu_b.shape)}")
    device = mu_a.device
    mu_a, mu_b = mu_a.to(device, torch.float64), mu_b.to(device, torch.float64)
    cov_a, cov_b = cov_a.to(device, torch.float64), cov_b.to(device, torch.float64)
    trace_sqrt = torch.linalg.svdvals(_sqrtm_psd(cov_a) @ _sqrtm_psd(cov_b)).sum()
    fd = (mu_a - mu_b).square().sum() + cov_a.trace() + cov_b.trace() - 2 * trace_sqrt
    return max(float(fd), 0.0)


def frechet_distance(feats_a: torch.Tensor, feats_b: torch.Tensor) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (FID's formula).

    Means and unbiased covariances are computed in float64 on ``feats_a``'s device; works
    with fewer samples than dimensions (rank-deficient covariances). Feed it
    :func:`classifier_features` of real and generated digits for an MNIST "FID".

    Args:
        feats_a: Features ``(N_a, F)``, ``N_a >= 2``, on CPU or CUDA.
        feats_b: Features ``(N_b, F)``, ``N_b >= 2``.

    Returns:
        The distance (0 for identical feature sets, symmetric in its arguments).
    """
    _check_features(feats_a, "feats_a")
    _check_features(feats_b, "feats_b")
    if feats_a.shape[1] != feats_b.shape[1]:
        raise ValueError(f"feats_a and feats_b differ in width: {feats_a.shape[1]} vs {feats_b.shape[1]}")
    a = feats_a.detach().to(torch.float64)  # (N_a, F)
    b = feats_b.detach().to(a.device, torch.float64)  # (N_b, F)
    return frechet_distance_gaussians(a.mean(0), torch.cov(a.T), b.mean(0), torch.cov(b.T))


@dataclass(frozen=True)
class PrecisionRecall:
    """Result of :func:`precision_recall`.

    Attributes:
        precision: Fraction of fake samples inside the real manifold (quality).
        recall: Fraction of real samples inside the fake manifold (coverage).
    """

    precision: float
    recall: float


def _knn_radii(x: torch.Tensor, k: int, batch_size: int) -> torch.Tensor:
    """Distance from each row of ``x`` ``(N, F)`` to its k-th nearest other row, ``(N,)``."""
    # the (k+1)-th smallest distance, as each point's distance to itself (0) comes first
    return torch.cat([torch.cdist(rows, x).kthvalue(k + 1, dim=1).values for rows in x.split(batch_size)])


def _inside(points: torch.Tensor, centers: torch.Tensor, radii: torch.Tensor, batch_size: int) -> float:
    """Fraction of ``points`` within ``radii[i]`` of some ``centers[i]``."""
    hits = [(torch.cdist(rows, centers) <= radii).any(dim=1) for rows in points.split(batch_size)]
    return float(torch.cat(hits).double().mean())


def precision_recall(
    feats_real: torch.Tensor, feats_fake: torch.Tensor, k: int = 3, batch_size: int = 1000
) -> PrecisionRecall:
    """Improved precision and recall (Kynkäänniemi et al. 2019) by k-NN manifolds.

    Each set's manifold is the union of balls around its points, each ball reaching the
    point's ``k``-th nearest neighbour in the same set. Precision is the fraction of fake
    points inside the real manifold, recall the fraction of real points inside the fake one.
    Distances are float64 on ``feats_real``'s device, ``batch_size`` rows at a time.

    Args:
        feats_real: Real features ``(N_r, F)``, ``N_r > k``.
        feats_fake: Generated features ``(N_f, F)``, ``N_f > k``.
        k: Neighbourhood size (the paper uses 3).
        batch_size: Rows per distance block (memory ``batch_size * N`` floats).

    Returns:
        A :class:`PrecisionRecall`.
    """
    positive_int("k", k)
    positive_int("batch_size", batch_size)
    _check_features(feats_real, "feats_real", min_rows=k + 1)
    _check_features(feats_fake, "feats_fake", min_rows=k + 1)
    if feats_real.shape[1] != feats_fake.shape[1]:
        raise ValueError(f"feature widths differ: {feats_real.shape[1]} vs {feats_fake.shape[1]}")
    real = feats_real.detach().to(torch.float64)  # (N_r, F)
    fake = feats_fake.detach().to(real.device, torch.float64)  # (N_f, F)
    radii_real, radii_fake = _knn_radii(real, k, batch_size), _knn_radii(fake, k, batch_size)
    return PrecisionRecall(
        precision=_inside(fake, real, radii_real, batch_size),
        recall=_inside(real, fake, radii_fake, batch_size),
    )


@dataclass(frozen=True)
class ClassCoverage:
    """Result of :func:`class_coverage` (MNIST digits) and :func:`stacked_mnist_coverage`.

    Attributes:
        modes: Number of classes (digits, or Stacked MNIST modes) predicted at least once.
        kl: KL(predicted class histogram || uniform), in nats.
        counts: Predictions per class, ``(10,)`` or ``(1000,)`` int64 on the CPU.
    """

    modes: int
    kl: float
    counts: torch.Tensor


def class_coverage(images: torch.Tensor, batch_size: int = 1000) -> ClassCoverage:
    """Digit classes the shipped classifier finds in ``images``, and KL to uniform.

    Args:
        images: Digits ``(N, 1, 28, 28)`` in ``[-1, 1]``, on CPU or CUDA.
        batch_size: Images per classifier pass.

    Returns:
        A :class:`ClassCoverage` over the 10 digits (``kl`` ≈ 0 for real MNIST).
    """
    return label_coverage(classify(images, batch_size), 10)


def label_coverage(labels: torch.Tensor, num_classes: int) -> ClassCoverage:
    """Classes present among predicted (or true) labels, and the KL of their histogram from uniform.

    Args:
        labels: ``(N,)`` int64 classes in ``[0, num_classes)``, e.g. ``classify(images)``.
        num_classes: How many classes there are (10 digits, 1,000 Stacked MNIST modes).

    Returns:
        A :class:`ClassCoverage` over the ``num_classes`` classes.
    """
    positive_int("num_classes", num_classes)
    if (
        not isinstance(labels, torch.Tensor)
        or labels.dtype != torch.int64
        or labels.ndim != 1
        or len(labels) == 0
    ):
        raise ValueError(
            f"labels must be a non-empty int64 tensor (N,), got {getattr(labels, 'shape', labels)!r}"
        )
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(
            f"labels must lie in 0..{num_classes - 1}, got {int(labels.min())}..{int(labels.max())}"
        )
    counts = torch.bincount(labels.cpu(), minlength=num_classes)
    return ClassCoverage(modes=int((counts > 0).sum()), kl=kl_to_uniform(counts), counts=counts)


def stacked_mnist_coverage(images: torch.Tensor, batch_size: int = 1000) -> ClassCoverage:
    """Stacked MNIST modes (out of 1,000) and KL to uniform, as in VEEGAN and PacGAN.

    Each channel is classified separately (:func:`classify`) and :func:`stacked_modes` counts
    the modes. The papers score 26,000 samples; a mode-collapsed generator (one image) scores
    1 mode and ``kl = log 1000``.

    Args:
        images: Stacked digits ``(N, 3, 28, 28)`` in ``[-1, 1]``, on CPU or CUDA.
        batch_size: Single-channel images per classifier pass.

    Returns:
        A :class:`ClassCoverage` over the 1,000 modes.
    """
    if not isinstance(images, torch.Tensor) or images.ndim != 4 or tuple(images.shape[1:]) != (3, 28, 28):
        raise ValueError(
            f"images must be a tensor of shape (N, 3, 28, 28), got {getattr(images, 'shape', type(images))}"
        )
    return stacked_modes(classify(images.reshape(-1, 1, 28, 28), batch_size).reshape(-1, 3))


def stacked_modes(digits: torch.Tensor) -> ClassCoverage:
    """Stacked MNIST modes from the digits read in each channel: mode ``100 * d1 + 10 * d2 + d3``.

    Args:
        digits: ``(N, 3)`` int64 digits 0–9, one per channel (``classify`` of each channel).

    Returns:
        A :class:`ClassCoverage` over the 1,000 modes.
    """
    if (
        not isinstance(digits, torch.Tensor)
        or digits.dtype != torch.int64
        or digits.ndim != 2
        or digits.shape[1] != 3
        or len(digits) == 0
    ):
        raise ValueError(
            f"digits must be a non-empty int64 tensor (N, 3), got {getattr(digits, 'shape', digits)!r}"
        )
    if digits.min() < 0 or digits.max() > 9:
        raise ValueError(f"digits must lie in 0..9, got {int(digits.min())}..{int(digits.max())}")
    return label_coverage(100 * digits[:, 0] + 10 * digits[:, 1] + digits[:, 2], 1000)


def conditional_accuracy(images: torch.Tensor, labels: torch.Tensor, batch_size: int = 1000) -> float:
    """The fraction of generated digits the shipped classifier reads as the label they were asked for.

    For a class-conditional generator, ``images = G(z, labels)``. Real test digits score about
    0.99 (the classifier's own accuracy); a generator that ignores its label scores about 0.1.

    Args:
        images: Digits ``(N, 1, 28, 28)`` in ``[-1, 1]``.
        labels: The requested classes ``(N,)``, int64 in ``[0, 10)``.
        batch_size: Images per classifier pass.

    Returns:
        A number in ``[0, 1]``.
    """
    if not isinstance(labels, torch.Tensor) or labels.ndim != 1 or labels.dtype != torch.int64:
        raise ValueError(
            f"labels must be an int64 tensor of shape (N,), got {getattr(labels, 'shape', labels)!r}"
        )
    if isinstance(images, torch.Tensor) and len(images) != len(labels):
        raise ValueError(f"images and labels differ in length: {len(images)} vs {len(labels)}")
    predicted = classify(images, batch_size).cpu()  # (N,)
    return float((predicted == labels.cpu()).double().mean())
