"""The book's stored studies: Parts III and IV on the toy benchmarks, the ring's learning rate, MNIST."""

from __future__ import annotations

import pandas as pd
import torch

from .. import losses as L
from .. import techniques as T
from ..bench import GRID, RING, ToyBenchmark, Variant, effects, mnist
from .images import part5_studies
from .store import Study, load

__all__ = [
    "STUDIES",
    "PART4",
    "RECIPE_BUDGET",
    "part3_variants",
    "part4_variants",
    "recipe_variants",
    "with_baseline",
    "toolkit",
    "toolkit_effects",
]


def part3_variants(steps: int) -> tuple[Variant, ...]:
    """Every Part III technique as a variant of the protocol baseline (``steps`` sets annealing)."""
    small_lr = {"lr_g": 2e-4, "lr_d": 2e-4, "betas_g": (0.0, 0.9), "betas_d": (0.0, 0.9)}  # GN paper
    gn = T.GradientNormalization()
    return (
        Variant("baseline"),
        # 3.1 input noise and label smoothing
        Variant("instance 0.1", techniques=[T.InstanceNoise(std=0.1)]),
        Variant("instance 0.2", techniques=[T.InstanceNoise(std=0.2)]),
        Variant("instance 0.2, annealed", techniques=[T.InstanceNoise(std=0.2, anneal_steps=steps)]),
        Variant("latent 0.5", techniques=[T.LatentNoise(std=0.5)]),
        Variant("one-sided LS", techniques=[T.LabelSmoothing(real=0.9)]),
        Variant("two-sided LS", techniques=[T.LabelSmoothing(real=0.9, fake=0.1)]),
        # 3.2 gradient clipping
        Variant("clip norm 1, D and G", techniques=[T.ClipGradNorm(max_norm=1.0)]),
        Variant("clip norm 1, D", techniques=[T.ClipGradNorm(max_norm=1.0, g=False)]),
        Variant("clip norm 0.1, D", techniques=[T.ClipGradNorm(max_norm=0.1, g=False)]),
        Variant("clip value 0.01, D and G", techniques=[T.ClipGradValue(clip_value=0.01)]),
        # 3.3 gradient normalization, and two recipes that normalize parameter gradients instead
        Variant("GN", techniques=[gn]),
        Variant("baseline, GN's lr", overrides=small_lr),
        Variant("GN, GN's lr", techniques=[gn], overrides=small_lr),
        Variant("D grads / RMS", techniques=[T.NormalizeParamGrads(power=1)]),
        Variant("G grads / mean square", techniques=[T.NormalizeParamGrads(power=2, d=False, g=True)]),
        # 3.4 discriminator capacity
        Variant("D 128x1", d_kwargs={"depth": 1}),
        Variant("D 128x4", d_kwargs={"depth": 4}),
        Variant("D 32x2", d_kwargs={"width": 32}),
        Variant("D dropout 0.5", d_kwargs={"dropout": 0.5}),
        # 3.5 least squares and hinge
        Variant("LSGAN", loss=L.least_squares),
        Variant("hinge", loss=L.hinge),
    )


def _part3(benchmark: ToyBenchmark) -> Study:
    steps = benchmark.config.steps
    return Study(
        name=f"part3_{benchmark.name}",
        benchmark=benchmark,
        variants=part3_variants(steps),
        seeds=(0, 1, 2, 3, 4),
        steps=steps,
        every=500,
        description=f"Every Part III technique against the protocol baseline on the {benchmark.name}.",
    )


def _protocol_lr() -> Study:
    lr = {name: {"lr_g": value, "lr_d": value} for name, value in (("lr 1e-3", 1e-3), ("lr 5e-4", 5e-4))}
    return Study(
        name="protocol_ring_lr",
        benchmark=RING,
        variants=(Variant("lr 2e-4 (protocol)"), *(Variant(name, overrides=c) for name, c in lr.items())),
        seeds=(0, 1, 2, 3, 4),
        steps=RING.config.steps,
        every=500,
        description="Why the ring's protocol learning rate is 2e-4: the baseline at three learning rates.",
    )


