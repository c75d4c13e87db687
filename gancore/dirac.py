"""The Dirac-GAN of Mescheder et al. (2018): a two-parameter GAN whose training dynamics can be solved."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from . import losses, penalties
from .losses import GANLoss

__all__ = [
    "DiracDiscriminator",
    "Penalty",
    "R1Penalty",
    "WGANGPPenalty",
    "Method",
    "GANMethod",
    "ConsensusOptimization",
    "Scheme",
    "Simultaneous",
    "Alternating",
    "simultaneous",
    "alternating",
    "vector_field",
    "jacobian",
    "simulate",
    "verdict",
]

Penalty = Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]


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


@dataclass(frozen=True)
class R1Penalty:
    r"""R1 on the Dirac-GAN, :math:`\tfrac{\gamma}{2}\,\mathbb{E}_{p_\text{data}}\lVert\nabla_x D\rVert^2`,
    which equals :math:`\tfrac{\gamma}{2}\psi^2` here.

    The value is ``gamma / 2 * gc.penalties.r1(D, x_real)``, but it is computed from the squared
    gradient rather than by squaring its norm: the norm is not differentiable at a zero
    gradient, which is exactly where the Jacobian at the equilibrium is evaluated.

    Args:
        gamma: :math:`\gamma`.
    """

    gamma: float = 1.0

    def __call__(self, D: nn.Module, x_real: torch.Tensor, x_fake: torch.Tensor) -> torch.Tensor:
        x = x_real.detach().requires_grad_(True)
        with torch.enable_grad():
            (grad,) = torch.autograd.grad(D(x).sum(), x, create_graph=True)
        return 0.5 * self.gamma * grad.flatten(1).pow(2).sum(1).mean()


@dataclass(frozen=True)
class WGANGPPenalty:
    r"""The WGAN-GP penalty :math:`\lambda\,\mathbb{E}(\lVert\nabla_x D(\hat x)\rVert - c)^2`
    (``gc.penalties.gradient_penalty``), which equals :math:`\lambda(|\psi| - c)^2` here.

    Args:
        weight: :math:`\lambda`.
        center: The target gradient norm :math:`c`.
    """

    weight: float = 1.0
    center: float = 1.0

    def __call__(self, D: nn.Module, x_real: torch.Tensor, x_fake: torch.Tensor) -> torch.Tensor:
        return self.weight * penalties.gradient_penalty(D, x_real, x_fake, center=self.center)


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
        penalty: A D-side term ``(D, x_real, x_fake) -> scalar``, already weighted, added to
            ``loss_d`` (e.g. :class:`R1Penalty`).
        clip: WGAN weight clipping: ``psi`` is clamped to ``[-clip, clip]`` after each D step.
        noise_std: Instance noise :math:`\sigma`: both D inputs are convolved with
            :math:`\mathcal{N}(0, \sigma^2)`. The expectation is taken exactly on
            ``noise_points`` equal-weight points with mean 0 and variance :math:`\sigma^2`
            (normal quantiles, rescaled), so the dynamics stay deterministic.
        noise_points: Number of points of that quadrature.
    """

    loss: GANLoss = losses.minimax
    penalty: Penalty | None = None
    clip: float | None = None
    noise_std: float = 0.0
    noise_points: int = 64

    def __post_init__(self) -> None:
        if not isinstance(self.loss, GANLoss):
            raise TypeError(f"loss must be a gancore.losses.GANLoss, got {type(self.loss).__name__}")
        if self.penalty is not None and not callable(self.penalty):
            raise TypeError(f"penalty must be callable (D, x_real, x_fake) -> Tensor, got {self.penalty!r}")
        if self.clip is not None and not (isinstance(self.clip, (int, float)) and self.clip > 0):
            raise ValueError(f"clip must be a positive number or None, got {self.clip!r}")
        if not isinstance(self.noise_std, (int, float)) or self.noise_std < 0:
            raise ValueError(f"noise_std must be a non-negative number, got {self.noise_std!r}")
        _check_int("noise_points", self.noise_points, 2)

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
            loss_d = loss_d + self.penalty(D, x_real, x_fake)
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


