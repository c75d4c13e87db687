"""Feature matching: G matches the mean of D's hidden features on real data, instead of fooling D."""

from __future__ import annotations

import torch
from torch import nn

from ..gan import GAN
from ..losses import GANLoss
from ..step import Step
from .base import Technique

__all__ = ["FeatureMatching"]


class FeatureMatching(Technique):
    r"""Replace G's loss by :math:`\lVert \mathbb{E}_{x} f(x) - \mathbb{E}_{z} f(G(z)) \rVert_2^2`.

    Salimans, Goodfellow, Zaremba, Cheung, Radford & Chen (2016), "Improved Techniques for
    Training GANs", Sec. 3.1. ``f`` is D's last hidden layer (``D.features``, which the book's
    discriminators have). Instead of moving its samples to wherever D's logit is highest
    (a single point, for a collapsing G), G matches the statistics D finds useful, averaged over
    a real batch drawn for the purpose. The expectation over a batch is a moment-matching
    objective, so a G that places all its samples at one point pays for the missing spread.
    D trains as before; G's loss no longer depends on the loss pair.

    Args:
        weight: Multiplies the feature-matching loss (it replaces G's loss; the scale matters
            only through the optimizer's effective step).
    """

    def __init__(self, weight: float = 1.0) -> None:
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not weight > 0:
            raise ValueError(f"weight must be a positive number, got {weight!r}")
        self.weight = float(weight)
        self._D: nn.Module | None = None

    def check(self, gan: GAN, loss: GANLoss) -> None:
        if not callable(getattr(gan.D, "features", None)):
            raise TypeError(
                f"FeatureMatching needs a discriminator with a features(x) method, got {type(gan.D).__name__}"
            )

    def g_discriminator(self, D: nn.Module, step: Step) -> nn.Module:
        self._D = D
        return D

    def g_loss(self, loss_g: torch.Tensor, step: Step) -> torch.Tensor:
        D = self._D
        features = getattr(D, "features", None)
        if features is None or step.next_real is None or step.d_input is None:
            raise RuntimeError(
                "FeatureMatching needs the trainer's step context and a D with features(x) "
                "(put techniques that wrap D after it, or leave them out)"
            )
        with torch.no_grad():
            f_real = features(step.d_input(step.next_real().x)).mean(0)  # (features,)
        f_fake = features(step.x_fake).mean(0)  # (features,)
        return self.weight * (f_real - f_fake).pow(2).sum()

    def __repr__(self) -> str:
        return f"FeatureMatching(weight={self.weight!r})"
