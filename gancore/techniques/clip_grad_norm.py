"""Gradient-norm clipping of D's and/or G's parameters before each optimizer step."""

from __future__ import annotations

from torch import nn

from ..step import Step
from .base import Technique

__all__ = ["ClipGradNorm"]


class ClipGradNorm(Technique):
    r"""Rescale a network's gradient so its global L2 norm is at most ``max_norm``.

    .. math:: g \leftarrow g \cdot \min\!\left(1, \frac{c}{\lVert g \rVert_2}\right)

    Pascanu, Mikolov & Bengio (2013), "On the difficulty of training recurrent neural
    networks". It bounds the size of an update, never its direction: it can tame exploding
    steps, but it does not change which equilibrium the game moves towards.

    Args:
        max_norm: The largest allowed global gradient norm :math:`c`.
        d: Clip the discriminator's gradients.
        g: Clip the generator's gradients.
    """

    def __init__(self, max_norm: float, d: bool = True, g: bool = True) -> None:
        if not isinstance(max_norm, (int, float)) or not max_norm > 0:
            raise ValueError(f"max_norm must be a positive number, got {max_norm!r}")
        if not (d or g):
            raise ValueError("ClipGradNorm needs d=True or g=True (or both)")
        self.max_norm = float(max_norm)
        self.d = d
        self.g = g

    def after_d_backward(self, D: nn.Module, step: Step) -> None:
        if self.d:
            nn.utils.clip_grad_norm_(D.parameters(), self.max_norm)

    def after_g_backward(self, G: nn.Module, step: Step) -> None:
        if self.g:
            nn.utils.clip_grad_norm_(G.parameters(), self.max_norm)
