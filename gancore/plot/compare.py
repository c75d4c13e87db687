"""Plots of multi-seed comparisons: scores per variant, scores over training."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from .base import FAKE_COLOR, axes

__all__ = ["variant_scores", "checkpoint_curves"]


def variant_scores(
    df: pd.DataFrame,
    metric: str = "modes",
    *,
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
    from ..bench.stats import bootstrap_ci, last_checkpoint  # here, not at import: bench is lazy

    if not isinstance(df, pd.DataFrame) or "variant" not in df.columns or metric not in df.columns:
        raise ValueError(f"df must be a DataFrame with columns 'variant' and {metric!r} (see compare())")
    ax = axes(ax, (4.0, 3.0))
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
    *,
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
    ax = axes(ax, (5.0, 3.0))
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
