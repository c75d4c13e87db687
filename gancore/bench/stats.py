"""Statistics over seeds: bootstrap confidence intervals, paired differences, the summary table."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "bootstrap_ci",
    "paired_difference",
    "effects",
    "format_effects",
    "last_checkpoint",
    "Summary",
    "summarize",
]


def bootstrap_ci(
    values: Sequence[float] | np.ndarray, level: float = 0.95, n_boot: int = 10_000, seed: int = 0
) -> tuple[float, float, float]:
    """The mean of ``values`` and a percentile-bootstrap confidence interval for it.

    With few runs (5 seeds) the percentile bootstrap is a little narrow, and it cannot leave the
    range of the values: read the interval as "where the mean of these runs is pinned", not as a
    guarantee. NaNs are dropped first.

    Args:
        values: One number per run.
        level: Coverage of the interval (0.95 for a 95 % interval).
        n_boot: Resamples (fixed seed: the interval is a deterministic function of the values).
        seed: Seed of the resampling.

    Returns:
        ``(mean, low, high)``; all ``nan`` when no value is finite.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    x = np.asarray(values, dtype=np.float64).ravel()
    x = x[np.isfinite(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, x.size, size=(n_boot, x.size))].mean(axis=1)
    low, high = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    return float(x.mean()), float(low), float(high)


def paired_difference(
    df: pd.DataFrame, variant: str, baseline: str, metric: str, level: float = 0.95
) -> tuple[float, float, float]:
    """Mean and bootstrap CI of ``metric(variant) - metric(baseline)``, paired by seed.

    Pairing removes what the two arms share on a seed (its data draws, its latents): a
    difference is measured when its interval excludes 0.

    Args:
        df: :func:`~gancore.bench.compare`'s table (one row per variant and seed).
        variant: The treated arm.
        baseline: The reference arm.
        metric: A numeric column.
        level: Coverage of the interval.
    """
    by = last_checkpoint(df).set_index(["variant", "seed"])[metric]
    for name in (variant, baseline):
        if name not in by.index.get_level_values(0):
            raise ValueError(f"no variant {name!r} in df")
    a, b = by.loc[variant], by.loc[baseline]
    seeds = a.index.intersection(b.index)
    if seeds.empty:
        raise ValueError(f"{variant!r} and {baseline!r} share no seed")
    return bootstrap_ci((a.loc[seeds] - b.loc[seeds]).to_numpy(), level)


def last_checkpoint(df: pd.DataFrame) -> pd.DataFrame:
    """The rows of the last checkpoint of every run (``compare(every=...)`` also stores earlier ones).

    Args:
        df: :func:`~gancore.bench.compare`'s table (a table without ``step`` is returned as is).
    """
    if "step" not in df.columns:
        return df
    last = df.groupby(["variant", "seed"], sort=False)["step"].transform("max")
    return df[df["step"] == last]


def effects(
    df: pd.DataFrame, baseline: str, metrics: Sequence[str] = ("modes", "hq"), level: float = 0.95
) -> pd.DataFrame:
    """Every variant's paired difference from ``baseline``, per metric, with its interval.

    Args:
        df: :func:`~gancore.bench.compare`'s table (the last checkpoint of each run is used).
        baseline: The reference variant.
        metrics: Numeric columns.
        level: Coverage of the intervals.

    Returns:
        One row per other variant (in order) and, per metric, the columns ``{metric}``
        (mean difference), ``{metric} low``, ``{metric} high`` and ``{metric} verdict``:
        ``"higher"`` or ``"lower"`` when the interval excludes 0, else ``"no measurable difference"``.
    """
    names = [v for v in dict.fromkeys(df["variant"]) if v != baseline]
    rows = {}
    for name in names:
        row: dict[str, object] = {}
        for metric in metrics:
            mean, low, high = paired_difference(df, name, baseline, metric, level)
            verdict = "higher" if low > 0 else "lower" if high < 0 else "no measurable difference"
            row.update(
                {metric: mean, f"{metric} low": low, f"{metric} high": high, f"{metric} verdict": verdict}
            )
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def format_effects(table: pd.DataFrame, digits: Mapping[str, int] | None = None) -> pd.DataFrame:
    """:func:`effects`' table for reading: ``"+0.012 [-0.034, +0.051]"`` and the verdict, per metric.

    Args:
        table: What :func:`effects` returned.
        digits: Decimals per metric (by default 1 for modes, 3 for HQ, 2 for KL, else 3).

    Returns:
        One row per variant; per metric the columns ``"Δ {metric}"`` and ``"{metric} verdict"``.
    """
    metrics = [c[: -len(" verdict")] for c in table.columns if c.endswith(" verdict")]
    out = pd.DataFrame(index=table.index)
    for m in metrics:
        d = (digits or {}).get(m, _DIGITS.get(m, 3))
        f = f"{{:+.{d}f}}".format
        out[f"Δ {m}"] = (
            table[m].map(f) + " [" + table[f"{m} low"].map(f) + ", " + table[f"{m} high"].map(f) + "]"
        )
        out[f"{m} verdict"] = table[f"{m} verdict"]
    return out


