"""Plots for the book (matplotlib only); each function takes ``ax=None`` and returns its Axes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from matplotlib.axes import Axes
from torch import nn

from .data import GaussianMixture

__all__ = [
    "samples",
    "density",
    "histogram",
    "decision_surface",
    "curves",
    "seed_bands",
    "image_grid",
    "animate",
    "phase_portrait",
    "mode_timeline",
    "variant_scores",
    "checkpoint_curves",
]

REAL_COLOR = "#1f77b4"
FAKE_COLOR = "#d62728"


def _axes(ax: Axes | None, size: tuple[float, float] = (4.0, 4.0)) -> Axes:
    return plt.subplots(figsize=size)[1] if ax is None else ax


def _numpy(x: torch.Tensor | np.ndarray) -> np.ndarray:
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def _extent(
    mixture: GaussianMixture | None, points: np.ndarray | None, margin: float = 1.0
) -> tuple[float, float, float, float]:
    ref = _numpy(mixture.centers) if mixture is not None else points
    lo, hi = ref.min(axis=0) - margin, ref.max(axis=0) + margin
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def samples(
    fake: torch.Tensor,
    mixture: GaussianMixture | None = None,
    real: torch.Tensor | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    size: float = 2.0,
) -> Axes:
    """Scatter generated 2-D points over real ones and the mixture's centers.

    Args:
        fake: Generated points ``(N, 2)``.
        mixture: The target mixture; its centers are drawn as black crosses and set the view.
        real: Real points ``(M, 2)`` drawn underneath, if given.
        ax: Axes to draw on (a new figure when ``None``).
        title: Axes title.
        size: Marker size.
    """
    ax = _axes(ax)
    fake_np = _numpy(fake)
    if real is not None:
        r = _numpy(real)
        ax.scatter(r[:, 0], r[:, 1], s=size, c=REAL_COLOR, alpha=0.3, label="real", linewidths=0)
    ax.scatter(fake_np[:, 0], fake_np[:, 1], s=size, c=FAKE_COLOR, alpha=0.5, label="generated", linewidths=0)
    if mixture is not None:
        c = _numpy(mixture.centers)
        ax.scatter(c[:, 0], c[:, 1], marker="x", c="k", s=25, label="centers")
    x0, x1, y0, y1 = _extent(mixture, fake_np)
    ax.set(xlim=(x0, x1), ylim=(y0, y1), aspect="equal", title=title)
    return ax


def density(
    x: torch.Tensor,
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
    ax = _axes(ax)
    pts = _numpy(x)
    x0, x1, y0, y1 = _extent(mixture, pts)
    ax.hist2d(pts[:, 0], pts[:, 1], bins=bins, range=[[x0, x1], [y0, y1]], cmap="magma", norm="log", cmin=1)
    ax.set(xlim=(x0, x1), ylim=(y0, y1), aspect="equal", title=title, facecolor="black")
    return ax


def histogram(
    fake: torch.Tensor,
    real: torch.Tensor | None = None,
    ax: Axes | None = None,
    bins: int = 60,
    range_: tuple[float, float] | None = None,
    title: str | None = None,
) -> Axes:
    """Histograms of 1-D samples ``(N,)`` or ``(N, 1)``: generated over real.

    Args:
        fake: Generated values.
        real: Real values, drawn as an outline.
        ax: Axes to draw on.
        bins: Number of bins.
        range_: Histogram range; from the data when ``None``.
        title: Axes title.
    """
    ax = _axes(ax, (5.0, 3.0))
    f = _numpy(fake).ravel()
    both = f if real is None else np.concatenate([f, _numpy(real).ravel()])
    range_ = (float(both.min()), float(both.max())) if range_ is None else range_
    if real is not None:
        ax.hist(
            _numpy(real).ravel(),
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
    ax = _axes(ax)
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
            p = _numpy(pts_)
            ax.scatter(p[:, 0], p[:, 1], s=2, c=color, edgecolors="none")
    ax.set(xlim=(x0, x1), ylim=(y0, y1), title=title)
    return ax


def curves(
    history: object,
    keys: Sequence[str] = ("d_real", "d_fake"),
    ax: Axes | None = None,
    smooth: int = 1,
    title: str | None = None,
) -> Axes:
    """Training curves from a :class:`~gancore.trainer.History` (or any mapping of arrays).

    Args:
        history: ``history[key]`` gives a 1-D array per step.
        keys: Which curves to draw.
        ax: Axes to draw on.
        smooth: Width of a moving average (1 draws the raw curve).
        title: Axes title.
    """
    if isinstance(smooth, bool) or not isinstance(smooth, int) or smooth < 1:
        raise ValueError(f"smooth must be a positive int, got {smooth!r}")
    ax = _axes(ax, (5.0, 3.0))
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
    ax = _axes(ax, (5.0, 3.0))
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


def image_grid(images: torch.Tensor, nrow: int = 8, ax: Axes | None = None, title: str | None = None) -> Axes:
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
    ax = _axes(ax, (0.5 * ncol, 0.5 * rows))
    shown = canvas[0].numpy() if c == 1 else canvas.permute(1, 2, 0).numpy()
    ax.imshow(shown, cmap="gray" if c == 1 else None, vmin=0, vmax=1, interpolation="nearest")
    ax.set(title=title, xticks=[], yticks=[])
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
    first = _numpy(chosen[0][1])
    scatter = ax.scatter(first[:, 0], first[:, 1], s=2, c=FAKE_COLOR, alpha=0.5, linewidths=0)
    if mixture is not None:
        c = _numpy(mixture.centers)
        ax.scatter(c[:, 0], c[:, 1], marker="x", c="k", s=20)
    x0, x1, y0, y1 = _extent(mixture, np.concatenate([_numpy(x) for _, x in chosen]))
    ax.set(xlim=(x0, x1), ylim=(y0, y1), aspect="equal", xticks=[], yticks=[])
    label = ax.set_title("")
    fig.tight_layout()

    def draw(i: int) -> tuple:
        step, pts = chosen[i]
        scatter.set_offsets(_numpy(pts))
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
    ax = _axes(ax)
    x0, x1, y0, y1 = extent
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    v = _numpy(field(torch.from_numpy(gx.ravel()), torch.from_numpy(gy.ravel()))).reshape(-1, 2)
    speed = np.maximum(np.linalg.norm(v, axis=1), 1e-12)
    ax.quiver(gx.ravel(), gy.ravel(), v[:, 0] / speed, v[:, 1] / speed, color="0.6", angles="xy", width=0.004)
    for label, path in (paths or {}).items():
        p = _numpy(path).reshape(-1, 2)
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
    counts: torch.Tensor, steps: Sequence[int], ax: Axes | None = None, title: str | None = None
) -> Axes:
    """A "mode x step" heat map: how many samples fall on each mode at each snapshot.

    Args:
        counts: Samples per mode per snapshot, shape ``(snapshots, K)``, e.g. stacked
            ``gc.metrics.mode_coverage(x, mixture).counts``.
        steps: The training step of each snapshot.
        ax: Axes to draw on.
        title: Axes title.
    """
    c = _numpy(counts).astype(float)
    if c.ndim != 2 or c.shape[0] != len(steps):
        raise ValueError(f"counts must have shape ({len(steps)}, K), got {c.shape}")
    ax = _axes(ax, (6.0, 2.5))
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


def variant_scores(
    df: pd.DataFrame,
    metric: str = "modes",
    ax: Axes | None = None,
    title: str | None = None,
    ylabel: str | None = None,
) -> Axes:
    """One metric of a multi-seed comparison: the mean per variant as a bar with its 95 %
    bootstrap interval, every seed as a dot (the last checkpoint of each run).

    Args:
        df: One row per run (and checkpoint) with columns ``variant`` and ``metric``, as
            ``gc.bench.compare`` returns; variants are drawn in order of first appearance.
        metric: The column to show, e.g. ``"modes"``, ``"hq"``, ``"kl"``, ``"seconds_per_step"``.
        ax: Axes to draw on.
        title: Axes title.
        ylabel: y-axis label (the metric's name when ``None``).
    """
    from .bench.stats import bootstrap_ci, last_checkpoint

    if not isinstance(df, pd.DataFrame) or "variant" not in df.columns or metric not in df.columns:
        raise ValueError(f"df must be a DataFrame with columns 'variant' and {metric!r} (see compare())")
    ax = _axes(ax, (4.0, 3.0))
    groups = last_checkpoint(df).groupby("variant", sort=False)[metric]
    names = list(groups.groups)
    stats = np.array([bootstrap_ci(groups.get_group(n).to_numpy(dtype=float)) for n in names])  # (V, 3)
    pos = np.arange(len(names))
    err = np.nan_to_num(np.abs(stats[:, 1:] - stats[:, :1]).T)  # (2, V)
    ax.bar(pos, stats[:, 0], yerr=err, color="0.8", edgecolor="0.4", capsize=3, width=0.6)
    for i, name in enumerate(names):
        values = groups.get_group(name).to_numpy(dtype=float)
        jitter = np.linspace(-0.12, 0.12, len(values)) if len(values) > 1 else np.zeros(1)
        ax.scatter(i + jitter, values, s=12, color=FAKE_COLOR, zorder=3, linewidths=0)
    ax.set_xticks(pos, names, rotation=30, ha="right", fontsize="small")
    ax.set(ylabel=metric if ylabel is None else ylabel, title=title)
    return ax


def checkpoint_curves(
    df: pd.DataFrame,
    metric: str = "hq",
    variants: Sequence[str] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    ylabel: str | None = None,
) -> Axes:
    """A metric over training from ``compare(..., every=k)`` or a study: the mean over seeds as
    a line, the range over seeds shaded, one curve per variant.

    Args:
        df: Rows with columns ``variant``, ``seed``, ``step`` and ``metric``.
        metric: The column to show.
        variants: Which variants, in this order (all, in order of appearance, when ``None``).
        ax: Axes to draw on.
        title: Axes title.
        ylabel: y-axis label (the metric's name when ``None``).
    """
    missing = {"variant", "seed", "step", metric} - set(getattr(df, "columns", ()))
    if missing:
        raise ValueError(f"df needs the columns {sorted(missing)} (see compare(..., every=...))")
    ax = _axes(ax, (5.0, 3.0))
    names = list(dict.fromkeys(df["variant"])) if variants is None else list(variants)
    for name in names:
        runs = df[df["variant"] == name].pivot(index="step", columns="seed", values=metric)  # (T, seeds)
        if runs.empty:
            raise ValueError(f"no rows for variant {name!r}")
        (line,) = ax.plot(runs.index, runs.mean(axis=1), lw=1.5, label=name)
        ax.fill_between(
            runs.index, runs.min(axis=1), runs.max(axis=1), color=line.get_color(), alpha=0.2, lw=0
        )
    ax.set(xlabel="generator step", ylabel=metric if ylabel is None else ylabel, title=title)
    ax.legend(frameon=False, fontsize="small")
    return ax
