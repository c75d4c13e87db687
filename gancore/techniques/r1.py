"""R1: a zero-centered penalty on the discriminator's input gradient at real data."""

from __future__ import annotations

import torch
from torch import nn

from ..penalties import r1
from ..step import Step
from .base import Penalty

__all__ = ["R1"]


class R1(Penalty):
    r"""Add the R1 penalty to the D loss.

    .. math:: \tfrac{\gamma}{2}\,\mathbb{E}_{x\sim p_\text{data}}\lVert\nabla_x D(x)\rVert^2

    Mescheder, Geiger & Nowozin (2018), "Which Training Methods for GANs do actually
    Converge?": penalizing D's slope on the data makes the equilibrium locally
    asymptotically stable, where unregularized training can orbit it forever.
    See :func:`gancore.penalties.r1`.

    Args:
        gamma: The regularization weight :math:`\gamma`.
    """

    column = "r1"  # the History column of the weighted penalty

    def __init__(self, gamma: float = 10.0) -> None:
        if not isinstance(gamma, (int, float)) or gamma < 0:
            raise ValueError(f"gamma must be a non-negative number, got {gamma!r}")
        self.gamma = float(gamma)

    def penalty(self, D: nn.Module, step: Step) -> torch.Tensor:
        return 0.5 * self.gamma * r1(D, step.x_real)
