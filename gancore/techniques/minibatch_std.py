"""Minibatch standard deviation: D sees how varied the batch is, as one extra input feature."""

from __future__ import annotations

import torch

from ..step import Step
from .base import Technique

__all__ = ["MinibatchStd"]


class MinibatchStd(Technique):
    r"""Append the batch's standard deviation to every input of D (Karras et al. 2018).

    Karras, Aila, Laine & Lehtinen (2018), "Progressive Growing of GANs for Improved Quality,
    Stability, and Variation", ICLR, Sec. 3. A collapsed generator produces batches with almost
    no spread, which a per-sample D cannot see. The batch is split into groups of ``group_size``
    samples (sample ``i`` joins group ``i mod (N / group_size)``); for each group the standard
    deviation of every feature over its members is averaged into one number

    .. math:: s = \frac{1}{F}\sum_{f=1}^{F} \sqrt{\operatorname{Var}_{\text{group}}[x_f] + 10^{-8}},

    and :math:`s` is appended to each member of the group as one more feature: ``(N, F)``
    becomes ``(N, F + 1)``, and images ``(N, C, H, W)`` gain a constant channel,
    ``(N, C + 1, H, W)``. Real and generated batches are treated separately, so a collapsed
    fake batch carries a small :math:`s` that D learns to reject, and G's gradient through
    :math:`s` pushes its samples apart.

    The paper inserts the statistic near D's end; here it is a ``d_input`` hook on D's input,
    so any D works as long as it is built with one more input feature or channel
    (``MLPDiscriminator(in_dim=3)`` for 2-D data).

    Args:
        group_size: Samples per group (4 in the paper); the batch size must be a multiple of it.
    """

    def __init__(self, group_size: int = 4) -> None:
        if isinstance(group_size, bool) or not isinstance(group_size, int) or group_size < 2:
            raise ValueError(f"group_size must be an int >= 2, got {group_size!r}")
        self.group_size = group_size

    def d_input(self, x: torch.Tensor, step: Step) -> torch.Tensor:
        n = x.shape[0]
        if x.ndim not in (2, 4) or n % self.group_size:
            raise ValueError(
                f"MinibatchStd needs (N, F) or (N, C, H, W) inputs with N a multiple of "
                f"group_size={self.group_size}, got {tuple(x.shape)}"
            )
        groups = x.reshape(self.group_size, n // self.group_size, -1)  # (group_size, M, features)
        spread = (groups.var(dim=0, unbiased=False) + 1e-8).sqrt().mean(dim=1)  # (M,)
        s = spread.repeat(self.group_size)  # (N,): sample i gets its group i mod M
        extra = s.view(n, 1, *([1] * (x.ndim - 2))).expand(n, 1, *x.shape[2:])  # (N, 1) or (N, 1, H, W)
        return torch.cat([x, extra], dim=1)
