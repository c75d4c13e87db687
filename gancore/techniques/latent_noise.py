"""Latent noise: Gaussian noise added to the generator's input z (a foil for instance noise)."""

from __future__ import annotations

import torch
from torch import nn

from .base import Technique

__all__ = ["LatentNoise", "NoisyLatentG"]


class NoisyLatentG(nn.Module):
    r"""Wrap a generator as :math:`z \mapsto G(z + \sigma\varepsilon)`, a fresh noise per sample.

    :math:`\varepsilon \sim \mathcal{N}(0, I)`. The noise is drawn in training mode only; in eval mode the
    wrapper is exactly ``G``. Its parameters are those of the wrapped ``G``.

    Args:
        G: The generator, mapping latents ``(N, latent_dim)`` to samples.
        std: The noise standard deviation :math:`\sigma` (in latent units).
    """

    def __init__(self, G: nn.Module, std: float) -> None:
        super().__init__()
        if not isinstance(G, nn.Module):
            raise TypeError(f"G must be a torch.nn.Module, got {type(G).__name__}")
        self.G = G
        self.std = float(std)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if self.training and self.std > 0:
            z = z + self.std * torch.randn_like(z)  # (N, latent_dim)
        return self.G(z)


class LatentNoise(Technique):
    r"""Perturb G's input: train :math:`G(z + \sigma\varepsilon)` instead of :math:`G(z)`.

    A tempting alternative to instance noise that does *not* do its job. With
    :math:`z \sim \mathcal{N}(0, I)` and independent :math:`\varepsilon \sim \mathcal{N}(0, I)`,
    :math:`z + \sigma\varepsilon \sim \mathcal{N}(0, (1 + \sigma^2) I)`, so

    .. math:: G(z + \sigma\varepsilon) \overset{d}{=} G\big(\sqrt{1 + \sigma^2}\, z\big):

    the noise only rescales the prior, which G's first layer absorbs. The samples still lie
    on the image of :math:`\mathbb{R}^{k}` under G (a set of dimension at most
    ``latent_dim``), so real and fake supports can stay disjoint and D can still separate
    them, the failure that instance noise (noise on D's *inputs*, Sønderby et al. 2017;
    Arjovsky & Bottou 2017) addresses by making the two distributions overlap.

    ``wrap_g`` wraps the trainer's G in :class:`NoisyLatentG` (the caller's G is left as it is,
    and shares its parameters); call ``trainer.gan.G.eval()`` to
    sample without the noise.

    Args:
        std: Noise standard deviation :math:`\sigma` (non-negative).
    """

    def __init__(self, std: float) -> None:
        if isinstance(std, bool) or not isinstance(std, (int, float)) or std < 0:
            raise ValueError(f"std must be a non-negative number, got {std!r}")
        self.std = float(std)

    def wrap_g(self, G: nn.Module) -> nn.Module:
        return G if isinstance(G, NoisyLatentG) else NoisyLatentG(G, self.std)  # idempotent
