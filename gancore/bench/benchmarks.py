"""Benchmarks: what a comparison holds fixed (data, players, budget) and how it scores a run."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import torch

from .. import data as gc_data
from .. import metrics as gc_metrics
from ..config import TrainConfig
from ..data import GaussianMixture
from ..gan import GAN
from ..models import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator

__all__ = [
    "Benchmark",
    "ToyBenchmark",
    "MNISTBenchmark",
    "StackedMNISTBenchmark",
    "RING",
    "GRID",
    "mnist",
    "stacked_mnist",
]


class Benchmark:
    """What a comparison holds fixed: data, models, default config and the score.

    Subclasses implement the four methods. A benchmark is pickled to worker processes, so
    it should hold settings, not loaded data; :meth:`data` builds (and may cache) the data.

    Attributes:
        name: A short label.
        config: The default ``TrainConfig`` (``progress=False``, ``sample_every=None``).
    """

    name: str
    config: TrainConfig

    def data(self) -> Any:
        """The training data, anything ``Trainer.fit`` accepts."""
        raise NotImplementedError

    def generator(self, **overrides: Any) -> torch.nn.Module:
        """A fresh G; ``overrides`` replace the benchmark's keyword arguments."""
        raise NotImplementedError

    def discriminator(self, **overrides: Any) -> torch.nn.Module:
        """A fresh D; ``overrides`` replace the benchmark's keyword arguments."""
        raise NotImplementedError

    def score(self, gan: GAN, data: Any, seed: int) -> dict[str, float]:
        """The metrics of a trained ``gan``; ``seed`` fixes the evaluation latents."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, steps={self.config.steps})"


def _eval_latents(gan: GAN, n: int, seed: int) -> torch.Tensor:
    z = torch.randn(n, gan.latent_dim, generator=torch.Generator().manual_seed(seed))
    return z.to(gan.device)  # (n, latent_dim)


class ToyBenchmark(Benchmark):
    """A 2-D Gaussian mixture, MLP players, scored by mode coverage (VEEGAN, PacGAN).

    Args:
        name: A short label.
        mixture: A ``GaussianMixture`` or a zero-argument function returning one.
        config: The default training config.
        latent_dim: Size of ``z``.
        g_kwargs: Default ``MLPGenerator`` keyword arguments (``width``, ``depth``, ...).
        d_kwargs: Default ``MLPDiscriminator`` keyword arguments.
        n_samples: Samples scored by ``gc.metrics.mode_coverage`` (2,500 in the papers).
    """

    def __init__(
        self,
        name: str,
        mixture: GaussianMixture | Callable[[], GaussianMixture],
        config: TrainConfig,
        latent_dim: int = 2,
        g_kwargs: Mapping[str, Any] | None = None,
        d_kwargs: Mapping[str, Any] | None = None,
        n_samples: int = 2500,
    ) -> None:
        if not (isinstance(mixture, GaussianMixture) or callable(mixture)):
            raise TypeError(f"mixture must be a GaussianMixture or a function returning one, got {mixture!r}")
        if not isinstance(config, TrainConfig):
            raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
        self.name, self.mixture, self.config = name, mixture, config
        self.latent_dim, self.n_samples = latent_dim, n_samples
        self.g_kwargs, self.d_kwargs = dict(g_kwargs or {}), dict(d_kwargs or {})

    def data(self) -> GaussianMixture:
        return self.mixture if isinstance(self.mixture, GaussianMixture) else self.mixture()

    def generator(self, **overrides: Any) -> torch.nn.Module:
        mix = self.data()
        return MLPGenerator(
            **{"latent_dim": self.latent_dim, "out_dim": mix.dim, **self.g_kwargs, **overrides}
        )

    def discriminator(self, **overrides: Any) -> torch.nn.Module:
        return MLPDiscriminator(**{"in_dim": self.data().dim, **self.d_kwargs, **overrides})

    def score(self, gan: GAN, data: GaussianMixture, seed: int) -> dict[str, float]:
        cov = gc_metrics.mode_coverage(gan.sample(z=_eval_latents(gan, self.n_samples, seed)), data)
        return {"modes": cov.modes, "hq": cov.hq, "kl": cov.kl}


class MNISTBenchmark(Benchmark):
    """MNIST with small DCGAN players, scored in a pretrained classifier's feature space.

    Metrics: ``fd`` (Fréchet distance between classifier features of ``n_samples`` fakes
    and as many real images), ``modes`` (digit classes covered), ``class_kl`` (KL of the
    predicted-class histogram from uniform), ``confidence`` (the classifier's mean top
    probability), and improved ``precision`` and ``recall`` (k = 3) in the same features.
    A class-conditional generator (one built with ``num_classes``) is asked for each digit
    equally often and also gets ``cond_acc`` (:func:`gancore.metrics.conditional_accuracy`),
    ``fd_0`` ... ``fd_9`` (each digit's fakes against that digit's real images) and their mean
    ``fd_class``. With ``labels=True`` the data carries the digits' labels (what a conditional
    GAN trains on; an unconditional one ignores them). Build it with :func:`mnist`.
    """

    def __init__(
        self,
        config: TrainConfig,
        latent_dim: int = 64,
        width: int = 16,
        n_samples: int = 2500,
        root: str | None = None,
        train: bool = False,
        labels: bool = False,
    ) -> None:
        self.name, self.config, self.latent_dim, self.width = "mnist", config, latent_dim, width
        self.n_samples, self.root, self.train, self.labels = n_samples, root, train, labels

    def data(self) -> torch.Tensor | gc_data.LabeledImages:
        digits = gc_data.mnist(root=self.root, train=self.train)  # (N, 1, 28, 28) and (N,), parsed once
        return digits if self.labels else digits.tensors[0]

    def generator(self, **overrides: Any) -> torch.nn.Module:
        return DCGANGenerator(**{"latent_dim": self.latent_dim, "width": self.width, **overrides})

    def discriminator(self, **overrides: Any) -> torch.nn.Module:
        return DCGANDiscriminator(**{"width": self.width, **overrides})

    def score(self, gan: GAN, data: Any, seed: int) -> dict[str, float]:
        z = _eval_latents(gan, self.n_samples, seed)
        y = torch.arange(self.n_samples, device=z.device) % gan.num_classes if gan.conditional else None
        fake = torch.cat(
            [
                gan.sample(z=z[i : i + 500], y=None if y is None else y[i : i + 500]).cpu()
                for i in range(0, len(z), 500)
            ]
        )  # (n, 1, 28, 28)
        real, real_labels = _mnist_reference(self.root, self.train, self.n_samples)
        feats = gc_metrics.classifier_features(fake)  # (n, 128)
        # one classifier pass for classes, confidence and cond_acc: (n,) each
        top, digits = gc_metrics.class_probabilities(fake).max(dim=1)
        cov = gc_metrics.label_coverage(digits, 10)
        pr = gc_metrics.precision_recall(real, feats)
        scores = {
            "fd": float(gc_metrics.frechet_distance(feats, real)),
            "modes": int(cov.modes),
            "class_kl": float(cov.kl),
            "confidence": float(top.mean()),
            "precision": pr.precision,
            "recall": pr.recall,
        }
        if y is not None:
            y = y.cpu()
            scores["cond_acc"] = float((digits.cpu() == y).double().mean())  # conditional_accuracy, same pass
            per_class = {
                f"fd_{c}": float(gc_metrics.frechet_distance(feats[y == c], real[real_labels == c]))
                for c in range(gan.num_classes)
            }
            scores.update(per_class, fd_class=sum(per_class.values()) / len(per_class))
        return scores


@lru_cache(maxsize=2)
def _mnist_reference(root: str | None, train: bool, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Classifier features ``(n, F)`` of ``n`` fixed real digits, and their labels ``(n,)``."""
    digits = gc_data.mnist(root=root, train=train)  # images (N, 1, 28, 28) in [-1, 1]
    idx = torch.randperm(len(digits), generator=torch.Generator().manual_seed(0))[:n]
    return gc_metrics.classifier_features(digits.images[idx]), digits.labels[idx]


