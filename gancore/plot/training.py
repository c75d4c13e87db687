"""Plots over training: curves, seed bands, animations, phase portraits, mode timelines."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes

from ..checks import positive_int
from ..data import GaussianMixture
from .base import FAKE_COLOR, axes, extent, to_numpy

__all__ = ["curves", "seed_bands", "animate", "phase_portrait", "mode_timeline"]


def curves(
    history: object,
    keys: Sequence[str] = ("d_real", "d_fake"),
    *,
    ax: Axes | None = None,
    smooth: int = 1,
    title: str | None = None,
) -> Axes:
    """Training curves from a :class:`~gancore.History` (or any mapping of arrays).

    Args:
        history: ``history[key]`` gives a 1-D array per step.
        keys: Which curves to draw.
        ax: Axes to draw on.
        smooth: Width of a moving average (1 draws the raw curve).
        title: Axes title.
    """
    positive_int("smooth", smooth)
    ax = axes(ax, (5.0, 3.0))
    for key in keys:
        y = np.asarray(history[key], dtype=float)
        if smooth > 1 and len(y) >= smooth:
            y = np.convolve(y, np.ones(smooth) / smooth, mode="valid")
        ax.plot(np.arange(len(y)) + (smooth - 1), y, label=key, lw=1)
    ax.set(xlabel="generator step", title=title)
    ax.legend(frameon=False, fontsize="small")
    return ax


def seed_bands(
    x: np.ndarray,
    runs: dict[str, np.ndarray],
    *,
    ax: Axes | None = None,
    log: bool = True,
    xlabel: str | None = None,
    ylabel: str | None = None,
    title: str | None = None,
) -> Axes:
    """Curves measured over several seeds: the median as a line, the min-max range shaded.

    Args:
        x: Positions on the x axis, shape ``(T,)``.
        runs: Label -> values of shape ``(seeds, T)``, one curve each.
        ax: Axes to draw on.
        log: Use a logarithmic y axis.
        xlabel: x-axis label.
        ylabel: y-axis label.
        title: Axes title.
    """
    ax = axes(ax, (5.0, 3.0))
    x = np.asarray(x, dtype=float)
    for label, values in runs.items():
        v = np.asarray(values, dtype=float)
        if v.ndim != 2 or v.shape[1] != len(x):
            raise ValueError(f"runs[{label!r}] must have shape (seeds, {len(x)}), got {v.shape}")
        (line,) = ax.plot(x, np.median(v, axis=0), lw=1.5, label=label)
        ax.fill_between(x, v.min(axis=0), v.max(axis=0), color=line.get_color(), alpha=0.25, lw=0)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title, yscale="log" if log else "linear")
    ax.legend(frameon=False, fontsize="small")
    return ax


def animate(
    snapshots: Sequence[tuple[int, torch.Tensor]],
    mixture: GaussianMixture | None = None,
    size: float = 3.0,
    dpi: int = 60,
    interval: int = 250,
    max_frames: int = 30,
):
    """An HTML/JavaScript animation of 2-D snapshots ``(step, points)`` from a Trainer.

    Frames are sub-sampled to at most ``max_frames`` and drawn small, so the embedded
    animation stays well under a megabyte in a notebook and in the rendered book.

    Args:
        snapshots: ``trainer.snapshots``.
        mixture: Draws its centers and fixes the view.
        size: Figure side in inches.
        dpi: Resolution of each frame.
        interval: Milliseconds per frame.
        max_frames: Upper bound on the number of frames.

    Returns:
        An ``IPython.display.HTML`` object that displays the animation.
    """
    from IPython.display import HTML
    from matplotlib.animation import FuncAnimation

    if not snapshots:
        raise ValueError("snapshots is empty; train with TrainConfig(sample_every=...)")
    chosen = list(snapshots)[:: max(1, -(-len(snapshots) // max_frames))]
    if chosen[-1] is not snapshots[-1]:
        chosen.append(snapshots[-1])
    fig, ax = plt.subplots(figsize=(size, size), dpi=dpi)
    first = to_numpy(chosen[0][1])
    scatter = ax.scatter(first[:, 0], first[:, 1], s=2, c=FAKE_COLOR, alpha=0.5, linewidths=0)
    if mixture is not None:
        c = to_numpy(mixture.centers)
        ax.scatter(c[:, 0], c[:, 1], marker="x", c="k", s=20)
    x0, x1, y0, y1 = extent(mixture, np.concatenate([to_numpy(x) for _, x in chosen]))
    ax.set(xlim=(x0, x1), ylim=(y0, y1), aspect="equal", xticks=[], yticks=[])
    label = ax.set_title("")
    fig.tight_layout()

    def draw(i: int) -> tuple:
        step, pts = chosen[i]
        scatter.set_offsets(to_numpy(pts))
        label.set_text(f"step {step}")
        return scatter, label

    anim = FuncAnimation(fig, draw, frames=len(chosen), interval=interval, blit=False)
    html = HTML(anim.to_jshtml(default_mode="once"))
    plt.close(fig)
    return html


def phase_portrait(
    field: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    paths: Mapping[str, torch.Tensor] | None = None,
    extent: Sequence[float] = (-2.0, 2.0, -2.0, 2.0),
    *,
    ax: Axes | None = None,
    resolution: int = 15,
    target: Sequence[float] | None = (0.0, 0.0),
    title: str | None = None,
    labels: tuple[str, str] = (r"$\theta$", r"$\psi$"),
) -> Axes:
    """A 2-D vector field as arrows of equal length, with paths (e.g. training trajectories) on top.

    Args:
        field: Maps coordinates ``x (M,)``, ``y (M,)`` to velocities ``(M, 2)``, e.g.
            ``functools.partial(gc.dirac.vector_field, method)``.
        paths: Label -> path ``(T, 2)``; each starts at a dot and ends at a cross. Empty
            labels get no legend entry.
        extent: ``(xmin, xmax, ymin, ymax)``.
        ax: Axes to draw on.
        resolution: Arrows per axis.
        target: A point to mark with a star (the equilibrium), or ``None``.
        title: Axes title.
        labels: The x- and y-axis labels.
    """
    ax = axes(ax)
    x0, x1, y0, y1 = extent
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    v = to_numpy(field(torch.from_numpy(gx.ravel()), torch.from_numpy(gy.ravel()))).reshape(-1, 2)
    speed = np.maximum(np.linalg.norm(v, axis=1), 1e-12)
    ax.quiver(gx.ravel(), gy.ravel(), v[:, 0] / speed, v[:, 1] / speed, color="0.6", angles="xy", width=0.004)
    for label, path in (paths or {}).items():
        p = to_numpy(path).reshape(-1, 2)
        (line,) = ax.plot(p[:, 0], p[:, 1], lw=1.2, label=label)
        ax.plot(p[0, 0], p[0, 1], "o", ms=4, color=line.get_color())
        ax.plot(p[-1, 0], p[-1, 1], "x", ms=6, mew=2, color=line.get_color())
    if target is not None:
        ax.plot(*target, "*", ms=10, color="k")
    ax.set(xlim=(x0, x1), ylim=(y0, y1), aspect="equal", xlabel=labels[0], ylabel=labels[1], title=title)
    if any(paths or {}):
        ax.legend(frameon=False, fontsize="small", loc="upper right")
    return ax


def mode_timeline(
    counts: torch.Tensor | np.ndarray,
    steps: Sequence[int],
    *,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """A "mode x step" heat map: how many samples fall on each mode at each snapshot.

    Args:
        counts: Samples per mode per snapshot, shape ``(snapshots, K)``, e.g. stacked
            ``gc.metrics.mode_coverage(x, mixture).counts`` or ``gc.metrics.coverage_over(...)["counts"]``.
        steps: The training step of each snapshot.
        ax: Axes to draw on.
        title: Axes title.
    """
    c = to_numpy(counts).astype(float)
    if c.ndim != 2 or c.shape[0] != len(steps):
        raise ValueError(f"counts must have shape ({len(steps)}, K), got {c.shape}")
    ax = axes(ax, (6.0, 2.5))
    s = np.asarray(steps, dtype=float)
    half = (s[1] - s[0]) / 2 if len(s) > 1 else 0.5
    image = ax.imshow(
        c.T,
        aspect="auto",
        origin="lower",
        cmap="Greys",
        interpolation="nearest",
        extent=(s[0] - half, s[-1] + half, -0.5, c.shape[1] - 0.5),
    )
    plt.colorbar(image, ax=ax, pad=0.02, label="samples")
    ax.set(xlabel="generator step", ylabel="mode", yticks=range(c.shape[1]), title=title)
    return ax