_DIGITS = {
    "modes": 1,
    "hq": 3,
    "kl": 2,
    "fd": 1,
    "fd_class": 1,
    **{f"fd_{c}": 1 for c in range(10)},
    "class_kl": 2,
    "seconds_per_step": 4,
}  # else 3


@dataclass(frozen=True)
class Summary:
    """Mean and 95 % bootstrap interval over seeds, one row per variant (in the variants' order).

    Attributes:
        mean: Numeric means, indexed by variant.
        low: Lower ends of the intervals.
        high: Upper ends of the intervals.
        sd: Sample standard deviations (``ddof=1``; ``nan`` with one seed).
        runs: How many runs each mean is over (fewer than the seeds where a metric is undefined,
            such as the KL of a run with no high-quality sample).
        table: Display-ready strings ``"mean [low, high]"``; a notebook shows this table.
    """

    mean: pd.DataFrame
    low: pd.DataFrame
    high: pd.DataFrame
    sd: pd.DataFrame
    runs: pd.DataFrame
    table: pd.DataFrame

    def _repr_html_(self) -> str:
        return self.table._repr_html_()

    def __repr__(self) -> str:
        return self.table.to_string()

    __str__ = __repr__


def summarize(df: pd.DataFrame, columns: Sequence[str] | None = None, level: float = 0.95) -> Summary:
    """Aggregate :func:`~gancore.bench.compare`'s table over seeds (its last checkpoint per run).

    Args:
        df: One row per run (and checkpoint) with a ``variant`` column.
        columns: Numeric columns to aggregate; ``None`` takes all but ``seed`` and ``step``.
        level: Coverage of the bootstrap intervals.

    Returns:
        A :class:`Summary`. A cell reads ``"mean [low, high]"``; a metric that is undefined on
        some runs says over how many runs it is (``"0.12 [0.05, 0.20] (4 of 5 runs)"``), and one
        undefined on every run says so instead of ``nan``.
    """
    if not isinstance(df, pd.DataFrame) or "variant" not in df.columns:
        raise TypeError("df must be a DataFrame with a 'variant' column, as compare() returns")
    df = last_checkpoint(df)
    if columns is None:
        columns = [c for c in df.select_dtypes("number").columns if c not in ("seed", "step")]
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"columns {missing} are not in df (it has {list(df.columns)})")
    groups = df.groupby("variant", sort=False)[list(columns)]
    stats = {v: {c: bootstrap_ci(g[c].to_numpy(), level) for c in columns} for v, g in groups}
    frame = {k: pd.DataFrame({c: {v: s[c][k] for v, s in stats.items()} for c in columns}) for k in range(3)}
    mean, low, high = frame[0], frame[1], frame[2]
    sd, runs, total = groups.std(ddof=1), groups.count(), groups.size()
    table = pd.DataFrame(index=mean.index, columns=list(columns), dtype=object)
    for c in columns:
        d = _DIGITS.get(c, 3)
        cells = []
        for v in mean.index:
            n, of = int(runs.loc[v, c]), int(total.loc[v])
            if n == 0:
                cells.append("undefined on every run")
                continue
            cell = f"{mean.loc[v, c]:.{d}f} [{low.loc[v, c]:.{d}f}, {high.loc[v, c]:.{d}f}]"
            cells.append(cell if n == of else f"{cell} ({n} of {of} runs)")
        table[c] = cells
    return Summary(mean, low, high, sd, runs, table)
