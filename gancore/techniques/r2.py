"""R2: a zero-centered penalty on the discriminator's input gradient at generated samples."""

from __future__ import annotations

import torch
from torch import nn

from ..penalties import r2
from ..step import Step
from .base import Penalty

__all__ = ["R2"]


class R2(Penalty):
    r"""Add the R2 penalty to the D loss.

    .. math:: \tfrac{\gamma}{2}\,\mathbb{E}_{x\sim p_G}\lVert\nabla_x D(x)\rVert^2

    Mescheder, Geiger & Nowozin (2018), "Which Training Methods for GANs do actually
    Converge?", Sec. 4.1: the twin of :class:`~gancore.techniques.R1`, penalizing D's slope
    on the generated samples instead of the data. At the equilibrium :math:`p_G = p_\text{data}`
    both penalties vanish and both make it locally asymptotically stable.
    See :func:`gancore.penalties.r2`.

    Args:
        gamma: The regularization weight :math:`\gamma`.
    """

    column = "r2"  # the History column of the weighted penalty

    def __init__(self, gamma: float = 10.0) -> None:
        if isinstance(gamma, bool) or not isinstance(gamma, (int, float)) or gamma < 0:
            raise ValueError(f"gamma must be a non-negative number, got {gamma!r}")
        self.gamma = float(gamma)

    def penalty(self, D: nn.Module, step: Step) -> torch.Tensor:
        return 0.5 * self.gamma * r2(D, step.x_fake)
