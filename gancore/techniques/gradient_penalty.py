"""WGAN-GP: a penalty on the critic's input-gradient norm between real and fake samples."""

from __future__ import annotations

import torch
from torch import nn

from ..penalties import gradient_penalty
from ..step import Step
from .base import Penalty

__all__ = ["GradientPenalty"]


class GradientPenalty(Penalty):
    r"""Add :math:`\lambda\,\mathbb{E}_{\hat x}[(\lVert\nabla_{\hat x} D(\hat x)\rVert_2 - c)^2]` to D's loss.

    :math:`\hat x` is drawn uniformly on segments between real and fake samples (Gulrajani et
    al. 2017, "Improved Training of Wasserstein GANs"). With :math:`c = 1` it softly enforces
    the 1-Lipschitz constraint of the WGAN critic; :math:`c = 0` gives the zero-centered variant
    whose equilibrium is stable (Mescheder et al. 2018). See :func:`gancore.penalties.gradient_penalty`.

    Args:
        weight: :math:`\lambda` (10 in the paper).
        center: The target norm :math:`c`.
    """

    column = "gp"  # the History column of the weighted penalty

    def __init__(self, weight: float = 10.0, center: float = 1.0) -> None:
        if not isinstance(weight, (int, float)) or weight < 0:
            raise ValueError(f"weight must be a non-negative number, got {weight!r}")
        self.weight = float(weight)
        self.center = float(center)

    def penalty(self, D: nn.Module, step: Step) -> torch.Tensor:
        return self.weight * gradient_penalty(D, step.x_real, step.x_fake, center=self.center)
