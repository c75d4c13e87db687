"""Part V's stored studies: the DCGAN guidelines ablated, conditional GANs, and Stacked MNIST."""

from __future__ import annotations

from torch import nn

from .. import models as M
from .. import techniques as T
from ..bench import Variant, mnist, stacked_mnist
from .store import Study

__all__ = [
    "PART5_STEPS",
    "DCGAN_D",
    "dcgan_variants",
    "conditional_variants",
    "STACKED_STEPS",
    "stacked_variants",
    "part5_studies",
]

PART5_STEPS = 1000
"""How many generator steps Part V's MNIST studies train, at batch size 64.

Twice the budget at which digits first appear on a CPU (chapter 3.5), about a minute per run on
one core."""

DCGAN_D = {"norm": M.batch_norm}  # Radford et al. (2016): batch norm in D too, except its first layer


def dcgan_variants() -> tuple[Variant, ...]:
    """Chapter 5.1: the DCGAN guidelines (the first variant), then each one undone."""
    return (
        Variant("DCGAN", d_kwargs=DCGAN_D),
        Variant(
            "pooling and upsampling",
            g_kwargs={"upsample": M.upsample_conv},
            d_kwargs={**DCGAN_D, "downsample": M.conv_pool},
        ),
        Variant("no batch norm in G", g_kwargs={"norm": None}, d_kwargs=DCGAN_D),
        Variant("no batch norm in D"),
        Variant("no batch norm", g_kwargs={"norm": None}),
        Variant("ReLU in D", d_kwargs={**DCGAN_D, "activation": nn.ReLU}),
        Variant("no tanh", g_kwargs={"output": nn.Identity}, d_kwargs=DCGAN_D),
        Variant(
            "Adam 1e-3, beta1 0.9",
            d_kwargs=DCGAN_D,
            overrides={"lr_g": 1e-3, "lr_d": 1e-3, "betas_g": (0.9, 0.999), "betas_d": (0.9, 0.999)},
        ),
    )


def conditional_variants() -> tuple[Variant, ...]:
    """Chapter 5.2: the DCGAN unconditional, and conditional with either discriminator design."""
    cond = {"num_classes": 10}
    return (
        Variant("unconditional", d_kwargs=DCGAN_D),
        Variant("concatenation", g_kwargs=cond, d_kwargs={**DCGAN_D, **cond, "conditioning": M.ConcatLabels}),
        Variant("projection", g_kwargs=cond, d_kwargs={**DCGAN_D, **cond, "conditioning": M.ProjectLabels}),
    )


STACKED_STEPS = 2000
"""Generator steps of chapter 5.3's Stacked MNIST runs, at batch 64 (five passes over 25,600 images).

``part5_stacked_long`` trains the DCGAN and the two techniques that changed its modes twice as long."""


def stacked_variants() -> tuple[Variant, ...]:
    """Chapter 5.3: the DCGAN on Stacked MNIST, the two batch-level remedies for collapse, and R1.

    D gains the input channels each technique adds: one for the minibatch standard deviation,
    three more for a second packed image. R1 keeps Part IV's toolkit weight (chapter 4.6)."""
    return (
        Variant("DCGAN", d_kwargs=DCGAN_D),
        Variant("minibatch std", techniques=(T.MinibatchStd(4),), d_kwargs={**DCGAN_D, "channels": 4}),
        Variant("pack 2", techniques=(T.Pack(2),), d_kwargs={**DCGAN_D, "channels": 6}),
        Variant("R1, gamma 0.1", techniques=(T.R1(gamma=0.1),), d_kwargs=DCGAN_D),
    )


def part5_studies() -> tuple[Study, ...]:
    """Part V's studies, registered in ``gancore.studies.STUDIES``."""
    seeds = (0, 1, 2)
    return (
        Study(
            name="part5_dcgan",
            benchmark=mnist(steps=PART5_STEPS),
            variants=dcgan_variants(),
            seeds=seeds,
            steps=PART5_STEPS,
            every=250,
            description="Chapter 5.1: the DCGAN guidelines on MNIST, each ablated.",
        ),
        Study(
            name="part5_conditional",
            benchmark=mnist(steps=PART5_STEPS, labels=True),
            variants=conditional_variants(),
            seeds=seeds,
            steps=PART5_STEPS,
            every=250,
            description="Chapter 5.2: unconditional vs class-conditional DCGANs (concatenation, projection).",
        ),
        Study(
            name="part5_stacked",
            benchmark=stacked_mnist(steps=STACKED_STEPS),
            variants=stacked_variants(),
            seeds=(0, 1, 2, 3, 4),
            steps=STACKED_STEPS,
            every=500,
            description="Chapter 5.3: Stacked MNIST (1,000 modes): the DCGAN, minibatch std, packing and R1.",
        ),
        Study(
            name="part5_stacked_long",
            benchmark=stacked_mnist(steps=2 * STACKED_STEPS),
            variants=tuple(v for v in stacked_variants() if v.name != "minibatch std"),
            seeds=(0, 1, 2, 3, 4),
            steps=2 * STACKED_STEPS,
            every=1000,
            description="Chapter 5.3: the DCGAN, packing and R1 on Stacked MNIST at twice the budget.",
        ),
    )
