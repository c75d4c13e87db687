"""Element-wise gradient clipping of D's and/or G's parameters before each optimizer step."""

from __future__ import annotations

from torch import nn

from ..step import Step
from .base import Technique

__all__ = ["ClipGradValue"]


class ClipGradValue(Technique):
    r"""Clamp every gradient entry to :math:`[-c, c]`.

    .. math:: g_i \leftarrow \min(\max(g_i, -c), c)

    Unlike :class:`~gancore.techniques.ClipGradNorm`, which rescales the whole gradient and
    keeps its direction, clipping values changes the direction whenever some entries exceed
    :math:`c` (large entries are shrunk, small ones are not). Mikolov (2012), "Statistical
    Language Models Based on Neural Networks" (PhD thesis); compared with norm
    clipping by Pascanu, Mikolov & Bengio (2013), "On the difficulty of training recurrent
    neural networks".

    Args:
        clip_value: The bound :math:`c` (positive).
        d: Clip the discriminator's gradients.
        g: Clip the generator's gradients.
    """

    def __init__(self, clip_value: float, d: bool = True, g: bool = True) -> None:
        if isinstance(clip_value, bool) or not isinstance(clip_value, (int, float)) or not clip_value > 0:
            raise ValueError(f"clip_value must be a positive number, got {clip_value!r}")
        if not (d or g):
            raise ValueError("ClipGradValue needs d=True or g=True (or both)")
        self.clip_value = float(clip_value)
        self.d = d
        self.g = g

    def after_d_backward(self, D: nn.Module, step: Step) -> None:
        if self.d:
            nn.utils.clip_grad_value_(D.parameters(), self.clip_value)

    def after_g_backward(self, G: nn.Module, step: Step) -> None:
        if self.g:
            nn.utils.clip_grad_value_(G.parameters(), self.clip_value)