def _part3_mnist() -> Study:
    losses = {"baseline": L.nonsaturating, "LSGAN": L.least_squares, "hinge": L.hinge}  # chapter 3.5
    return Study(
        name="part3_mnist",
        benchmark=mnist(steps=500, batch_size=32),  # the budget at which digits first appear on a CPU
        variants=tuple(Variant(name, loss=loss) for name, loss in losses.items()),
        seeds=(0, 1, 2),
        steps=500,
        every=100,
        description="The three loss pairs of chapter 3.5 on MNIST (small DCGAN, 500 steps).",
    )


def part4_variants(benchmark: ToyBenchmark) -> dict[str, tuple[Variant, ...]]:
    """Part IV's techniques per chapter, as variants of the protocol baseline of ``benchmark``.

    The baseline itself is not repeated: it is Part III's (same protocol, same seeds), which
    :func:`gancore.studies.toolkit` puts beside these. Settings follow the papers where they
    give one for this kind of model; learning rates are the protocol's unless the technique is
    about them.
    """
    lr = benchmark.config.lr_d
    dim = benchmark.data().dim
    return {
        "wasserstein": (
            Variant(  # Arjovsky et al. 2017, Algorithm 1: RMSprop, lr 5e-5, c = 0.01, 5 critic steps
                "WGAN, clipped",
                loss=L.wasserstein,
                techniques=[T.ClipWeights(c=0.01)],
                overrides={"optimizer": torch.optim.RMSprop, "lr_g": 5e-5, "lr_d": 5e-5, "n_critic": 5},
            ),
            Variant(  # Gulrajani et al. 2017, Algorithm 1: lambda 10, Adam 1e-4 (0.5, 0.9) on toy data
                "WGAN-GP",
                loss=L.wasserstein,
                techniques=[T.GradientPenalty(weight=10.0)],
                overrides={
                    "lr_g": 1e-4,
                    "lr_d": 1e-4,
                    "betas_g": (0.5, 0.9),
                    "betas_d": (0.5, 0.9),
                    "n_critic": 5,
                },
            ),
        ),
        "penalties": (
            Variant("R1, gamma 0.1", techniques=[T.R1(gamma=0.1)]),
            Variant("R1, gamma 1", techniques=[T.R1(gamma=1.0)]),
            Variant("R1, gamma 10", techniques=[T.R1(gamma=10.0)]),
            Variant("R2, gamma 1", techniques=[T.R2(gamma=1.0)]),
        ),
        "spectral": (
            Variant("SN", techniques=[T.SpectralNorm()]),
            Variant("SN, hinge", loss=L.hinge, techniques=[T.SpectralNorm()]),
        ),
        "optimizers": (
            Variant("Adam, beta1 0", overrides={"betas_g": (0.0, 0.999), "betas_d": (0.0, 0.999)}),
            Variant("TTUR, lr_d = 4 lr_g", overrides={"lr_d": 4 * lr}),
            Variant("SGD 0.05", overrides={"optimizer": torch.optim.SGD, "lr_g": 0.05, "lr_d": 0.05}),
            Variant(
                "SGD 0.05, saturating",
                loss=L.minimax,
                overrides={"optimizer": torch.optim.SGD, "lr_g": 0.05, "lr_d": 0.05},
            ),
            Variant("EMA 0.999", techniques=[T.EMA(beta=0.999)]),
        ),
        "consensus": (Variant("consensus 10", techniques=[T.Consensus(gamma=10.0)]),),
        "collapse": (
            Variant("minibatch std", techniques=[T.MinibatchStd(group_size=4)], d_kwargs={"in_dim": dim + 1}),
            Variant("pack 2", techniques=[T.Pack(m=2)], d_kwargs={"in_dim": 2 * dim}),
            Variant("feature matching", techniques=[T.FeatureMatching()]),
        ),
        "unrolled": (Variant("unrolled 5", techniques=[T.Unrolled(k=5, lr=0.05)]),),
    }


def _part4(benchmark: ToyBenchmark, chapter: str) -> Study:
    steps = benchmark.config.steps
    return Study(
        name=f"part4_{chapter}_{benchmark.name}",
        benchmark=benchmark,
        variants=part4_variants(benchmark)[chapter],
        seeds=(0, 1, 2, 3, 4),
        steps=steps,
        every=500,
        description=f"Part IV, {chapter}: each technique on the {benchmark.name} under the common protocol.",
    )