class StackedMNISTBenchmark(Benchmark):
    """Stacked MNIST (1,000 modes: three digits as colour channels) with DCGAN players.

    Metrics (VEEGAN, PacGAN): ``modes`` (of 1,000 that the classifier finds among ``n_samples``
    fakes) and ``kl`` (KL of their histogram from uniform, in nats). The papers' modes count
    every fake, however blurred, as the digits the classifier likes best; ``confidence`` (the
    classifier's mean top probability over the fakes' channels) says how digit-like they are.
    A perfect generator does
    not score 1,000 and 0: with ``n_samples`` draws some modes are missed by chance and the
    histogram is noisy. ``gc.metrics.stacked_mnist_coverage`` of real Stacked MNIST images is
    that finite-sample floor. Build it with :func:`stacked_mnist`.
    """

    def __init__(
        self,
        config: TrainConfig,
        latent_dim: int = 64,
        width: int = 16,
        n_train: int = 25600,
        n_samples: int = 10000,
        root: str | None = None,
        train: bool = False,
    ) -> None:
        self.name, self.config, self.latent_dim, self.width = "stacked_mnist", config, latent_dim, width
        self.n_train, self.n_samples, self.root, self.train = n_train, n_samples, root, train

    def data(self) -> torch.Tensor:
        return gc_data.stacked_mnist(
            self.n_train, seed=0, root=self.root, train=self.train
        ).images  # (n, 3, 28, 28)

    def generator(self, **overrides: Any) -> torch.nn.Module:
        return DCGANGenerator(
            **{"latent_dim": self.latent_dim, "channels": 3, "width": self.width, **overrides}
        )

    def discriminator(self, **overrides: Any) -> torch.nn.Module:
        return DCGANDiscriminator(**{"channels": 3, "width": self.width, **overrides})

    def score(self, gan: GAN, data: torch.Tensor, seed: int) -> dict[str, float]:
        z = _eval_latents(gan, self.n_samples, seed)
        fake = torch.cat([gan.sample(z=chunk).cpu() for chunk in z.split(500)])  # (n, 3, 28, 28)
        probs = gc_metrics.class_probabilities(fake.reshape(-1, 1, 28, 28))  # (3n, 10), one pass
        top, digits = probs.max(dim=1)  # (3n,) each
        cov = gc_metrics.stacked_modes(digits.reshape(-1, 3))
        return {"modes": int(cov.modes), "kl": float(cov.kl), "confidence": float(top.mean())}


