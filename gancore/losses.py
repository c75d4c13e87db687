"""GAN loss pairs on discriminator logits: each has ``.d(d_real, d_fake)`` and ``.g(d_fake)``."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

__all__ = [
    "GANLoss",
    "Minimax",
    "NonSaturating",
    "Wasserstein",
    "LeastSquares",
    "Hinge",
    "minimax",
    "nonsaturating",
    "wasserstein",
    "least_squares",
    "hinge",
]


def _pair(d_real: torch.Tensor, d_fake: torch.Tensor) -> None:
    """Check D's logits on real and fake samples: float tensors ``(N,)`` or ``(E, N)``, same leading axes."""
    _one("d_real", d_real)
    _one("d_fake", d_fake)
    if d_real.shape[:-1] != d_fake.shape[:-1]:
        raise ValueError(
            f"d_real and d_fake must agree in all but the last axis, got {tuple(d_real.shape)} and "
            f"{tuple(d_fake.shape)}"
        )


def _one(name: str, logits: torch.Tensor) -> None:
    if not isinstance(logits, torch.Tensor):
        raise TypeError(f"{name} must be a tensor of logits (N,), got {type(logits).__name__}")
    if not logits.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor of logits, got dtype {logits.dtype}")
    if logits.ndim == 0:
        raise ValueError(f"{name} must have shape (N,), got a scalar")


class GANLoss:
    """A discriminator loss and a generator loss, both to be minimized.

    Subclasses implement ``d(d_real, d_fake)`` and ``g(d_fake)`` on logits of shape ``(N,)``
    and return scalar means over the batch. The built-in losses reduce over the last axis only,
    so logits ``(E, N)`` of E independent runs (:mod:`gancore.ensemble`) give E losses ``(E,)``.

    Attributes:
        probabilistic: True when ``sigmoid(logit)`` is D's probability that a sample is real
            (the minimax family); the trainer then logs D's outputs as probabilities.
    """

    probabilistic: bool = False

    def d(self, d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
        """Discriminator loss from logits on real and on fake samples."""
        raise NotImplementedError

    def g(self, d_fake: torch.Tensor) -> torch.Tensor:
        """Generator loss from D's logits on fake samples."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return type(self).__name__


class Minimax(GANLoss):
    r"""The original game (Goodfellow et al. 2014), with the *saturating* generator loss.

    .. math::
        L_D = -\mathbb{E}[\log \sigma(D(x))] - \mathbb{E}[\log(1 - \sigma(D(G(z))))],\qquad
        L_G = \mathbb{E}[\log(1 - \sigma(D(G(z))))].

    With ``-log(sigmoid(t)) = softplus(-t)`` and ``-log(1 - sigmoid(t)) = softplus(t)``.
    """

    probabilistic = True

    def d(self, d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
        _pair(d_real, d_fake)
        return F.softplus(-d_real).mean(-1) + F.softplus(d_fake).mean(-1)

    def g(self, d_fake: torch.Tensor) -> torch.Tensor:
        _one("d_fake", d_fake)
        return -F.softplus(d_fake).mean(-1)


class NonSaturating(Minimax):
    r"""Minimax D loss with the non-saturating G loss :math:`L_G = -\mathbb{E}[\log \sigma(D(G(z)))]`.

    Goodfellow et al. (2014), Sec. 3: same fixed point, strong gradients early in training.
    """

    def g(self, d_fake: torch.Tensor) -> torch.Tensor:
        _one("d_fake", d_fake)
        return F.softplus(-d_fake).mean(-1)


class Wasserstein(GANLoss):
    r"""WGAN (Arjovsky et al. 2017): :math:`L_D = \mathbb{E}[D(G(z))] - \mathbb{E}[D(x)]`,
    :math:`L_G = -\mathbb{E}[D(G(z))]`. Needs a Lipschitz constraint on D (clipping, GP, SN)."""

    def d(self, d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
        _pair(d_real, d_fake)
        return d_fake.mean(-1) - d_real.mean(-1)

    def g(self, d_fake: torch.Tensor) -> torch.Tensor:
        _one("d_fake", d_fake)
        return -d_fake.mean(-1)


@dataclass(frozen=True, repr=False)
class LeastSquares(GANLoss):
    r"""LSGAN (Mao et al. 2017) with targets ``a`` (fake), ``b`` (real) and ``c`` (what G wants).

    .. math::
        L_D = \tfrac12\mathbb{E}[(D(x) - b)^2] + \tfrac12\mathbb{E}[(D(G(z)) - a)^2],\qquad
        L_G = \tfrac12\mathbb{E}[(D(G(z)) - c)^2].

    The default ``(a, b, c) = (0, 1, 1)`` is the paper's Eq. (9); ``(-1, 1, 0)`` is its
    Pearson-chi-squared variant.
    """

    a: float = 0.0
    b: float = 1.0
    c: float = 1.0

    def d(self, d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
        _pair(d_real, d_fake)
        return 0.5 * (d_real - self.b).pow(2).mean(-1) + 0.5 * (d_fake - self.a).pow(2).mean(-1)

    def g(self, d_fake: torch.Tensor) -> torch.Tensor:
        _one("d_fake", d_fake)
        return 0.5 * (d_fake - self.c).pow(2).mean(-1)

    def __repr__(self) -> str:
        return f"LeastSquares(a={self.a}, b={self.b}, c={self.c})"


class Hinge(GANLoss):
    r"""Hinge loss (Lim & Ye 2017; Miyato et al. 2018):
    :math:`L_D = \mathbb{E}[\max(0, 1 - D(x))] + \mathbb{E}[\max(0, 1 + D(G(z)))]`,
    :math:`L_G = -\mathbb{E}[D(G(z))]`."""

    def d(self, d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
        _pair(d_real, d_fake)
        return F.relu(1.0 - d_real).mean(-1) + F.relu(1.0 + d_fake).mean(-1)

    def g(self, d_fake: torch.Tensor) -> torch.Tensor:
        _one("d_fake", d_fake)
        return -d_fake.mean(-1)


minimax = Minimax()
nonsaturating = NonSaturating()
wasserstein = Wasserstein()
least_squares = LeastSquares()
hinge = Hinge()
