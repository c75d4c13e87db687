"""`GAN`: a generator, a discriminator, the latent prior they share, and the generator to sample from."""

from __future__ import annotations

import torch
from torch import nn

from .checks import float_tensor, positive_int

__all__ = ["GAN"]


class GAN(nn.Module):
    """The pair of players and the standard-normal latent prior ``z ~ N(0, I)``.

    A *conditional* GAN (``num_classes`` given) calls ``G(z, y)`` and ``D(x, y)`` with int64
    labels ``y`` ``(N,)``; an unconditional one calls ``G(z)`` and ``D(x)``.

    Args:
        G: Maps latents ``(N, latent_dim)`` (and labels) to samples.
        D: Maps samples (and labels) to logits of shape ``(N,)``; higher means "more real".
        latent_dim: Size of the latent vector fed to ``G``.
        num_classes: Number of classes of a conditional GAN; ``None`` for an unconditional one.

    Attributes:
        sampler: The generator that :meth:`sample` uses, when it is not ``G`` (an exponential
            moving average of G's weights, set by a technique); ``None`` uses ``G``.

    Example:
        >>> import gancore as gc
        >>> gan = gc.GAN(gc.models.MLPGenerator(2, 2), gc.models.MLPDiscriminator(2), latent_dim=2)
        >>> gan.sample(5).shape
        torch.Size([5, 2])
    """

    def __init__(self, G: nn.Module, D: nn.Module, latent_dim: int, num_classes: int | None = None) -> None:
        super().__init__()
        if not isinstance(G, nn.Module) or not isinstance(D, nn.Module):
            raise TypeError(
                f"G and D must be torch.nn.Module instances, got {type(G).__name__} and {type(D).__name__}"
            )
        positive_int("latent_dim", latent_dim)
        if num_classes is not None:
            positive_int("num_classes", num_classes)
        self.G = G
        self.D = D
        self.latent_dim = latent_dim
        self.num_classes = num_classes
        self.sampler: nn.Module | None = None

    @property
    def device(self) -> torch.device:
        """The device of G's parameters (CPU for a parameter-free G)."""
        return next(self.G.parameters(), torch.empty(0)).device

    @property
    def conditional(self) -> bool:
        """Whether G and D take labels."""
        return self.num_classes is not None

    def with_modules(self, G: nn.Module, D: nn.Module) -> GAN:
        """A GAN with other modules (wrappers of these, say) and the same prior, classes and sampler."""
        other = GAN(G, D, self.latent_dim, self.num_classes)
        other.sampler = self.sampler
        return other

    def sample_latent(self, n: int) -> torch.Tensor:
        """Draw ``n`` latents from the prior on G's device.

        Args:
            n: Number of latents.

        Returns:
            A tensor of shape ``(n, latent_dim)``.
        """
        positive_int("n", n)
        return torch.randn(n, self.latent_dim, device=self.device)

    def sample_labels(self, n: int) -> torch.Tensor | None:
        """``n`` uniform class labels on G's device for a conditional GAN, else ``None``."""
        positive_int("n", n)
        if self.num_classes is None:
            return None
        return torch.randint(self.num_classes, (n,), device=self.device)

    def _decode(self, G: nn.Module, z: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        return G(z) if self.num_classes is None else G(z, y)

    def generate(self, n: int) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``(G(z), y)`` for fresh latents (and labels), *with* gradients: the training draw."""
        z = self.sample_latent(n)
        y = self.sample_labels(n)
        return self._decode(self.G, z, y), y

    def discriminate(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """D's logits ``(N,)`` on ``x`` (with labels ``y`` for a conditional GAN)."""
        if self.conditional and y is None:
            raise ValueError("a conditional GAN's discriminator needs labels y")
        return self.D(x) if not self.conditional else self.D(x, y)

    @torch.no_grad()
    def sample(
        self, n: int | None = None, z: torch.Tensor | None = None, y: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Generate samples without tracking gradients, from :attr:`sampler` when set, else ``G``.

        Args:
            n: Number of samples from fresh latents (give ``n`` or ``z``).
            z: Latents of shape ``(N, latent_dim)`` to decode instead.
            y: Labels ``(N,)`` of a conditional GAN (uniform random ones when ``None``).

        Returns:
            Samples on G's device.
        """
        if (n is None) == (z is None):
            raise ValueError("give exactly one of n (a count) or z (latents)")
        if z is None:
            z = self.sample_latent(n)
        elif float_tensor("z", z).ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"z must have shape (N, {self.latent_dim}), got {tuple(z.shape)}")
        z = z.to(self.device)
        if self.conditional:
            y = self.sample_labels(len(z)) if y is None else y.to(self.device)
            if y.shape != (len(z),):
                raise ValueError(f"y must have shape ({len(z)},), got {tuple(y.shape)}")
        elif y is not None:
            raise ValueError("y is only for a conditional GAN (built with num_classes)")
        G = self.G if self.sampler is None else self.sampler
        return self._decode(G, z, y)
