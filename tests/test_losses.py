"""Loss pairs against hand-computed closed forms on given logits."""

from __future__ import annotations

import math

import pytest
import torch

import gancore as gc

REAL = torch.tensor([2.0, 0.0])  # logits on real samples
FAKE = torch.tensor([-1.0, 3.0])  # logits on fake samples


def sp(t: float) -> float:
    """softplus(t) = log(1 + e^t)."""
    return math.log1p(math.exp(t))


def test_minimax_d_is_binary_cross_entropy():
    expected = (sp(-2.0) + sp(0.0)) / 2 + (sp(-1.0) + sp(3.0)) / 2
    assert gc.losses.minimax.d(REAL, FAKE).item() == pytest.approx(expected, rel=1e-6)


def test_d_losses_distinguish_real_from_fake():
    real, fake = torch.tensor([2.0, 0.5]), torch.tensor([-1.0, -3.0])
    for loss in (gc.losses.minimax, gc.losses.wasserstein, gc.losses.least_squares, gc.losses.hinge):
        assert loss.d(real, fake).item() < loss.d(fake, real).item(), loss


def test_minimax_g_is_saturating():
    # L_G = E[log(1 - sigmoid(d_fake))] = -E[softplus(d_fake)]
    expected = -(sp(-1.0) + sp(3.0)) / 2
    assert gc.losses.minimax.g(FAKE).item() == pytest.approx(expected, rel=1e-6)


def test_nonsaturating_g():
    expected = (sp(1.0) + sp(-3.0)) / 2  # -log sigmoid(t) = softplus(-t)
    assert gc.losses.nonsaturating.g(FAKE).item() == pytest.approx(expected, rel=1e-6)
    assert gc.losses.nonsaturating.d(REAL, FAKE).item() == pytest.approx(
        gc.losses.minimax.d(REAL, FAKE).item()
    )


def test_saturating_gradient_vanishes_where_nonsaturating_does_not():
    d_fake = torch.tensor([-8.0], requires_grad=True)  # D is sure the sample is fake
    (g_sat,) = torch.autograd.grad(gc.losses.minimax.g(d_fake), d_fake)
    (g_ns,) = torch.autograd.grad(gc.losses.nonsaturating.g(d_fake), d_fake)
    assert g_sat.item() == pytest.approx(-torch.sigmoid(torch.tensor(-8.0)).item(), rel=1e-5)
    assert g_ns.item() == pytest.approx(-(1 - torch.sigmoid(torch.tensor(-8.0))).item(), rel=1e-5)


def test_wasserstein():
    assert gc.losses.wasserstein.d(REAL, FAKE).item() == pytest.approx(1.0 - 1.0)
    assert gc.losses.wasserstein.d(torch.tensor([3.0]), torch.tensor([1.0])).item() == pytest.approx(-2.0)
    assert gc.losses.wasserstein.g(FAKE).item() == pytest.approx(-1.0)


def test_least_squares_default_targets():
    # 0.5 E[(d_real - 1)^2] + 0.5 E[(d_fake - 0)^2]
    expected = 0.5 * (1.0 + 1.0) / 2 + 0.5 * (1.0 + 9.0) / 2
    assert gc.losses.least_squares.d(REAL, FAKE).item() == pytest.approx(expected)
    assert gc.losses.least_squares.g(FAKE).item() == pytest.approx(0.5 * (4.0 + 4.0) / 2)


def test_least_squares_custom_targets():
    loss = gc.losses.LeastSquares(a=-1.0, b=1.0, c=0.0)
    expected = 0.5 * (1.0 + 1.0) / 2 + 0.5 * (0.0 + 16.0) / 2
    assert loss.d(REAL, FAKE).item() == pytest.approx(expected)
    assert loss.g(FAKE).item() == pytest.approx(0.5 * (1.0 + 9.0) / 2)
    assert "a=-1.0" in repr(loss)


def test_hinge():
    # relu(1 - d_real) = [0, 1]; relu(1 + d_fake) = [0, 4]
    assert gc.losses.hinge.d(REAL, FAKE).item() == pytest.approx(0.5 + 2.0)
    assert gc.losses.hinge.g(FAKE).item() == pytest.approx(-1.0)


def test_losses_stay_finite_for_extreme_logits():
    big = torch.tensor([1e4, -1e4])
    for loss in (gc.losses.minimax, gc.losses.nonsaturating):
        assert torch.isfinite(loss.d(big, -big)) and torch.isfinite(loss.g(big))


def test_probabilistic_flag():
    assert gc.losses.minimax.probabilistic and gc.losses.nonsaturating.probabilistic
    assert not gc.losses.wasserstein.probabilistic and not gc.losses.hinge.probabilistic