def _leaf(x: torch.Tensor | float) -> torch.Tensor:
    x = torch.as_tensor(x, dtype=torch.float64)
    return x if x.requires_grad else x.detach().clone().requires_grad_(True)


def _grads(
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


def _check_method(method: object) -> None:
    if not isinstance(method, Method):
        raise TypeError(f"method must be a gancore.dirac.Method, got {type(method).__name__}")


def _check_int(name: str, value: object, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value!r}")


def _check_shapes(theta: torch.Tensor, psi: torch.Tensor) -> None:
    if theta.shape != psi.shape:
        raise ValueError(
            f"theta and psi must have the same shape, got {tuple(theta.shape)}, {tuple(psi.shape)}"
        )


def vector_field(
    method: Method, theta: torch.Tensor | float, psi: torch.Tensor | float, create_graph: bool = False
) -> torch.Tensor:
    r"""The gradient vector field :math:`v(\theta, \psi) = (-\partial_\theta L_G, -\partial_\psi L_D)`.

    Gradient descent on both losses follows :math:`v`; the equilibrium is :math:`v = 0`.

    Args:
        method: How the losses are computed (a :class:`Method`).
        theta: Generator parameter(s), a number or a tensor ``(M,)``.
        psi: Discriminator parameter(s), same shape as ``theta``.
        create_graph: Keep the graph so the field can be differentiated again.

    Returns:
        Float64 tensor ``(..., 2)`` holding :math:`(\dot\theta, \dot\psi)` per game.
    """
    _check_method(method)
    theta, psi = _leaf(theta), _leaf(psi)
    _check_shapes(theta, psi)
    grad_theta, grad_psi = _grads(method, theta.reshape(-1), psi.reshape(-1), create_graph)
    return -torch.stack([grad_theta, grad_psi], dim=-1).reshape(*theta.shape, 2)


def jacobian(method: Method, theta: float = 0.0, psi: float = 0.0) -> torch.Tensor:
    r"""The Jacobian :math:`v'(\theta, \psi)` of the vector field, by automatic differentiation.

    At the equilibrium ``(0, 0)`` of the unregularized GAN it is
    :math:`\begin{pmatrix} 0 & f'(0) \\ -f'(0) & 0 \end{pmatrix}`, with eigenvalues
    :math:`\pm f'(0)\,i` (``f'(0) = 1/2`` for the standard loss).

    Args:
        method: How the losses are computed.
        theta: Generator parameter where it is evaluated.
        psi: Discriminator parameter where it is evaluated.

    Returns:
        Float64 ``(2, 2)``: rows :math:`(\dot\theta, \dot\psi)`, columns :math:`(\theta, \psi)`.
    """
    _check_method(method)

    def field(w: torch.Tensor) -> torch.Tensor:
        return vector_field(method, w[0:1], w[1:2], create_graph=True)[0]

    point = torch.tensor([theta, psi], dtype=torch.float64)
    return torch.autograd.functional.jacobian(field, point)


class Scheme:
    """One training step of both players on a batch of Dirac-GANs; subclasses define ``step``."""

    def step(
        self, method: Method, theta: torch.Tensor, psi: torch.Tensor, h: float
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Return ``(theta, psi)`` after one step of size ``h``."""
        raise NotImplementedError


@dataclass(frozen=True)
class Simultaneous(Scheme):
    r"""Simultaneous gradient descent: :math:`w_{k+1} = w_k + h\, v(w_k)` (then ``project``)."""

    def step(
        self, method: Method, theta: torch.Tensor, psi: torch.Tensor, h: float
    ) -> tuple[torch.Tensor, torch.Tensor]:
        grad_theta, grad_psi = _grads(method, theta, psi)
        return (theta - h * grad_theta).detach(), method.project(psi - h * grad_psi).detach()


@dataclass(frozen=True)
class Alternating(Scheme):
    """Alternating gradient descent: ``n_critic`` D steps, then one G step against the new D.

    Args:
        n_critic: D steps per G step.
    """

    n_critic: int = 1

    def __post_init__(self) -> None:
        _check_int("n_critic", self.n_critic, 1)

    def step(
        self, method: Method, theta: torch.Tensor, psi: torch.Tensor, h: float
    ) -> tuple[torch.Tensor, torch.Tensor]:
        for _ in range(self.n_critic):
            grad_psi = _grads(method, theta, psi, g=False)[1]
            psi = method.project(psi - h * grad_psi).detach().requires_grad_(True)
        grad_theta = _grads(method, theta, psi, d=False)[0]
        return (theta - h * grad_theta).detach(), psi.detach()


simultaneous = Simultaneous()
alternating = Alternating()


def simulate(
    method: Method,
    theta: torch.Tensor | float = 1.0,
    psi: torch.Tensor | float = 1.0,
    h: float = 0.1,
    steps: int = 1000,
    scheme: Scheme = simultaneous,
) -> torch.Tensor:
    """Run ``steps`` training steps of size ``h`` from ``(theta, psi)`` and return the path.

    Args:
        method: How the losses are computed.
        theta: Initial generator parameter(s), a number or ``(M,)`` for M games at once.
        psi: Initial discriminator parameter(s), same shape.
        h: Step size (learning rate of both players).
        steps: Number of (generator) steps.
        scheme: ``gc.dirac.simultaneous``, ``gc.dirac.alternating`` or ``Alternating(n_critic=...)``.

    Returns:
        Float64 tensor ``(steps + 1, ..., 2)``: ``path[k]`` holds ``(theta, psi)`` after k steps.
    """
    _check_method(method)
    if not isinstance(scheme, Scheme):
        raise TypeError(f"scheme must be a gancore.dirac.Scheme, got {type(scheme).__name__}")
    if not isinstance(h, (int, float)) or not h > 0:
        raise ValueError(f"h must be a positive number, got {h!r}")
    _check_int("steps", steps, 0)
    theta0, psi0 = torch.as_tensor(theta, dtype=torch.float64), torch.as_tensor(psi, dtype=torch.float64)
    _check_shapes(theta0, psi0)
    theta_k, psi_k = theta0.reshape(-1).clone(), psi0.reshape(-1).clone()
    path = [torch.stack([theta_k, psi_k], dim=-1)]
    for _ in range(steps):
        theta_k, psi_k = scheme.step(method, theta_k.requires_grad_(True), psi_k.requires_grad_(True), h)
        path.append(torch.stack([theta_k, psi_k], dim=-1))
    return torch.stack(path).reshape(steps + 1, *theta0.shape, 2)


def verdict(path: torch.Tensor, tol: float = 1e-3, factor: float = 2.0, tail: float = 0.1) -> str:
    """Classify a path by its distance to the equilibrium ``(0, 0)`` over its last ``tail`` fraction.

    With ``r0`` the initial distance, the path "converges" when it stays within ``tol * r0`` of
    the equilibrium, "stalls" when it has come to rest (moves less than ``tol * r0``) elsewhere,
    "diverges" when it stays farther than ``factor * r0``, and "orbits" otherwise.

    Args:
        path: ``(steps + 1, 2)`` from :func:`simulate`.
        tol: Relative radius for "converges" and "stalls".
        factor: Relative distance for "diverges".
        tail: Fraction of the path, at its end, that is inspected.
    """
    if not isinstance(path, torch.Tensor) or path.ndim != 2 or path.shape[1] != 2 or len(path) < 2:
        raise ValueError(
            f"path must be a tensor (steps + 1, 2) with steps >= 1, got {getattr(path, 'shape', path)}"
        )
    if not 0 < tail <= 1:
        raise ValueError(f"tail must be in (0, 1], got {tail!r}")
    r0 = path[0].norm()
    end = path[-max(2, int(tail * len(path))) :]  # (T, 2)
    distance = end.norm(dim=1)
    if distance.max() <= tol * r0:
        return "converges"
    if (end - end[-1]).norm(dim=1).max() <= tol * r0:
        return "stalls"
    if distance.min() >= factor * r0:
        return "diverges"
    return "orbits"
