"""Gradient penalties on the discriminator, as pure functions of ``D`` and a batch."""

from __future__ import annotations

from collections.abc import Callable

import torch

from .checks import float_tensor, number_at_least

__all__ = ["gradient_penalty", "r1", "r2", "input_gradient", "input_gradient_norm"]

Discriminator = Callable[[torch.Tensor], torch.Tensor]


def input_gradient(D: Discriminator, x: torch.Tensor, create_graph: bool = True) -> torch.Tensor:
    """The gradient of D's logit with respect to its input, one per sample.

    Args:
        D: Maps ``(N, ...)`` inputs to logits ``(N,)``.
        x: Points at which to differentiate, shape ``(N, ...)``.
        create_graph: Keep the graph so the gradient can itself be differentiated (penalties).

    Returns:
        ``grad_x D(x)`` flattened per sample, shape ``(N, features)``.
    """
    if not callable(D):
        raise TypeError(f"D must be a callable module (N, ...) -> (N,), got {type(D).__name__}")
    if not isinstance(x, torch.Tensor) or x.ndim < 2:
        raise ValueError(f"x must be a tensor of shape (N, ...), got {getattr(x, 'shape', x)!r}")
    float_tensor("x", x, finite=False)
    x = x.detach().requires_grad_(True)
    with torch.enable_grad():
        out = D(x)
        (grad,) = torch.autograd.grad(out.sum(), x, create_graph=create_graph)
    return grad.flatten(1)  # (N, features)


def input_gradient_norm(D: Discriminator, x: torch.Tensor, create_graph: bool = True) -> torch.Tensor:
    """Per-sample norm ``||grad_x D(x)||_2``, shape ``(N,)`` (see :func:`input_gradient`)."""
    return input_gradient(D, x, create_graph).norm(dim=1)


def gradient_penalty(
    D: Discriminator, x_real: torch.Tensor, x_fake: torch.Tensor, center: float = 1.0
) -> torch.Tensor:
    r"""WGAN-GP penalty (Gulrajani et al. 2017), without its weight :math:`\lambda`.

    .. math:: \mathbb{E}_{\hat x}\big[(\lVert \nabla_{\hat x} D(\hat x) \rVert_2 - c)^2\big],
        \quad \hat x = \epsilon x_\text{real} + (1 - \epsilon) x_\text{fake},\ \epsilon \sim U[0, 1].

    Args:
        D: The discriminator (logits ``(N,)``).
        x_real: Real batch ``(N, ...)``, any shape after the batch dimension.
        x_fake: Fake batch of the same shape.
        center: The target norm ``c``; 1 for WGAN-GP, 0 gives the "zero-centered" GP.

    Returns:
        A scalar tensor that can be back-propagated to D's parameters.
    """
    float_tensor("x_real", x_real, finite=False)
    float_tensor("x_fake", x_fake, finite=False)
    number_at_least("center", center, 0.0)
    if x_real.shape != x_fake.shape:
        raise ValueError(
            f"x_real and x_fake must have the same shape, got {tuple(x_real.shape)} and {tuple(x_fake.shape)}"
        )
    eps_shape = (x_real.shape[0],) + (1,) * (x_real.ndim - 1)
    eps = torch.rand(eps_shape, device=x_real.device, dtype=x_real.dtype)
    x_hat = eps * x_real.detach() + (1 - eps) * x_fake.detach()
    if center == 0:  # the squared norm itself: smooth where the gradient vanishes (the norm's sqrt is not)
        return input_gradient(D, x_hat).pow(2).sum(dim=1).mean()
    return (input_gradient_norm(D, x_hat) - center).pow(2).mean()


def r1(D: Discriminator, x_real: torch.Tensor) -> torch.Tensor:
    r"""R1 (Mescheder et al. 2018): :math:`\mathbb{E}_{x \sim p_\text{data}} \lVert \nabla_x D(x) \rVert^2`.

    The paper's regularizer is :math:`\tfrac{\gamma}{2}` times this value.
    """
    return input_gradient(D, x_real).pow(2).sum(1).mean()  # no sqrt: smooth where the gradient is 0


def r2(D: Discriminator, x_fake: torch.Tensor) -> torch.Tensor:
    r"""R2 (Mescheder et al. 2018): :math:`\mathbb{E}_{x \sim p_G} \lVert \nabla_x D(x) \rVert^2`."""
    return input_gradient(D, x_fake).pow(2).sum(1).mean()
