"""The plug-in protocol: a `Technique` overrides the hooks it needs; the rest do nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch
from torch import nn

if TYPE_CHECKING:
    from ..losses import GANLoss
    from ..trainer import Trainer

__all__ = ["Technique"]


class Technique:
    """Base class of every stabilization technique passed to ``Trainer(techniques=[...])``.

    The trainer calls the hooks below in this order; each default leaves training unchanged,
    so a technique overrides only what it changes. Techniques compose: transforms apply in
    list order, extra loss terms add up.

    One D update::

        x_real, x_fake  ->  d_input(x, step) for both    (instance noise, packing)
        loss_d = d_loss(loss.d(d_real, d_fake), ...)     (changed targets: label smoothing)
               + sum of d_penalty(D, x_real, x_fake)     (GP, R1, R2)
        backward -> after_d_backward(D)                  (gradient clipping)
        step     -> after_d_step(D)                      (weight clipping)

    One G update::

        D_g = g_discriminator(trainer, D)                (unrolled GAN: a look-ahead copy of D)
        loss_g = loss.g(D_g(d_input(G(z), step)))
        backward -> after_g_backward(G); step -> after_g_step(G)   (EMA of G)

    ``setup(trainer)`` runs once before the optimizers are built, so it may wrap or replace
    ``trainer.gan.D`` / ``trainer.gan.G`` (spectral norm, gradient normalization).
    Techniques with state (EMA weights, annealing) save it in ``state_dict``.
    """

    def setup(self, trainer: Trainer) -> None:
        """Prepare once per trainer, before the optimizers exist."""

    def d_input(self, x: torch.Tensor, step: int) -> torch.Tensor:
        """Transform every input of D (real or fake, D step or G step)."""
        return x

    def d_loss(
        self, loss_d: torch.Tensor, d_real: torch.Tensor, d_fake: torch.Tensor, loss: GANLoss
    ) -> torch.Tensor:
        """Return the D loss, possibly replacing the loss pair's own ``loss_d``."""
        return loss_d

    def d_penalty(self, D: nn.Module, x_real: torch.Tensor, x_fake: torch.Tensor) -> torch.Tensor | None:
        """An extra term added to the D loss (already weighted), or ``None``."""
        return None

    def after_d_backward(self, D: nn.Module) -> None:
        """Edit D's gradients before its optimizer step."""

    def after_d_step(self, D: nn.Module) -> None:
        """Edit D's parameters after its optimizer step."""

    def after_g_backward(self, G: nn.Module) -> None:
        """Edit G's gradients before its optimizer step."""

    def after_g_step(self, G: nn.Module) -> None:
        """Edit G's parameters (or shadow copies of them) after its optimizer step."""

    def g_discriminator(self, trainer: Trainer, D: nn.Module) -> nn.Module:
        """The discriminator that G's update is computed against (``D`` itself by default)."""
        return D

    def state_dict(self) -> dict[str, Any]:
        """State to save with the trainer (tensors, numbers, lists, dicts)."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict`` returned."""

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({args})"