def recipe_variants(benchmark: ToyBenchmark) -> tuple[Variant, ...]:
    """Chapter 4.6's arms: the baseline, the best two techniques of the studies, and those plus EMA.

    R1 with gamma 0.1 and minibatch standard deviation are the two techniques that raised the
    grid's modes in Part IV without lowering HQ on either benchmark; EMA of G's weights changes
    no training step, only the sampling generator, so it cannot hurt coverage.
    """
    dim = benchmark.data().dim
    pair = [T.R1(gamma=0.1), T.MinibatchStd(group_size=4)]
    wide = {"in_dim": dim + 1}  # minibatch std appends one feature
    return (
        Variant("baseline"),
        Variant("R1 0.1 + minibatch std", techniques=pair, d_kwargs=wide),
        Variant("R1 0.1 + minibatch std + EMA 0.999", techniques=[*pair, T.EMA(beta=0.999)], d_kwargs=wide),
    )


RECIPE_BUDGET = 3
"""The recipe's study trains this many times the protocol budget (ring 18,000, grid 24,000 steps)."""


def _recipe(benchmark: ToyBenchmark) -> Study:
    steps = RECIPE_BUDGET * benchmark.config.steps
    return Study(
        name=f"recipe_{benchmark.name}",
        benchmark=benchmark,
        variants=recipe_variants(benchmark),
        seeds=(0, 1, 2, 3, 4),
        steps=steps,
        every=500,
        description=f"Chapter 4.6: the recipe against the baseline on the {benchmark.name}, "
        f"to {RECIPE_BUDGET}x the protocol budget.",
    )


PART4 = ("penalties", "spectral", "optimizers", "collapse", "wasserstein", "consensus", "unrolled")
"""Part IV's studies, one per toy benchmark each, in the order they are run (cheapest per variant
first: consensus optimization and unrolling cost several baseline steps per step, so they have
studies of their own)."""

STUDIES: dict[str, Study] = {
    s.name: s
    for s in (
        _part3(RING),
        _part3(GRID),
        _protocol_lr(),
        _part3_mnist(),
        *(_part4(b, chapter) for chapter in PART4 for b in (RING, GRID)),
        _recipe(RING),
        _recipe(GRID),
        *part5_studies(),
    )
}


def with_baseline(name: str) -> pd.DataFrame:
    """Study ``name`` with the protocol baseline's runs of its benchmark (from Part III) on top.

    Part IV's studies hold only their techniques; the baseline they are measured against is
    Part III's (same benchmark, protocol and seeds), so paired effects use those runs.
    """
    study = STUDIES[name] if name in STUDIES else None
    if study is None:
        raise KeyError(f"unknown study {name!r}; known: {sorted(STUDIES)}")
    part3 = load(f"part3_{study.benchmark.name}")
    table = pd.concat([part3[part3["variant"] == "baseline"], load(name)], ignore_index=True)
    table.attrs["provenance"] = load(name).attrs["provenance"]
    return table


def toolkit(benchmark: str) -> pd.DataFrame:
    """Every technique of Parts III and IV on one toy benchmark (``"ring"`` or ``"grid"``), all checkpoints.

    One table, reused by later chapters (the recipe): Part III's study, then each Part IV study.
    """
    if benchmark not in ("ring", "grid"):
        raise ValueError(f"benchmark must be 'ring' or 'grid', got {benchmark!r}")
    tables = [load(f"part3_{benchmark}")] + [load(f"part4_{chapter}_{benchmark}") for chapter in PART4]
    return pd.concat(tables, ignore_index=True)


def toolkit_effects(metrics: tuple[str, ...] = ("modes", "hq")) -> pd.DataFrame:
    """Every technique's paired effect against the baseline on both toy benchmarks, at the protocol budget.

    One row per technique (Parts III and IV, in the book's order); columns ``(benchmark, column)``
    with the columns of :func:`gancore.bench.effects` (``m``, ``m low``, ``m high``, ``m verdict``).
    """
    tables = {b: effects(toolkit(b), "baseline", list(metrics)) for b in ("ring", "grid")}
    return pd.concat(tables, axis=1, names=["benchmark", None])
