"""Instance noise: Gaussian noise added to every input of the discriminator."""

from __future__ import annotations

import torch

from ..step import Step
from .base import Technique

__all__ = ["InstanceNoise"]


class InstanceNoise(Technique):
    r"""Add :math:`\mathcal{N}(0, \sigma_t^2 I)` to every real and fake input of D.

    Real and fake distributions with disjoint supports can be separated perfectly, and a
    perfect D gives G no useful gradient. Convolving both with the same Gaussian makes their
    supports overlap, so the divergence stays finite and smooth (Arjovsky & Bottou 2017;
    Sønderby et al. 2016, "Amortised MAP inference for image super-resolution", Sec. 3.2).
    The noise is applied in the D step and in the G step, since G is judged by the same D.

    With ``anneal_steps`` the standard deviation decays linearly,
    :math:`\sigma_t = \sigma \max(0, 1 - t / T)`, so the final model fits the clean data.

    Args:
        std: Noise standard deviation :math:`\sigma` (in data units).
        anneal_steps: Steps :math:`T` over which to decay the noise to zero; ``None`` keeps
            it constant.
    """

    def __init__(self, std: float, anneal_steps: int | None = None) -> None:
        if not isinstance(std, (int, float)) or std < 0:
            raise ValueError(f"std must be a non-negative number, got {std!r}")
        if anneal_steps is not None and (
            isinstance(anneal_steps, bool) or not isinstance(anneal_steps, int) or anneal_steps < 1
        ):
            raise ValueError(f"anneal_steps must be a positive int or None, got {anneal_steps!r}")
        self.std = float(std)
        self.anneal_steps = anneal_steps

    def std_at(self, step: int) -> float:
        """The noise standard deviation used at generator step ``step``."""
        if self.anneal_steps is None:
            return self.std
        return self.std * max(0.0, 1.0 - step / self.anneal_steps)

    def d_input(self, x: torch.Tensor, step: Step) -> torch.Tensor:
        std = self.std_at(step.index)
        return x + std * torch.randn_like(x) if std > 0 else x