# The protocol baselines (book/appendix/protocol.md): budgets at which the plain non-saturating
# GAN's median seed puts most samples on the modes (ring >= 70 %, grid >= 50 % high quality).
RING = ToyBenchmark(
    "ring",
    gc_data.ring,  # 8 modes, radius 2, std 0.02 (Metz et al. 2017)
    # lr 1e-3 oscillates on modes this narrow (HQ swings by 0.3-0.5 between checkpoints); 2e-4 converges.
    TrainConfig(steps=6000, batch_size=256, lr_g=2e-4, lr_d=2e-4, progress=False, sample_every=None),
)
GRID = ToyBenchmark(
    "grid",
    gc_data.grid,  # 25 modes on {-4,...,4}^2, std 0.05 (VEEGAN, PacGAN)
    TrainConfig(steps=8000, batch_size=256, progress=False, sample_every=None),
)


def mnist(
    steps: int = 500,
    batch_size: int = 64,
    latent_dim: int = 64,
    width: int = 16,
    n_samples: int = 2500,
    root: str | None = None,
    train: bool = False,
    labels: bool = False,
) -> MNISTBenchmark:
    """The MNIST benchmark (the offline data is the 10,000-image test split, ``train=False``).

    Args:
        steps: Generator steps per run.
        batch_size: Batch size.
        latent_dim: Size of ``z``.
        width: Width of the small DCGAN players.
        n_samples: Fakes (and real images) scored.
        root: Data folder (``GANCORE_DATA`` or the cache when ``None``).
        train: Use the training split instead of the test split.
        labels: Train on ``(image, label)`` pairs, for class-conditional generators.
    """
    lr = {"lr_g": 2e-4, "lr_d": 2e-4}  # Radford et al. (2016)
    config = TrainConfig(steps=steps, batch_size=batch_size, progress=False, sample_every=None, **lr)
    return MNISTBenchmark(config, latent_dim, width, n_samples, root, train, labels)


def stacked_mnist(
    steps: int = 2000,
    batch_size: int = 64,
    latent_dim: int = 64,
    width: int = 16,
    n_train: int = 25600,
    n_samples: int = 10000,
    root: str | None = None,
    train: bool = False,
) -> StackedMNISTBenchmark:
    """The Stacked MNIST benchmark, built from the offline MNIST split (see :func:`mnist`).

    Args:
        steps: Generator steps per run.
        batch_size: Batch size.
        latent_dim: Size of ``z``.
        width: Width of the DCGAN players (PacGAN and VEEGAN shrink D to make collapse visible).
        n_train: Stacked images in the training set (``gc.data.stacked_mnist(n_train, seed=0)``).
        n_samples: Fakes scored (the papers score 26,000).
        root: Data folder (``GANCORE_DATA`` or the cache when ``None``).
        train: Stack digits of the training split instead of the test split.
    """
    lr = {"lr_g": 2e-4, "lr_d": 2e-4}  # Radford et al. (2016)
    config = TrainConfig(steps=steps, batch_size=batch_size, progress=False, sample_every=None, **lr)
    return StackedMNISTBenchmark(config, latent_dim, width, n_train, n_samples, root, train)
