"""Weight clipping: the original WGAN's crude Lipschitz constraint on the critic."""

from __future__ import annotations

import torch
from torch import nn

from ..step import Step
from .base import Technique

__all__ = ["ClipWeights"]


class ClipWeights(Technique):
    r"""Clamp every parameter of D to :math:`[-c, c]` after each D update.

    .. math:: w \leftarrow \min(\max(w, -c), c)

    Arjovsky, Chintala & Bottou (2017), "Wasserstein GAN", Algorithm 1 (with ``c = 0.01``).
    The Wasserstein dual needs a 1-Lipschitz critic; bounded weights make D K-Lipschitz for
    some K that depends on the architecture, which is enough up to scale. The paper itself
    calls this "a clearly terrible way" to enforce the constraint: a small ``c`` makes the
    critic's gradients vanish, a large one makes training slow, and the weights pile up at
    :math:`\pm c` (Gulrajani et al. 2017). Clipping applies to parameters, not buffers.

    Args:
        c: The clipping bound (positive).
    """

    def __init__(self, c: float = 0.01) -> None:
        if isinstance(c, bool) or not isinstance(c, (int, float)) or not c > 0:
            raise ValueError(f"c must be a positive number, got {c!r}")
        self.c = float(c)

    @torch.no_grad()
    def after_d_step(self, D: nn.Module, step: Step) -> None:
        for p in D.parameters():
            p.clamp_(-self.c, self.c)
