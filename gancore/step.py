"""`Batch` and `Step`: what data adapters return, and the small context every technique hook receives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import torch
from torch import nn

if TYPE_CHECKING:
    from .losses import GANLoss

__all__ = ["Batch", "Step"]


class Batch(NamedTuple):
    """A batch of samples ``x`` ``(N, ...)`` and, when the data has them, their labels ``y``
    ``(N,)`` (int64; ``None`` for unlabelled data)."""

    x: torch.Tensor
    y: torch.Tensor | None = None


@dataclass
class Step:
    """What a technique's hooks see of the update in progress (filled in as the update proceeds).

    A hook reads what it needs and leaves the rest: ``x_real`` and ``x_fake`` are D's inputs
    after every ``d_input`` hook, ``d_real`` and ``d_fake`` D's logits ``(N,)``; fields that the
    update has not reached yet are ``None``.

    Attributes:
        index: Generator steps done before this one (0 for the first).
        loss: The trainer's loss pair.
        x_real: The real batch D sees.
        y_real: Its labels, or ``None``.
        x_fake: The generated batch D sees.
        y_fake: The labels G was asked for, or ``None``.
        d_real: D's logits on ``x_real``.
        d_fake: D's logits on ``x_fake``.
        loss_d: D's loss so far (after ``d_loss`` hooks and penalties).
        loss_g: G's loss so far (after ``g_loss`` hooks).
        next_real: Draws another real :class:`Batch` (for look-ahead techniques).
        d_loss: ``d_loss(D, x_real, x_fake)``: D's full loss on a batch, as the D update computes it
            (for look-ahead copies of D, as in unrolled GANs).
        d_input: ``d_input(x)``: ``x`` through every technique's ``d_input`` hook, as D sees it.
        generate: ``generate(n)``: ``(G(z), y)`` for ``n`` fresh latents, with gradients to G.
    """

    index: int
    loss: GANLoss
    x_real: torch.Tensor | None = None
    y_real: torch.Tensor | None = None
    x_fake: torch.Tensor | None = None
    y_fake: torch.Tensor | None = None
    d_real: torch.Tensor | None = None
    d_fake: torch.Tensor | None = None
    loss_d: torch.Tensor | None = None
    loss_g: torch.Tensor | None = None
    next_real: Callable[[], Batch] | None = field(default=None, repr=False)
    d_loss: Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor] | None = field(
        default=None, repr=False
    )
    d_input: Callable[[torch.Tensor], torch.Tensor] | None = field(default=None, repr=False)
    generate: Callable[[int], tuple[torch.Tensor, torch.Tensor | None]] | None = field(
        default=None, repr=False
    )
