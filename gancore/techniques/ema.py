"""EMA: sample from an exponential moving average of the generator's weights."""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn

from ..step import Step
from .base import Technique

__all__ = ["EMA"]


class EMA(Technique):
    r"""Keep :math:`\bar\theta_t = \beta_t \bar\theta_{t-1} + (1 - \beta_t)\,\theta_t` and sample from it.

    Yazıcı, Foo, Winkler, Yap, Piliouras & Chandrasekhar (2019), "The Unusual Effectiveness of
    Averaging in GAN Training", ICLR; used by ProGAN, StyleGAN and BigGAN. Training itself is
    unchanged: G's optimizer still chases a moving target and its weights keep circling the
    equilibrium, but the average of a cycle lies near its centre. So the *sampling* generator
    (``trainer.gan.sample``, snapshots, benchmarks' scores) is a copy of G whose weights are the
    running average, updated after every G step. Early on the average would be dominated by the
    random initial weights, so the decay warms up as in TensorFlow's moving averages:
    :math:`\beta_t = \min(\beta, (1 + t) / (10 + t))` at G step ``t``. Buffers (batch-norm
    statistics) are copied, not averaged.

    Args:
        beta: The decay :math:`\beta` in (0, 1); the average spans about :math:`1/(1-\beta)` steps.
    """

    def __init__(self, beta: float = 0.999) -> None:
        if isinstance(beta, bool) or not isinstance(beta, (int, float)) or not 0.0 < beta < 1.0:
            raise ValueError(f"beta must be a number in (0, 1), got {beta!r}")
        self.beta = float(beta)
        self._average: nn.Module | None = None
        self._updates = 0

    def sampler(self, G: nn.Module) -> nn.Module:
        # A fresh average for each trainer built with this technique.
        self._average = copy.deepcopy(G).requires_grad_(False)
        self._updates = 0
        return self._average

    def decay(self, updates: int) -> float:
        """:math:`\\beta_t` after ``updates`` G steps."""
        return min(self.beta, (1 + updates) / (10 + updates))

    @torch.no_grad()
    def after_g_step(self, G: nn.Module, step: Step) -> None:
        if self._average is None:
            raise RuntimeError("EMA.sampler(G) must be called before training (the Trainer does it)")
        beta = self.decay(self._updates)
        for avg, p in zip(self._average.parameters(), G.parameters(), strict=True):
            avg.lerp_(p.detach(), 1.0 - beta)
        for avg, b in zip(self._average.buffers(), G.buffers(), strict=True):
            avg.copy_(b)
        self._updates += 1

    def state_dict(self) -> dict[str, Any]:
        average = {} if self._average is None else self._average.state_dict()
        return {"updates": self._updates, "average": average}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self._updates = int(state["updates"])
        if self._average is not None and state["average"]:
            self._average.load_state_dict(state["average"])

    def __repr__(self) -> str:
        return f"EMA(beta={self.beta!r})"
