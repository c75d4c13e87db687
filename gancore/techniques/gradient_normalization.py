"""Gradient normalization: D's output divided by its input-gradient norm, Lipschitz by construction."""

from __future__ import annotations

import torch
from torch import nn

from .base import Technique

__all__ = ["GradientNormalization", "GradNormalizedD"]


class GradNormalizedD(nn.Module):
    r"""Wrap a discriminator ``f`` as :math:`\hat f(x) = f(x) / (\lVert \nabla_x f(x) \rVert_2 + |f(x)|)`.

    For a piecewise-linear ``f`` (ReLU / LeakyReLU networks) with local gradient :math:`g`,
    :math:`\nabla_x \hat f = g\,\lVert g \rVert / (\lVert g \rVert + |f|)^2`, whose norm is at most 1,
    and :math:`|\hat f| < 1`. The input gradient is computed per sample with
    ``create_graph=True``, so training backpropagates through it; ``f`` must treat samples
    independently (no batch norm in training mode). Under ``torch.no_grad()`` the output
    is detached. Its parameters are those of the wrapped ``D``.

    Args:
        D: The discriminator ``f``, returning logits ``(N,)``.
        batch_dims: Leading axes that index samples: 1 for inputs ``(N, ...)``, 2 for the
            ``(E, N, ...)`` inputs of E batched runs (:mod:`gancore.ensemble`).
    """

    def __init__(self, D: nn.Module, batch_dims: int = 1) -> None:
        super().__init__()
        if not isinstance(D, nn.Module):
            raise TypeError(f"D must be a torch.nn.Module, got {type(D).__name__}")
        if batch_dims not in (1, 2):
            raise ValueError(f"batch_dims must be 1 or 2, got {batch_dims!r}")
        self.D = D
        self.batch_dims = batch_dims

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        needs_graph = torch.is_grad_enabled()  # False under torch.no_grad(): plain evaluation
        with torch.enable_grad():
            if not x.requires_grad:
                x = x.detach().requires_grad_(True)
            f = self.D(x)  # (N,) or (E, N)
            (grad,) = torch.autograd.grad(f.sum(), x, create_graph=needs_graph)
            grad_norm = grad.flatten(self.batch_dims).norm(dim=-1)  # (N,) or (E, N)
            denom = (grad_norm + f.abs()).clamp_min(torch.finfo(f.dtype).tiny)  # 0 only where f = 0
            f_hat = f / denom
        return f_hat if needs_graph else f_hat.detach()


class GradientNormalization(Technique):
    r"""Replace D by :class:`GradNormalizedD` (Wu et al. 2021).

    Wu, Huang, Acharya & Van Gool (2021), "Gradient Normalization for Generative Adversarial
    Networks", ICCV. The normalized discriminator

    .. math:: \hat f(x) = \frac{f(x)}{\lVert \nabla_x f(x) \rVert_2 + |f(x)|}

    is 1-Lipschitz (piecewise) for any piecewise-linear ``f``, with no hyper-parameter, no
    sampling of interpolates (unlike the gradient penalty) and no per-layer constraint
    (unlike spectral normalization, which bounds every layer and so over-constrains the
    whole). Its outputs lie in :math:`(-1, 1)`, so it pairs with any loss on logits. The
    price: each D forward pass also computes an input gradient, and every update
    backpropagates through it (roughly 2-3x D's cost).
    """

    def wrap_d(self, D: nn.Module) -> nn.Module:
        return D if isinstance(D, GradNormalizedD) else GradNormalizedD(D)  # idempotent
