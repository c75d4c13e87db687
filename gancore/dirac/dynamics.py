"""The Dirac-GAN's dynamics: its gradient vector field, Jacobian, update schemes, simulation and verdict."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..checks import int_at_least
from .model import Method, as_leaf, method_grads

__all__ = [
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


def _check_method(method: object) -> None:
    if not isinstance(method, Method):
        raise TypeError(f"method must be a gancore.dirac.Method, got {type(method).__name__}")


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
    theta, psi = as_leaf(theta), as_leaf(psi)
    _check_shapes(theta, psi)
    grad_theta, grad_psi = method_grads(method, theta.reshape(-1), psi.reshape(-1), create_graph)
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
        grad_theta, grad_psi = method_grads(method, theta, psi)
        return (theta - h * grad_theta).detach(), method.project(psi - h * grad_psi).detach()


@dataclass(frozen=True)
class Alternating(Scheme):
    """Alternating gradient descent: ``n_critic`` D steps, then one G step against the new D.

    Args:
        n_critic: D steps per G step.
    """

    n_critic: int = 1

    def __post_init__(self) -> None:
        int_at_least("n_critic", self.n_critic, 1)

    def step(
        self, method: Method, theta: torch.Tensor, psi: torch.Tensor, h: float
    ) -> tuple[torch.Tensor, torch.Tensor]:
        for _ in range(self.n_critic):
            grad_psi = method_grads(method, theta, psi, g=False)[1]
            psi = method.project(psi - h * grad_psi).detach().requires_grad_(True)
        grad_theta = method_grads(method, theta, psi, d=False)[0]
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
    int_at_least("steps", steps, 0)
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
