"""Spectral normalization: every weight matrix of D divided by its largest singular value."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call

from ..checks import positive_int
from .base import Technique

__all__ = ["SpectralNorm", "SpectralNormalizedD"]


class SpectralNormalizedD(nn.Module):
    r"""Wrap a discriminator so that it computes with :math:`W / \sigma(W)` for every weight ``W``.

    Every parameter with two or more axes (``Linear`` weights ``(out, in)``; ``Conv2d`` weights
    ``(out, in, k, k)``, read as the matrix ``(out, in k k)`` as in the paper) is divided by an
    estimate of its spectral norm :math:`\sigma(W) = \max_{\lVert v \rVert = 1} \lVert W v \rVert`.
    The estimate comes from power iteration with a persistent vector ``u`` (one buffer per
    weight): in training mode each forward pass first refines it,

    .. math:: v \leftarrow W^\top u / \lVert W^\top u \rVert, \qquad
              u \leftarrow W v / \lVert W v \rVert, \qquad \sigma \approx u^\top W v,

    and gradients flow through :math:`u^\top W v` with ``u`` and ``v`` held fixed (as
    ``torch.nn.utils.parametrizations.spectral_norm`` does). Since weights change little per
    step, one iteration per pass tracks :math:`\sigma` closely. The wrapped module is called
    with the normalized weights through ``torch.func.functional_call``, so its own parameters
    are never replaced: the caller's ``D`` stays a plain module and shares every parameter.

    With 1-Lipschitz activations (ReLU, LeakyReLU) the product of the layers' norms, 1 at
    convergence, bounds D's Lipschitz constant; :meth:`lipschitz_bound` measures it with exact
    singular values.

    Args:
        D: The discriminator.
        n_power_iterations: Power-iteration steps per forward pass in training mode.
    """

    def __init__(self, D: nn.Module, n_power_iterations: int = 1) -> None:
        super().__init__()
        if not isinstance(D, nn.Module):
            raise TypeError(f"D must be a torch.nn.Module, got {type(D).__name__}")
        self.D = D
        self.n_power_iterations = positive_int("n_power_iterations", n_power_iterations)
        self.weight_names = [name for name, p in D.named_parameters() if p.ndim >= 2]
        if not self.weight_names:
            raise ValueError("D has no weight matrices to normalize")
        init = torch.Generator().manual_seed(0)  # u's start does not depend on torch's global state
        for i, name in enumerate(self.weight_names):
            rows = D.get_parameter(name).shape[0]
            u = F.normalize(torch.randn(rows, generator=init), dim=0)
            self.register_buffer(f"u{i}", u.to(D.get_parameter(name)))

    def _matrices(self) -> list[torch.Tensor]:
        return [self.D.get_parameter(name).flatten(1) for name in self.weight_names]  # (out, in...)

    def sigmas(self) -> list[torch.Tensor]:
        """The current estimates :math:`u^\\top W v` of each weight's spectral norm (no update)."""
        with torch.no_grad():
            return [self._sigma(i, W) for i, W in enumerate(self._matrices())]

    def _sigma(self, i: int, W: torch.Tensor) -> torch.Tensor:
        u = getattr(self, f"u{i}")
        v = F.normalize(W.detach().T @ u, dim=0)  # (in,)
        return u @ W @ v  # differentiable in W, with u and v fixed

    def _power_iteration(self, i: int, W: torch.Tensor) -> None:
        with torch.no_grad():
            u = getattr(self, f"u{i}")
            for _ in range(self.n_power_iterations):
                v = F.normalize(W.T @ u, dim=0)  # (in,)
                u = F.normalize(W @ v, dim=0)  # (out,)
            setattr(self, f"u{i}", u)  # a new tensor: earlier passes' graphs still hold the old u

    def normalized_weights(self) -> dict[str, torch.Tensor]:
        """``{name: W / sigma}`` for every weight, refining ``u`` first in training mode."""
        weights = {}
        for i, (name, W) in enumerate(zip(self.weight_names, self._matrices(), strict=True)):
            if self.training:
                self._power_iteration(i, W)
            weights[name] = self.D.get_parameter(name) / self._sigma(i, W)
        return weights

    def lipschitz_bound(self) -> float:
        """The product of the normalized weights' exact spectral norms (a bound on D's slope)."""
        bound = 1.0
        with torch.no_grad():
            for i, W in enumerate(self._matrices()):
                bound *= torch.linalg.matrix_norm(W / self._sigma(i, W), ord=2).item()
        return bound

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return functional_call(self.D, self.normalized_weights(), inputs)


class SpectralNorm(Technique):
    r"""Replace D by :class:`SpectralNormalizedD` (Miyato et al. 2018).

    Miyato, Kataoka, Koyama & Yoshida (2018), "Spectral Normalization for Generative
    Adversarial Networks", ICLR. Dividing each layer's weight by its spectral norm makes each
    linear map 1-Lipschitz, and with 1-Lipschitz activations the whole D is too: a
    constraint like weight clipping's, but one that keeps each layer's largest direction at
    full strength instead of shrinking every entry. It costs one matrix-vector product pair
    per weight and forward pass, and works with any loss (the paper pairs it with the hinge
    loss). Unlike the gradient penalty it constrains D everywhere, not only where samples
    are, and it bounds the product of layer norms, which can be much larger than D's actual
    slope (the bound is loose, so the constraint is stronger than it needs to be).

    Args:
        n_power_iterations: Power-iteration steps per forward pass (1 in the paper).
    """

    def __init__(self, n_power_iterations: int = 1) -> None:
        self.n_power_iterations = positive_int("n_power_iterations", n_power_iterations)

    def wrap_d(self, D: nn.Module) -> nn.Module:
        if isinstance(D, SpectralNormalizedD):  # idempotent
            return D
        return SpectralNormalizedD(D, self.n_power_iterations)
