"""A foil for gradient normalization: each *parameter* gradient rescaled by its own mean square."""

from __future__ import annotations

from torch import nn

from ..step import Step
from .base import Technique

__all__ = ["NormalizeParamGrads"]


class NormalizeParamGrads(Technique):
    r"""Divide every parameter gradient by a power of its mean square, before the optimizer step.

    .. math:: g \leftarrow \frac{g}{\operatorname{mean}(g^2)^{p/2} + \epsilon}

    ``power=1`` gives unit root mean square per tensor (:math:`g / \mathrm{RMS}(g)`), the "normalize
    the gradients" recipe of tutorials and forum answers; ``power=2`` divides by the mean square
    itself (:math:`g / \operatorname{mean}(g^2)`), as some of them literally write it. Kept as a
    *foil* for :class:`~gancore.techniques.GradientNormalization` (Wu et al. 2021): it rescales
    :math:`\nabla_\theta L`, the gradient with respect to the parameters, which says how far an
    update moves, not :math:`\nabla_x D`, the input gradient that a Lipschitz bound is about.
    With ``power=2`` the step grows as the gradient shrinks (:math:`\lVert g\rVert^{-1}` scaling),
    the opposite of what a normalization should do.

    Args:
        power: 1 (divide by the RMS) or 2 (divide by the mean square).
        d: Rescale D's gradients.
        g: Rescale G's gradients.
        eps: Added to the divisor, so an all-zero gradient stays zero.
    """

    def __init__(self, power: int = 1, d: bool = True, g: bool = False, eps: float = 1e-12) -> None:
        if power not in (1, 2):
            raise ValueError(f"power must be 1 or 2, got {power!r}")
        if not (d or g):
            raise ValueError("NormalizeParamGrads needs d=True or g=True (or both)")
        if not isinstance(eps, (int, float)) or not eps > 0:
            raise ValueError(f"eps must be a positive number, got {eps!r}")
        self.power, self.d, self.g, self.eps = power, d, g, float(eps)

    def _rescale(self, module: nn.Module) -> None:
        for p in module.parameters():
            if p.grad is not None:
                p.grad.div_(p.grad.pow(2).mean().pow(self.power / 2) + self.eps)

    def after_d_backward(self, D: nn.Module, step: Step) -> None:
        if self.d:
            self._rescale(D)

    def after_g_backward(self, G: nn.Module, step: Step) -> None:
        if self.g:
            self._rescale(G)
