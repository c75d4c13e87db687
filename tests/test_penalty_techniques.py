"""The GradientPenalty and R1 techniques add exactly their weighted penalties to D's loss."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import gancore as gc


class Quadratic(nn.Module):
    """D(x) = ||x||^2 / 2: input gradient x, so penalties have closed forms."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 0.5 * x.pow(2).sum(1)


def test_r1_technique_is_half_gamma_times_r1():
    x_real = torch.tensor([[1.0, 2.0], [0.0, 3.0]])  # mean squared norm 7
    step = gc.Step(0, gc.losses.nonsaturating, x_real=x_real, x_fake=torch.zeros(2, 2))
    penalty = gc.techniques.R1(gamma=4.0).d_penalty(Quadratic(), step)
    assert penalty.item() == pytest.approx(0.5 * 4.0 * 7.0)


def test_gradient_penalty_technique_weights_the_penalty():
    x = torch.tensor([[3.0, 4.0], [3.0, 4.0]])  # the segment is a point: gradient norm 5
    step = gc.Step(0, gc.losses.wasserstein, x_real=x, x_fake=x)
    penalty = gc.techniques.GradientPenalty(weight=10.0).d_penalty(Quadratic(), step)
    assert penalty.item() == pytest.approx(10.0 * (5.0 - 1.0) ** 2)
    zero_centered = gc.techniques.GradientPenalty(weight=2.0, center=0.0).d_penalty(Quadratic(), step)
    assert zero_centered.item() == pytest.approx(2.0 * 25.0)


@pytest.mark.parametrize("make", [lambda: gc.techniques.R1(-1.0), lambda: gc.techniques.GradientPenalty(-1)])
def test_negative_weights_are_rejected(make):
    with pytest.raises(ValueError):
        make()


def test_penalties_train_with_the_wasserstein_loss(tiny_gan, ring):
    cfg = gc.TrainConfig(steps=5, batch_size=32, n_critic=2, progress=False, sample_every=None)
    techniques = [gc.techniques.GradientPenalty(), gc.techniques.R1(1.0)]
    trainer = gc.Trainer(tiny_gan, gc.losses.wasserstein, cfg, techniques=techniques)
    history = trainer.fit(ring)
    assert torch.isfinite(torch.as_tensor(history["loss_d"])).all()


@pytest.mark.parametrize(
    ("technique", "column"),
    [
        (gc.techniques.R1(gamma=4.0), "r1"),
        (gc.techniques.R2(gamma=4.0), "r2"),
        (gc.techniques.GradientPenalty(), "gp"),
    ],
)
def test_penalties_log_the_term_they_add(technique, column):
    x_real, x_fake = torch.tensor([[1.0, 2.0], [0.0, 3.0]]), torch.tensor([[3.0, 4.0], [0.0, 1.0]])
    step = gc.Step(0, gc.losses.nonsaturating, x_real=x_real, x_fake=x_fake)
    assert torch.isnan(torch.tensor(technique.log(step)[column]))  # nothing computed yet
    torch.manual_seed(0)
    value = technique.d_penalty(Quadratic(), step)
    assert technique.log(step) == {column: value.item()}


def test_a_trained_run_records_the_penalty_in_its_history(tiny_gan, ring):
    cfg = gc.TrainConfig(steps=3, batch_size=32, progress=False, sample_every=None)
    history = gc.Trainer(tiny_gan, gc.losses.nonsaturating, cfg, techniques=[gc.techniques.R1(1.0)]).fit(ring)
    assert len(history["r1"]) == 3 and (torch.as_tensor(history["r1"]) >= 0).all()
