"""`GAN`: a generator, a discriminator and the latent prior they share."""

from __future__ import annotations

import torch
from torch import nn

from .checks import positive_int

__all__ = ["GAN"]


class GAN(nn.Module):
    """The pair of players and the standard-normal latent prior ``z ~ N(0, I)``.

    Args:
        G: Maps latents ``(N, latent_dim)`` to samples.
        D: Maps samples to logits of shape ``(N,)``; higher means "more real".
        latent_dim: Size of the latent vector fed to ``G``.

    Example:
        >>> import gancore as gc
        >>> gan = gc.GAN(gc.models.MLPGenerator(2, 2), gc.models.MLPDiscriminator(2), latent_dim=2)
        >>> gan.sample(5).shape
        torch.Size([5, 2])
    """

    def __init__(self, G: nn.Module, D: nn.Module, latent_dim: int) -> None:
        super().__init__()
        if not isinstance(G, nn.Module) or not isinstance(D, nn.Module):
            raise TypeError(
                f"G and D must be torch.nn.Module instances, got {type(G).__name__} and {type(D).__name__}"
            )
        positive_int("latent_dim", latent_dim)
        self.G = G
        self.D = D
        self.latent_dim = latent_dim

    @property
    def device(self) -> torch.device:
        """The device of G's parameters (CPU for a parameter-free G)."""
        return next(self.G.parameters(), torch.empty(0)).device

    def sample_latent(self, n: int) -> torch.Tensor:
        """Draw ``n`` latents from the prior on G's device.

        Args:
            n: Number of latents.

        Returns:
            A tensor of shape ``(n, latent_dim)``.
        """
        positive_int("n", n)
        return torch.randn(n, self.latent_dim, device=self.device)

    @torch.no_grad()
    def sample(self, n: int | None = None, z: torch.Tensor | None = None) -> torch.Tensor:
        """Generate samples without tracking gradients.

        Args:
            n: Number of samples from fresh latents (give ``n`` or ``z``).
            z: Latents of shape ``(N, latent_dim)`` to decode instead.

        Returns:
            ``G(z)`` on G's device.
        """
        if (n is None) == (z is None):
            raise ValueError("give exactly one of n (a count) or z (latents)")
        if z is None:
            z = self.sample_latent(n)
        elif z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"z must have shape (N, {self.latent_dim}), got {tuple(z.shape)}")
        return self.G(z.to(self.device))
