"""PacGAN packing: D judges m samples at once, concatenated, so it can see a lack of variety."""

from __future__ import annotations

import torch

from ..step import Step
from .base import Technique

__all__ = ["Pack"]


class Pack(Technique):
    r"""Feed D packs of ``m`` samples of the same kind, concatenated along the feature axis.

    Lin, Khetan, Fanti & Oh (2018), "PacGAN: The power of two samples in generative adversarial
    networks", NeurIPS. A batch ``(N, F)`` becomes ``(N / m, m F)`` (images ``(N, C, H, W)``
    become ``(N / m, m C, H, W)``): consecutive samples are packed, and D returns one logit per
    pack, every pack either all real or all fake. The paper shows that D then effectively
    compares the product distributions :math:`P^m` and :math:`Q^m`, whose distance grows
    with :math:`m` much faster for a generator that drops modes than for one that merely
    blurs them: packing penalizes mode collapse specifically, with no change to the loss.
    D must be built for the packed width (``MLPDiscriminator(in_dim=m * 2)`` for 2-D data);
    its parameter count grows only in the first layer.

    Args:
        m: Samples per pack (2 to 4 in the paper); the batch size must be a multiple of it.
    """

    def __init__(self, m: int = 2) -> None:
        if isinstance(m, bool) or not isinstance(m, int) or m < 2:
            raise ValueError(f"m must be an int >= 2, got {m!r}")
        self.m = m

    def d_input(self, x: torch.Tensor, step: Step) -> torch.Tensor:
        if x.ndim < 2 or x.shape[0] % self.m:
            raise ValueError(
                f"Pack(m={self.m}) needs a batch (N, ...) with N a multiple of {self.m}, got {tuple(x.shape)}"
            )
        return x.reshape(x.shape[0] // self.m, self.m * x.shape[1], *x.shape[2:])  # (N/m, m*F, ...)
