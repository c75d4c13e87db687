"""The Dirac-GAN's vector fields, Jacobians and integrators against closed forms."""

from __future__ import annotations

import math

import pytest
import torch

import gancore as gc
from gancore import dirac

STANDARD = dirac.GANMethod(gc.losses.minimax)
NONSATURATING = dirac.GANMethod(gc.losses.nonsaturating)
WGAN = dirac.GANMethod(gc.losses.wasserstein)


def sigmoid(t: float) -> float:
    return 1.0 / (1.0 + math.exp(-t))


@pytest.mark.parametrize("theta, psi", [(1.0, 1.0), (0.5, -2.0), (-1.5, 0.3)])
def test_vector_field_of_the_standard_gan_is_closed_form(theta, psi):
    # L_D = log 2 + softplus(psi theta), L_G = -softplus(psi theta)
    s = sigmoid(psi * theta)
    v = dirac.vector_field(STANDARD, theta, psi)
    assert torch.allclose(v, torch.tensor([psi * s, -theta * s], dtype=torch.float64))


@pytest.mark.parametrize("theta, psi", [(1.0, 1.0), (0.5, -2.0)])
def test_vector_field_of_the_nonsaturating_and_wasserstein_gans(theta, psi):
    v = dirac.vector_field(NONSATURATING, theta, psi)
    expected = [psi * sigmoid(-psi * theta), -theta * sigmoid(psi * theta)]
    assert torch.allclose(v, torch.tensor(expected, dtype=torch.float64))
    assert torch.allclose(
        dirac.vector_field(WGAN, theta, psi), torch.tensor([psi, -theta], dtype=torch.float64)
    )


def test_vector_field_is_batched_over_games():
    theta, psi = torch.tensor([1.0, 0.5, -1.5]), torch.tensor([1.0, -2.0, 0.3])
    for method in (
        STANDARD,
        dirac.GANMethod(gc.losses.minimax, penalty=gc.techniques.R1(2.0), noise_std=0.5),
    ):
        batched = dirac.vector_field(method, theta, psi)
        single = torch.stack([dirac.vector_field(method, t, p) for t, p in zip(theta, psi, strict=True)])
        assert batched.shape == (3, 2)
        assert torch.allclose(batched, single)


@pytest.mark.parametrize(("method", "slope"), [(STANDARD, 0.5), (NONSATURATING, 0.5), (WGAN, 1.0)])
def test_jacobian_at_the_equilibrium_has_eigenvalues_plus_minus_f_prime_i(method, slope):
    J = dirac.jacobian(method)
    assert torch.allclose(J, torch.tensor([[0.0, slope], [-slope, 0.0]], dtype=torch.float64))
    eig = torch.linalg.eigvals(J)
    assert torch.allclose(eig.real, torch.zeros(2, dtype=torch.float64), atol=1e-12)
    assert sorted(eig.imag.tolist()) == pytest.approx([-slope, slope])


@pytest.mark.parametrize("gamma", [0.3, 0.8, 3.0])
def test_r1_eigenvalues_are_closed_form(gamma):
    # -gamma/2 +- sqrt(gamma^2/4 - f'(0)^2), f'(0) = 1/2
    eig = torch.linalg.eigvals(
        dirac.jacobian(dirac.GANMethod(gc.losses.minimax, penalty=gc.techniques.R1(gamma)))
    )
    expected = torch.tensor(-gamma / 2, dtype=torch.complex128) + torch.tensor(
        gamma**2 / 4 - 0.25, dtype=torch.complex128
    ).sqrt() * torch.tensor([1, -1])
    assert torch.allclose(torch.sort(eig.real).values, torch.sort(expected.real).values)
    assert torch.allclose(torch.sort(eig.imag).values, torch.sort(expected.imag).values)


@pytest.mark.parametrize("std", [0.5, 1.0])
def test_instance_noise_eigenvalues_are_closed_form(std):
    # f''(0) sigma^2 +- sqrt(f''(0)^2 sigma^4 - f'(0)^2), f''(0) = -1/4
    eig = torch.linalg.eigvals(dirac.jacobian(dirac.GANMethod(gc.losses.minimax, noise_std=std)))
    re, im = -(std**2) / 4, math.sqrt(0.25 - std**4 / 16)
    assert torch.allclose(eig.real, torch.full((2,), re, dtype=torch.float64))
    assert sorted(eig.imag.tolist()) == pytest.approx([-im, im])


def test_consensus_optimization_eigenvalues_are_closed_form():
    # J - gamma J^T J at the equilibrium: -gamma f'(0)^2 +- f'(0) i
    eig = torch.linalg.eigvals(dirac.jacobian(dirac.ConsensusOptimization(STANDARD, gamma=2.0)))
    assert torch.allclose(eig.real, torch.full((2,), -0.5, dtype=torch.float64))
    assert sorted(eig.imag.tolist()) == pytest.approx([-0.5, 0.5])


