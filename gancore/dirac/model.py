"""The Dirac-GAN's players and training methods: the linear discriminator, penalties, loss-based methods."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .. import losses
from ..checks import int_at_least
from ..losses import GANLoss
from ..step import Step
from ..techniques.base import Technique

__all__ = [
    "DiracDiscriminator",
    "Method",
    "GANMethod",
    "ConsensusOptimization",
    "as_leaf",
    "method_grads",
]


class DiracDiscriminator(nn.Module):
    r"""The linear discriminator :math:`D_\psi(x) = \psi x` on inputs ``(N, 1)``; ``psi`` is a scalar
    or one slope per sample ``(N,)``."""

    def __init__(self, psi: torch.Tensor) -> None:
        super().__init__()
        self.psi = psi

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 2 or x.shape[1] != 1:
            raise ValueError(f"x must have shape (N, 1), got {tuple(x.shape)}")
        return self.psi * x[:, 0]  # (N,)


class Method:
    """How both players' losses are computed on a batch of Dirac-GANs; subclasses define ``losses``."""

    def losses(self, theta: torch.Tensor, psi: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(loss_d, loss_g)``, each summed over a batch of games ``theta``, ``psi`` of shape ``(M,)``."""
        raise NotImplementedError

    def project(self, psi: torch.Tensor) -> torch.Tensor:
        """Map ``psi`` back to its allowed set after each D step (identity by default)."""
        return psi


@dataclass(frozen=True)
class GANMethod(Method):
    r"""A loss pair from ``gc.losses`` played on the Dirac-GAN, with optional regularizers.

    The data distribution is :math:`\delta_0`, the generator's is :math:`\delta_\theta`, and
    :math:`D_\psi(x) = \psi x`; so ``d_real = 0`` and ``d_fake = psi * theta``.

    Args:
        loss: The loss pair, e.g. ``gc.losses.minimax`` or ``gc.losses.wasserstein``.
        penalty: A technique whose ``d_penalty`` is added to ``loss_d``, the same object that
            trains a real GAN: ``gc.techniques.R1(gamma)`` (here :math:`\tfrac{\gamma}{2}\psi^2`)
            or ``gc.techniques.GradientPenalty(weight, center)`` (here
            :math:`\lambda(|\psi| - c)^2`).
        clip: WGAN weight clipping: ``psi`` is clamped to ``[-clip, clip]`` after each D step.
        noise_std: Instance noise :math:`\sigma`: both D inputs are convolved with
            :math:`\mathcal{N}(0, \sigma^2)`. The expectation is taken exactly on
            ``noise_points`` equal-weight points with mean 0 and variance :math:`\sigma^2`
            (normal quantiles, rescaled), so the dynamics stay deterministic.
        noise_points: Number of points of that quadrature.
    """

    loss: GANLoss = losses.minimax
    penalty: Technique | None = None
    clip: float | None = None
    noise_std: float = 0.0
    noise_points: int = 64

    def __post_init__(self) -> None:
        if not isinstance(self.loss, GANLoss):
            raise TypeError(f"loss must be a gancore.losses.GANLoss, got {type(self.loss).__name__}")
        if self.penalty is not None and not isinstance(self.penalty, Technique):
            raise TypeError(f"penalty must be a technique, e.g. gc.techniques.R1(1.0), got {self.penalty!r}")
        if self.clip is not None and not (isinstance(self.clip, (int, float)) and self.clip > 0):
            raise ValueError(f"clip must be a positive number or None, got {self.clip!r}")
        if not isinstance(self.noise_std, (int, float)) or self.noise_std < 0:
            raise ValueError(f"noise_std must be a non-negative number, got {self.noise_std!r}")
        int_at_least("noise_points", self.noise_points, 2)

    def _noise(self, like: torch.Tensor) -> torch.Tensor:
        if self.noise_std == 0:
            return torch.zeros(1, device=like.device, dtype=like.dtype)
        n = self.noise_points
        p = (torch.arange(n, device=like.device, dtype=like.dtype) + 0.5) / n
        eps = torch.special.ndtri(p)  # (n,) normal quantiles, symmetric about 0
        return self.noise_std * eps / eps.pow(2).mean().sqrt()  # mean 0, variance noise_std**2

    def losses(self, theta: torch.Tensor, psi: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        eps = self._noise(theta)  # (n,)
        games, n = theta.shape[0], eps.shape[0]
        x_real = eps.repeat(games)[:, None]  # (M * n, 1): delta_0 plus noise
        x_fake = (theta[:, None] + eps).reshape(-1, 1)  # (M * n, 1): delta_theta plus noise
        D = DiracDiscriminator(psi.repeat_interleave(n))
        d_real, d_fake = D(x_real), D(x_fake)  # (M * n,)
        loss_d = self.loss.d(d_real, d_fake)
        if self.penalty is not None:
            step = Step(0, self.loss, x_real=x_real, x_fake=x_fake, d_real=d_real, d_fake=d_fake)
            penalty = self.penalty.d_penalty(D, step)
            loss_d = loss_d if penalty is None else loss_d + penalty
        loss_g = self.loss.g(d_fake)
        return games * loss_d, games * loss_g  # batch means -> sums of per-game losses

    def project(self, psi: torch.Tensor) -> torch.Tensor:
        return psi if self.clip is None else psi.clamp(-self.clip, self.clip)


@dataclass(frozen=True)
class ConsensusOptimization(Method):
    r"""Consensus optimization (Mescheder et al. 2017): both players add
    :math:`\gamma \cdot \tfrac12 \lVert v(\theta, \psi) \rVert^2` to their loss.

    Args:
        base: The method whose vector field :math:`v` is regularized.
        gamma: The weight :math:`\gamma`.
    """

    base: Method
    gamma: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.base, Method):
            raise TypeError(f"base must be a gancore.dirac.Method, got {type(self.base).__name__}")
        if not isinstance(self.gamma, (int, float)) or self.gamma < 0:
            raise ValueError(f"gamma must be a non-negative number, got {self.gamma!r}")

    def losses(self, theta: torch.Tensor, psi: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        loss_d, loss_g = self.base.losses(theta, psi)
        (grad_theta,) = torch.autograd.grad(loss_g, theta, retain_graph=True, create_graph=True)
        (grad_psi,) = torch.autograd.grad(loss_d, psi, create_graph=True)
        consensus = 0.5 * (grad_theta.pow(2) + grad_psi.pow(2)).sum()
        return loss_d + self.gamma * consensus, loss_g + self.gamma * consensus

    def project(self, psi: torch.Tensor) -> torch.Tensor:
        return self.base.project(psi)


def as_leaf(x: torch.Tensor | float) -> torch.Tensor:
    x = torch.as_tensor(x, dtype=torch.float64)
    return x if x.requires_grad else x.detach().clone().requires_grad_(True)


def method_grads(
    method: Method,
    theta: torch.Tensor,
    psi: torch.Tensor,
    create_graph: bool = False,
    g: bool = True,
    d: bool = True,
) -> tuple[torch.Tensor | None, torch.Tensor | None]:
    """``(d loss_g / d theta, d loss_d / d psi)`` for a batch ``(M,)`` of games (``None`` if not asked)."""
    grad_theta = grad_psi = None
    with torch.enable_grad():
        loss_d, loss_g = method.losses(theta, psi)
        if g:
            (grad_theta,) = torch.autograd.grad(
                loss_g, theta, retain_graph=d or create_graph, create_graph=create_graph, allow_unused=True
            )
            if grad_theta is None:  # loss_g does not depend on theta here
                grad_theta = torch.zeros_like(theta)
        if d:
            (grad_psi,) = torch.autograd.grad(loss_d, psi, create_graph=create_graph)
    return grad_theta, grad_psi
