"""Diagnostics that train D against a frozen G and measure the gradient G would receive."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np
import torch
from torch import nn

from .checks import positive_int
from .config import TrainConfig
from .gan import GAN
from .losses import GANLoss
from .penalties import input_gradient_norm
from .step import Step
from .techniques.base import Technique
from .trainer import Data, Trainer

__all__ = ["FreezeGenerator", "GradientProbe", "generator_gradient_norm", "probe_generator_gradients"]


class FreezeGenerator(Technique):
    r"""Discard G's gradient after every G backward pass, so the optimizer never moves G.

    The trainer still runs its G step, so ``history["grad_norm_g"]`` records the norm of
    :math:`\nabla_\theta L_G` that G *would* follow while D alone trains: the experiment of
    Arjovsky & Bottou (2017), Sec. 2.2. Adam skips parameters whose ``.grad`` is ``None``.
    """

    def after_g_backward(self, G: nn.Module, step: Step) -> None:
        for p in G.parameters():
            p.grad = None


def generator_gradient_norm(G: nn.Module, D: nn.Module, loss: GANLoss, z: torch.Tensor) -> float:
    r"""Global L2 norm of :math:`\nabla_\theta L_G` over G's parameters, D held fixed.

    Uses ``torch.autograd.grad``, so no ``.grad`` attribute of G or D is touched.

    Args:
        G: The generator (its parameters are :math:`\theta`).
        D: The discriminator (logits ``(N,)``).
        loss: Supplies the generator loss ``loss.g(d_fake)``.
        z: Latents ``(N, latent_dim)`` on G's device.

    Returns:
        :math:`\lVert \nabla_\theta\, \texttt{loss.g}(D(G(z))) \rVert_2` as a float.
    """
    if not isinstance(loss, GANLoss):
        raise TypeError(f"loss must be a gancore.losses.GANLoss, got {type(loss).__name__}")
    params = [p for p in G.parameters() if p.requires_grad]
    if not params:
        raise ValueError("G has no parameters that require gradients")
    with torch.enable_grad():
        loss_g = loss.g(D(G(z)))
        grads = torch.autograd.grad(loss_g, params, allow_unused=True)
    norms = [g.norm() for g in grads if g is not None]
    return float(torch.stack(norms).norm()) if norms else 0.0


@dataclass(frozen=True)
class GradientProbe:
    r"""What :func:`probe_generator_gradients` measured at each checkpoint.

    Attributes:
        steps: D steps done at each checkpoint, shape ``(C,)``.
        grad_norm: For each named G loss, :math:`\lVert\nabla_\theta L_G\rVert` on each
            probe batch, shape ``(C, n_batches)``.
        d_fake: Mean logit ``D(G(z))`` over all probe latents, shape ``(C,)``.
        p_fake: Mean :math:`\sigma(D(G(z)))`, D's probability that a fake is real, ``(C,)``.
        input_grad: Mean :math:`\lVert\nabla_x D(x)\rVert` at the fake samples, shape ``(C,)``.
    """

    steps: np.ndarray
    grad_norm: dict[str, np.ndarray]
    d_fake: np.ndarray
    p_fake: np.ndarray
    input_grad: np.ndarray


def probe_generator_gradients(
    gan: GAN,
    data: Data,
    loss: GANLoss,
    checkpoints: Sequence[int],
    g_losses: Mapping[str, GANLoss],
    config: TrainConfig | None = None,
    techniques: Sequence[Technique] = (),
    n_batches: int = 8,
    probe_seed: int = 0,
) -> GradientProbe:
    """Train D alone (G frozen) and measure G's gradient for several G losses along the way.

    D is trained by a :class:`~gancore.Trainer` with ``loss`` (only its D part matters) and
    ``techniques`` plus :class:`FreezeGenerator`; ``config.steps`` is set to the last
    checkpoint. At every checkpoint, each G loss in ``g_losses`` is differentiated on the
    same ``n_batches`` fixed batches of latents (drawn from their own generator, so probing
    does not change the training run).

    Args:
        gan: The pair; G stays at its initial weights.
        data: Real data, as for :meth:`gancore.Trainer.fit`.
        loss: The loss pair whose ``d`` part trains D.
        checkpoints: Increasing D-step counts at which to measure (0 = the untrained D).
        g_losses: Named losses whose ``g`` part is differentiated, e.g.
            ``{"saturating": gc.losses.minimax, "non-saturating": gc.losses.nonsaturating}``.
        config: Batch size, D's optimizer and the seed (``steps`` is overridden).
        techniques: Extra techniques for D's training (penalties, weight clipping).
        n_batches: Probe batches of ``config.batch_size`` latents each.
        probe_seed: Seed of the probe latents.

    Returns:
        A :class:`GradientProbe`.
    """
    steps = [int(c) for c in checkpoints]
    if not steps or steps[0] < 0 or any(b <= a for a, b in pairwise(steps)):
        raise ValueError(f"checkpoints must be non-empty, non-negative and increasing, got {checkpoints!r}")
    if not g_losses:
        raise ValueError("g_losses must name at least one loss")
    positive_int("n_batches", n_batches)
    config = TrainConfig() if config is None else config
    config = replace(config, steps=max(steps[-1], 1), sample_every=None, progress=False)
    trainer = Trainer(gan, loss, config, techniques=[FreezeGenerator(), *techniques])
    G, D = gan.G, gan.D
    z_gen = torch.Generator().manual_seed(probe_seed)
    z = torch.randn(n_batches, config.batch_size, gan.latent_dim, generator=z_gen).to(trainer.device)
    norms = {name: np.zeros((len(steps), n_batches)) for name in g_losses}
    d_fake, p_fake, input_grad = (np.zeros(len(steps)) for _ in range(3))
    for i, step in enumerate(steps):
        trainer.fit(data, stop_at=step)
        for name, g_loss in g_losses.items():
            norms[name][i] = [generator_gradient_norm(G, D, g_loss, z_b) for z_b in z]
        with torch.no_grad():
            x_fake = G(z.flatten(0, 1))  # (n_batches * batch_size, dim)
            logits = D(x_fake)  # (n_batches * batch_size,)
            d_fake[i], p_fake[i] = float(logits.mean()), float(torch.sigmoid(logits).mean())
        input_grad[i] = float(input_gradient_norm(D, x_fake, create_graph=False).mean())
    return GradientProbe(np.asarray(steps), norms, d_fake, p_fake, input_grad)
