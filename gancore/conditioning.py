"""How a conditional discriminator reads the label: concatenated to its input, or projected onto its features.

A class-conditional GAN (Mirza & Osindero 2014) gives both players the label ``y``. The
generator's side is simple (an embedding of ``y`` joins ``z``, :class:`gancore.models.DCGANGenerator`
with ``num_classes``); the discriminator's side has two classic designs, passed to
:class:`gancore.models.DCGANDiscriminator` as ``conditioning=``:

- :class:`ConcatLabels`: the one-hot label as extra input channels, constant over the image
  (the conditional DCGAN of the seed articles). D must learn from pixels and label maps alike
  whether an image fits its label.
- :class:`ProjectLabels`: Miyato & Koyama (2018), "cGANs with Projection Discriminator", ICLR.
  With features :math:`\\phi(x)` the logit is :math:`\\psi(\\phi(x)) + e_y^\\top \\phi(x)`, where
  :math:`e_y` is a learned embedding of the class: the form the logit takes when the class-
  conditional densities are log-linear in :math:`\\phi` (their Eq. 3).

Both are built by the discriminator as ``conditioning(num_classes, features)`` and expose the
same two hooks, so a new design is one more class with these methods.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from .checks import positive_int

__all__ = ["LabelConditioning", "ConcatLabels", "ProjectLabels", "check_labels"]


def check_labels(y: torch.Tensor | None, n: int, num_classes: int) -> torch.Tensor:
    """``y`` if it holds ``n`` int64 labels in ``[0, num_classes)``, else a clear error."""
    if not isinstance(y, torch.Tensor) or y.shape != (n,) or y.dtype != torch.int64:
        raise ValueError(
            f"a conditional model needs labels y of shape ({n},) and dtype int64, got "
            f"{getattr(y, 'shape', None) if y is not None else None} "
            f"{getattr(y, 'dtype', type(y).__name__)}"
        )
    if n and (int(y.min()) < 0 or int(y.max()) >= num_classes):
        raise ValueError(f"labels must lie in [0, {num_classes}), got [{int(y.min())}, {int(y.max())}]")
    return y


class LabelConditioning(nn.Module):
    """The interface: extra input channels, how the input is extended, how the logit is changed.

    Args:
        num_classes: Number of classes.
        features: Width of the discriminator's last feature vector (what its output layer reads).
    """

    extra_channels = 0

    def __init__(self, num_classes: int, features: int) -> None:
        super().__init__()
        self.num_classes = positive_int("num_classes", num_classes)
        self.features = positive_int("features", features)

    def inputs(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """D's input for images ``x`` ``(N, C, H, W)`` with labels ``y`` ``(N,)``."""
        return x

    def logits(self, logits: torch.Tensor, h: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The conditional logits ``(N,)`` from the unconditional ones and the features ``h`` ``(N, F)``."""
        return logits


class ConcatLabels(LabelConditioning):
    """The one-hot label as ``num_classes`` constant input channels: ``(N, C, H, W) -> (N, C + K, H, W)``."""

    def __init__(self, num_classes: int, features: int) -> None:
        super().__init__(num_classes, features)
        self.extra_channels = num_classes

    def inputs(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        onehot = F.one_hot(y, self.num_classes).to(dtype=x.dtype)  # (N, K)
        maps = onehot[:, :, None, None].expand(-1, -1, *x.shape[2:])  # (N, K, H, W)
        return torch.cat([x, maps], dim=1)  # (N, C + K, H, W)


class ProjectLabels(LabelConditioning):
    """The projection discriminator: add :math:`e_y^\\top \\phi(x)` to the logit (Miyato & Koyama 2018).

    The class embeddings start at zero, so at initialization D is the unconditional one and
    the label's influence is learned.
    """

    def __init__(self, num_classes: int, features: int) -> None:
        super().__init__(num_classes, features)
        self.embed = nn.Embedding(num_classes, features)
        nn.init.zeros_(self.embed.weight)

    def logits(self, logits: torch.Tensor, h: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return logits + (self.embed(y) * h).sum(dim=1)  # (N,)
