"""The plug-in protocol: a `Technique` overrides the hooks it needs; the rest do nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

if TYPE_CHECKING:
    from ..gan import GAN
    from ..losses import GANLoss
    from ..step import Step

__all__ = ["Technique", "Penalty"]


class Technique:
    """Base class of every stabilization technique passed to ``Trainer(techniques=[...])``.

    The trainer calls the hooks below in this order; each default leaves training unchanged,
    so a technique overrides only what it changes. Every hook but the first three receives the
    :class:`~gancore.step.Step` in progress (step index, batches, D's logits, losses), never
    the trainer. Techniques compose: wrappers and transforms apply in list order, extra loss
    terms add up.

    Building the trainer::

        check(gan, loss)                                 (refuse an incompatible loss or GAN)
        G = wrap_g(G); D = wrap_d(D)                     (spectral norm, gradient normalization)
        sampler(G)                                       (the G used to sample: an EMA copy)

    One D update::

        x_real, x_fake  ->  d_input(x, step) for both    (instance noise, packing)
        loss_d = d_loss(loss.d(d_real, d_fake), step)    (changed targets: label smoothing)
               + sum of d_penalty(D, step)               (GP, R1, R2)
        backward -> after_d_backward(D, step)            (gradient clipping)
        step     -> after_d_step(D, step)                (weight clipping)

    One G update::

        D_g = g_discriminator(D, step)                   (unrolled GAN: a look-ahead copy of D)
        loss_g = g_loss(loss.g(D_g(d_input(G(z), step))), step)   (feature matching)
        backward -> after_g_backward(G, step); step -> after_g_step(G, step)   (EMA of G)
        log(step)                                        (the technique's own measurements)

    Wrappers must be idempotent (wrapping twice changes nothing) and share the wrapped module's
    parameters; the trainer keeps them in its own ``trainer.gan`` and never replaces the
    caller's modules. Techniques with state (EMA weights, annealing) save it in ``state_dict``.
    """

    def check(self, gan: GAN, loss: GANLoss) -> None:
        """Raise a clear error if this technique cannot train ``gan`` with ``loss``."""

    def wrap_g(self, G: nn.Module) -> nn.Module:
        """The generator to train: ``G`` itself, or a wrapper sharing its parameters."""
        return G

    def wrap_d(self, D: nn.Module) -> nn.Module:
        """The discriminator to train: ``D`` itself, or a wrapper sharing its parameters."""
        return D

    def sampler(self, G: nn.Module) -> nn.Module | None:
        """The generator to sample from (snapshots, ``gan.sample``), or ``None`` for ``G``."""
        return None

    def d_input(self, x: torch.Tensor, step: Step) -> torch.Tensor:
        """Transform every input of D (real or fake, D update or G update)."""
        return x

    def d_loss(self, loss_d: torch.Tensor, step: Step) -> torch.Tensor:
        """Return the D loss, possibly replacing the loss pair's own (``step.d_real``, ``step.d_fake``)."""
        return loss_d

    def d_penalty(self, D: nn.Module, step: Step) -> torch.Tensor | None:
        """An extra term added to the D loss (already weighted), or ``None``."""
        return None

    def after_d_backward(self, D: nn.Module, step: Step) -> None:
        """Edit D's gradients before its optimizer step."""

    def after_d_step(self, D: nn.Module, step: Step) -> None:
        """Edit D's parameters after its optimizer step."""

    def g_discriminator(self, D: nn.Module, step: Step) -> nn.Module:
        """The discriminator that G's update is computed against (``D`` itself by default)."""
        return D

    def g_loss(self, loss_g: torch.Tensor, step: Step) -> torch.Tensor:
        """Return the G loss, possibly changed or replaced (feature matching)."""
        return loss_g

    def after_g_backward(self, G: nn.Module, step: Step) -> None:
        """Edit G's gradients before its optimizer step."""

    def after_g_step(self, G: nn.Module, step: Step) -> None:
        """Edit G's parameters (or shadow copies of them) after its optimizer step."""

    def log(self, step: Step) -> Mapping[str, float | torch.Tensor] | None:
        """Measurements to record in the trainer's History this step (new columns), or ``None``."""
        return None

    def state_dict(self) -> dict[str, Any]:
        """State to save with the trainer (tensors, numbers, lists, dicts)."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict`` returned."""

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({args})"


class Penalty(Technique):
    """A technique that adds one term to D's loss, and records that term in the History.

    Subclasses implement :meth:`penalty` (the weighted term) and name their History column
    ``column``; its value at each G step is the term of the last D step before it, so a
    chapter can watch how large the penalty is against the loss it regularizes.
    """

    column = "penalty"

    def penalty(self, D: nn.Module, step: Step) -> torch.Tensor:
        """The weighted penalty, a scalar tensor differentiable in D's parameters."""
        raise NotImplementedError

    def d_penalty(self, D: nn.Module, step: Step) -> torch.Tensor:
        value = self.penalty(D, step)
        self._last = float(value.detach())
        return value

    def log(self, step: Step) -> Mapping[str, float | torch.Tensor] | None:
        return {self.column: getattr(self, "_last", float("nan"))}
