"""Gradient penalties against closed forms for linear and quadratic discriminators."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import gancore as gc


class Linear(nn.Module):
    """D(x) = w . x + b, whose input gradient is w everywhere."""

    def __init__(self, w: torch.Tensor) -> None:
        super().__init__()
        self.w = nn.Parameter(w.clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.flatten(1) @ self.w.flatten() + 0.5


class Quadratic(nn.Module):
    """D(x) = ||x||^2 / 2, whose input gradient is x."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 0.5 * x.flatten(1).pow(2).sum(1)


def test_gradient_penalty_of_linear_d_is_closed_form():
    w = torch.tensor([3.0, 4.0])  # ||w|| = 5
    D = Linear(w)
    x_real, x_fake = torch.randn(16, 2), torch.randn(16, 2)
    assert gc.penalties.gradient_penalty(D, x_real, x_fake).item() == pytest.approx(16.0)
    assert gc.penalties.gradient_penalty(D, x_real, x_fake, center=0.0).item() == pytest.approx(25.0)


@pytest.mark.parametrize("shape", [(8, 2), (8, 1, 4, 4), (8, 3, 2, 2)])
def test_gradient_penalty_any_input_shape(shape):
    n_features = torch.Size(shape[1:]).numel()
    w = torch.full((n_features,), 1.0 / n_features**0.5)  # ||w|| = 1 -> zero penalty
    penalty = gc.penalties.gradient_penalty(Linear(w), torch.randn(shape), torch.randn(shape))
    assert penalty.item() == pytest.approx(0.0, abs=1e-10)


def test_gradient_penalty_backpropagates_to_d():
    D = Linear(torch.tensor([3.0, 4.0]))
    gc.penalties.gradient_penalty(D, torch.randn(4, 2), torch.randn(4, 2)).backward()
    # d/dw (||w|| - 1)^2 = 2 (||w|| - 1) w / ||w|| = 2 * 4 * w / 5
    assert torch.allclose(D.w.grad, torch.tensor([4.8, 6.4]))


def test_gradient_penalty_shape_mismatch():
    with pytest.raises(ValueError, match="same shape"):
        gc.penalties.gradient_penalty(Quadratic(), torch.randn(4, 2), torch.randn(3, 2))


def test_r1_and_r2_distinguish_real_and_fake():
    x_real = torch.tensor([[1.0, 2.0], [0.0, 3.0]])  # squared norms 5, 9 -> mean 7
    x_fake = torch.tensor([[1.0, 0.0], [0.0, 1.0]])  # squared norms 1, 1 -> mean 1
    assert gc.penalties.r1(Quadratic(), x_real).item() == pytest.approx(7.0)
    assert gc.penalties.r2(Quadratic(), x_fake).item() == pytest.approx(1.0)


def test_input_gradient_norm_per_sample():
    x = torch.tensor([[3.0, 4.0], [0.0, 2.0]])
    norms = gc.penalties.input_gradient_norm(Quadratic(), x)
    assert torch.allclose(norms, torch.tensor([5.0, 2.0]))
    with pytest.raises(ValueError, match="shape"):
        gc.penalties.input_gradient_norm(Quadratic(), torch.tensor([1.0, 2.0]))


def test_r1_and_r2_are_differentiable_where_the_gradient_vanishes():
    D = Linear(torch.zeros(2))  # grad_x D = w = 0: a norm would have an undefined derivative here
    for penalty in (gc.penalties.r1(D, torch.ones(3, 2)), gc.penalties.r2(D, torch.ones(3, 2))):
        (grad,) = torch.autograd.grad(penalty, D.w)
        assert torch.equal(grad, torch.zeros(2))  # d/dw ||w||^2 = 2w = 0


def test_zero_centered_gradient_penalty_has_a_finite_gradient_where_d_is_flat():
    D = nn.Linear(2, 1, bias=False)
    nn.init.zeros_(D.weight)  # grad_x D = 0 everywhere: the norm's square root has no derivative there
    f = lambda x: D(x).squeeze(1)  # noqa: E731
    penalty = gc.penalties.gradient_penalty(f, torch.randn(4, 2), torch.randn(4, 2), center=0.0)
    penalty.backward()
    assert penalty.item() == 0.0 and torch.equal(D.weight.grad, torch.zeros(1, 2))
