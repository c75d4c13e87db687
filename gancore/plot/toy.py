"""Plots of 2-D data and discriminators: samples, densities, histograms, decision surfaces."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from torch import nn

from ..data import GaussianMixture
from .base import FAKE_COLOR, REAL_COLOR, axes, extent, to_numpy

__all__ = ["samples", "density", "histogram", "decision_surface"]


def samples(
    real: torch.Tensor | None = None,
    fake: torch.Tensor | None = None,
    *,
    mixture: GaussianMixture | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    size: float = 2.0,
) -> Axes:
    """Scatter generated 2-D points over real ones and the mixture's centers.

    Args:
        real: Real points ``(M, 2)`` drawn underneath, if given.
        fake: Generated points ``(N, 2)``, if given.
        mixture: The target mixture; its centers are drawn as black crosses and set the view.
        ax: Axes to draw on (a new figure when ``None``).
        title: Axes title.
        size: Marker size.
    """
    if real is None and fake is None:
        raise ValueError("give real or fake points (or both)")
    ax = axes(ax)
    if real is not None:
        r = to_numpy(real)
        ax.scatter(r[:, 0], r[:, 1], s=size, c=REAL_COLOR, alpha=0.3, label="real", linewidths=0)
    if fake is not None:
        f = to_numpy(fake)
        ax.scatter(f[:, 0], f[:, 1], s=size, c=FAKE_COLOR, alpha=0.5, label="generated", linewidths=0)
    if mixture is not None:
        c = to_numpy(mixture.centers)
        ax.scatter(c[:, 0], c[:, 1], marker="x", c="k", s=25, label="centers")
    x0, x1, y0, y1 = extent(mixture, to_numpy(fake if fake is not None else real))
    ax.set(xlim=(x0, x1), ylim=(y0, y1), aspect="equal", title=title)
    return ax


def density(
    x: torch.Tensor,
    *,
    mixture: GaussianMixture | None = None,
    ax: Axes | None = None,
    bins: int = 100,
    title: str | None = None,
) -> Axes:
    """A 2-D histogram of points (log colour scale), the usual "heat map" of a generator.

    Args:
        x: Points ``(N, 2)``.
        mixture: Sets the view to the mixture's centers plus a margin, if given.
        ax: Axes to draw on.
        bins: Bins per axis.
        title: Axes title.
    """
    ax = axes(ax)
    pts = to_numpy(x)
    x0, x1, y0, y1 = extent(mixture, pts)
    ax.hist2d(pts[:, 0], pts[:, 1], bins=bins, range=[[x0, x1], [y0, y1]], cmap="magma", norm="log", cmin=1)
    ax.set(xlim=(x0, x1), ylim=(y0, y1), aspect="equal", title=title, facecolor="black")
    return ax


def histogram(
    real: torch.Tensor | None = None,
    fake: torch.Tensor | None = None,
    *,
    ax: Axes | None = None,
    bins: int = 60,
    range_: tuple[float, float] | None = None,
    title: str | None = None,
) -> Axes:
    """Histograms of 1-D samples ``(N,)`` or ``(N, 1)``: generated (filled) over real (outline).

    Args:
        real: Real values, drawn as an outline.
        fake: Generated values.
        ax: Axes to draw on.
        bins: Number of bins.
        range_: Histogram range; from the data when ``None``.
        title: Axes title.
    """
    if fake is None:
        raise ValueError("give the generated values fake (real is optional)")
    ax = axes(ax, (5.0, 3.0))
    f = to_numpy(fake).ravel()
    both = f if real is None else np.concatenate([f, to_numpy(real).ravel()])
    range_ = (float(both.min()), float(both.max())) if range_ is None else range_
    if real is not None:
        ax.hist(
            to_numpy(real).ravel(),
            bins=bins,
            range=range_,
            density=True,
            histtype="step",
            color=REAL_COLOR,
            lw=1.5,
            label="real",
        )
    ax.hist(f, bins=bins, range=range_, density=True, color=FAKE_COLOR, alpha=0.6, label="generated")
    ax.set(title=title, ylabel="density")
    ax.legend(frameon=False, fontsize="small")
    return ax


@torch.no_grad()
def decision_surface(
    D: nn.Module,
    extent: Sequence[float] = (-3, 3, -3, 3),
    *,
    ax: Axes | None = None,
    resolution: int = 150,
    probability: bool = True,
    real: torch.Tensor | None = None,
    fake: torch.Tensor | None = None,
    title: str | None = None,
) -> Axes:
    """D's output over a 2-D square: ``sigmoid(logit)`` (or the raw logit), with samples on top.

    Args:
        D: A discriminator on 2-D inputs (logits ``(N,)``).
        extent: ``(xmin, xmax, ymin, ymax)``.
        ax: Axes to draw on.
        resolution: Grid points per axis.
        probability: Show ``sigmoid(D(x))`` in [0, 1]; else the logit.
        real: Real points to overlay.
        fake: Generated points to overlay.
        title: Axes title.
    """
    ax = axes(ax)
    x0, x1, y0, y1 = extent
    device = next(D.parameters()).device
    xs, ys = torch.linspace(x0, x1, resolution), torch.linspace(y0, y1, resolution)
    gx, gy = torch.meshgrid(xs, ys, indexing="xy")
    pts = torch.stack([gx.flatten(), gy.flatten()], dim=1).to(device)  # (R*R, 2)
    was_training = D.training
    D.eval()
    out = D(pts)
    D.train(was_training)
    out = (torch.sigmoid(out) if probability else out).reshape(resolution, resolution).cpu()
    kwargs = {"vmin": 0.0, "vmax": 1.0} if probability else {}
    image = ax.imshow(
        out.numpy(), origin="lower", extent=(x0, x1, y0, y1), cmap="RdBu", aspect="equal", **kwargs
    )
    plt.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="D(x) = P(real)" if probability else "logit")
    for pts_, color in ((real, REAL_COLOR), (fake, FAKE_COLOR)):
        if pts_ is not None:
            p = to_numpy(pts_)
            ax.scatter(p[:, 0], p[:, 1], s=2, c=color, edgecolors="none")
    ax.set(xlim=(x0, x1), ylim=(y0, y1), title=title)
    return ax
