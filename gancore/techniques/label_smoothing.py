"""Label smoothing: D is trained towards soft targets instead of 1 (real) and 0 (fake)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F

from .base import Technique

if TYPE_CHECKING:
    from ..gan import GAN
    from ..losses import GANLoss
    from ..step import Step

__all__ = ["LabelSmoothing"]


class LabelSmoothing(Technique):
    r"""Replace D's targets 1 and 0 by ``real`` and ``fake`` in its cross-entropy loss.

    .. math::
        L_D = \mathbb{E}_x[\ell(D(x), r)] + \mathbb{E}_z[\ell(D(G(z)), f)],\qquad
        \ell(t, y) = -y \log\sigma(t) - (1 - y)\log(1 - \sigma(t)) = \operatorname{softplus}(t) - y\,t.

    The optimal D becomes :math:`\sigma(D^*) = (r\,p + f\,q) / (p + q)` (data density
    :math:`p`, model density :math:`q`): its logits stay finite, so an over-confident D no
    longer saturates. Salimans et al. (2016), "Improved Techniques for Training GANs",
    Sec. 3.4, recommend the *one-sided* form (``fake=0``): a positive fake target rewards
    D for fake samples where :math:`p = 0`, so G is not pushed away from them. ``fake > 0``
    gives the two-sided variant for comparison. Only G's loss is left unchanged.

    Args:
        real: Target for real samples (0.9 in the paper).
        fake: Target for fake samples (0 for one-sided smoothing).
    """

    def __init__(self, real: float = 0.9, fake: float = 0.0) -> None:
        for name, value in (("real", real), ("fake", fake)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
        if not fake < real:
            raise ValueError(f"fake must be smaller than real, got real={real!r}, fake={fake!r}")
        self.real = float(real)
        self.fake = float(fake)

    def check(self, gan: GAN, loss: GANLoss) -> None:
        if not loss.probabilistic:
            raise TypeError(
                f"LabelSmoothing needs a probabilistic (cross-entropy) loss such as gc.losses.nonsaturating, "
                f"got loss={loss!r}, whose D outputs are not log-odds"
            )

    def d_loss(self, loss_d: torch.Tensor, step: Step) -> torch.Tensor:
        d_real, d_fake = step.d_real, step.d_fake  # (N,) logits each
        loss_real = F.binary_cross_entropy_with_logits(d_real, torch.full_like(d_real, self.real))
        loss_fake = F.binary_cross_entropy_with_logits(d_fake, torch.full_like(d_fake, self.fake))
        return loss_real + loss_fake