def test_the_dirac_gan_takes_gancores_penalty_techniques():
    psi = torch.tensor(-1.5, dtype=torch.float64)
    D = dirac.DiracDiscriminator(psi)
    x_real, x_fake = torch.zeros(4, 1, dtype=torch.float64), torch.full((4, 1), 2.0, dtype=torch.float64)
    step = gc.Step(0, gc.losses.minimax, x_real=x_real, x_fake=x_fake)
    r1 = gc.techniques.R1(gamma=3.0).d_penalty(D, step)  # gamma / 2 * psi^2
    assert r1.item() == pytest.approx(1.5 * 2.25)
    gp = gc.techniques.GradientPenalty(weight=2.0).d_penalty(D, step)  # weight * (|psi| - 1)^2
    assert gp.item() == pytest.approx(2.0 * 0.25)
    with pytest.raises(TypeError, match="technique"):
        dirac.GANMethod(gc.losses.minimax, penalty=lambda D, x_real, x_fake: x_real.sum())


def test_one_simultaneous_step_of_the_linearized_game_grows_the_norm():
    # w + h J w with J = [[0, a], [-a, 0]]: |w| grows by sqrt(1 + h^2 a^2), a = f'(0)
    h, w = 0.3, torch.tensor([0.6, -0.8], dtype=torch.float64)
    for method, slope in ((STANDARD, 0.5), (WGAN, 1.0)):
        step = w + h * dirac.jacobian(method) @ w
        assert step.norm().item() == pytest.approx(math.sqrt(1 + h**2 * slope**2))
    # the bilinear WGAN game is its own linearization: the integrator gives the same growth
    path = dirac.simulate(WGAN, 0.6, -0.8, h=h, steps=3)
    assert path.shape == (4, 2)
    assert path.norm(dim=1).tolist() == pytest.approx([(1 + h**2) ** (k / 2) for k in range(4)])


def test_simultaneous_gd_diverges_and_alternating_gd_stays_bounded_on_the_wgan():
    # alternating steps on the bilinear game preserve theta^2 + psi^2 - h theta psi (a symplectic map)
    path = dirac.simulate(WGAN, 1.0, 0.0, h=0.1, steps=200, scheme=dirac.alternating)
    invariant = path[:, 0] ** 2 + path[:, 1] ** 2 - 0.1 * path[:, 0] * path[:, 1]
    assert torch.allclose(invariant, invariant[0].expand_as(invariant))
    assert dirac.verdict(path) == "orbits"
    assert dirac.verdict(dirac.simulate(WGAN, 1.0, 0.0, h=0.5, steps=200)) == "diverges"


def test_alternating_scheme_takes_n_critic_d_steps_first():
    h = 0.1
    theta, psi = dirac.simulate(WGAN, 1.0, 0.0, h=h, steps=1, scheme=dirac.Alternating(n_critic=2))[
        1
    ].tolist()
    assert psi == pytest.approx(-2 * h)  # psi <- psi - h * theta, twice
    assert theta == pytest.approx(1.0 + h * psi)  # theta <- theta + h * psi with the new psi


def test_clipping_projects_psi_and_regularizers_converge():
    clipped = dirac.GANMethod(gc.losses.wasserstein, clip=0.5)
    path = dirac.simulate(clipped, 3.0, 0.0, h=0.5, steps=20)
    assert path[:, 1].abs().max().item() == pytest.approx(0.5)
    r1 = dirac.GANMethod(gc.losses.minimax, penalty=gc.techniques.R1(1.0))
    assert dirac.verdict(dirac.simulate(r1, 1.0, 1.0, h=0.2, steps=300)) == "converges"


def test_wgan_gp_stalls_where_the_penalty_balances_the_generator():
    # d/dpsi [psi theta + lam (|psi| - 1)^2] -> 0 as psi -> 0+ needs theta = 2 lam
    gp = dirac.GANMethod(gc.losses.wasserstein, penalty=gc.techniques.GradientPenalty(weight=1.0))
    path = dirac.simulate(gp, 0.5, 0.5, h=0.25, steps=300)
    assert dirac.verdict(path) == "stalls"
    assert path[-1].tolist() == pytest.approx([2.0, 0.0], abs=1e-4)


def test_verdict_classes():
    t = torch.linspace(0, 1, 101, dtype=torch.float64)[:, None]
    start = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
    assert dirac.verdict(start * torch.exp(-20 * t)) == "converges"
    assert dirac.verdict(start * (1 + 3 * t)) == "diverges"
    assert dirac.verdict(start * torch.ones_like(t)) == "stalls"
    angle = 20 * t[:, 0]
    assert dirac.verdict(torch.stack([angle.cos(), angle.sin()], dim=1)) == "orbits"


def test_bad_input_is_rejected():
    with pytest.raises(TypeError, match="loss"):
        dirac.GANMethod("minimax")
    with pytest.raises(ValueError, match="clip"):
        dirac.GANMethod(clip=-1.0)
    with pytest.raises(ValueError, match="noise_std"):
        dirac.GANMethod(noise_std=-0.1)
    with pytest.raises(TypeError, match="method"):
        dirac.simulate("standard")
    with pytest.raises(TypeError, match="scheme"):
        dirac.simulate(STANDARD, scheme="alternating")
    with pytest.raises(ValueError, match="h"):
        dirac.simulate(STANDARD, h=0.0)
    with pytest.raises(ValueError, match="n_critic"):
        dirac.Alternating(n_critic=0)
    with pytest.raises(ValueError, match="same shape"):
        dirac.vector_field(STANDARD, torch.zeros(2), torch.zeros(3))
    with pytest.raises(ValueError, match="path"):
        dirac.verdict(torch.zeros(5))
    with pytest.raises(ValueError, match=r"\(N, 1\)"):
        dirac.DiracDiscriminator(torch.tensor(1.0))(torch.zeros(3, 2))
