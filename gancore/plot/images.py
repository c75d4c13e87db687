"""Images in ``[-1, 1]`` shown as one grid."""

from __future__ import annotations

import torch
from matplotlib.axes import Axes

from .base import axes

__all__ = ["image_grid"]


def image_grid(
    images: torch.Tensor, nrow: int = 8, *, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Show images in ``[-1, 1]``, shape ``(N, C, H, W)`` with C = 1 or 3, as one grid.

    Args:
        images: The images.
        nrow: Images per row.
        ax: Axes to draw on.
        title: Axes title.
    """
    if not isinstance(images, torch.Tensor) or images.ndim != 4 or images.shape[1] not in (1, 3):
        raise ValueError(
            f"images must be a tensor (N, C, H, W) with C in (1, 3), got "
            f"{getattr(images, 'shape', type(images).__name__)}"
        )
    n, c, h, w = images.shape
    ncol = min(nrow, n)
    rows = -(-n // ncol)
    canvas = torch.ones(c, rows * (h + 2) + 2, ncol * (w + 2) + 2, dtype=torch.float32)
    imgs = (images.detach().float().cpu().clamp(-1, 1) + 1) / 2  # (N, C, H, W) in [0, 1]
    for i in range(n):
        r, q = divmod(i, ncol)
        canvas[:, 2 + r * (h + 2) : 2 + r * (h + 2) + h, 2 + q * (w + 2) : 2 + q * (w + 2) + w] = imgs[i]
    ax = axes(ax, (0.5 * ncol, 0.5 * rows))
    shown = canvas[0].numpy() if c == 1 else canvas.permute(1, 2, 0).numpy()
    ax.imshow(shown, cmap="gray" if c == 1 else None, vmin=0, vmax=1, interpolation="nearest")
    ax.set(title=title, xticks=[], yticks=[])
    return ax
