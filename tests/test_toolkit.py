"""Part IV's techniques against closed forms: R2, spectral norm, EMA, consensus, packing, unrolling."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from torch import nn

import gancore as gc
from gancore.step import Batch
from gancore.techniques import (
    EMA,
    R2,
    Consensus,
    FeatureMatching,
    MinibatchStd,
    Pack,
    SpectralNorm,
    SpectralNormalizedD,
    Unrolled,
    WithParameters,
)
from gancore.techniques.consensus import consensus_regularizer


def _step(index: int = 0, loss: gc.losses.GANLoss = gc.losses.nonsaturating, **fields) -> gc.Step:
    return gc.Step(index, loss, **fields)


class Linear1d(nn.Module):
    """D(x) = a x for scalar samples x (N, 1): the gradient field of the game has a closed form."""

    def __init__(self, a: float) -> None:
        super().__init__()
        self.a = nn.Parameter(torch.tensor(a))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.a * x[:, 0]  # (N,)


class Constant(nn.Module):
    """G(z) = t for every z: a one-parameter generator."""

    def __init__(self, t: float) -> None:
        super().__init__()
        self.t = nn.Parameter(torch.tensor(t))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.t.expand(len(z), 1)  # (N, 1)


# ----------------------------------------------------------------------------- R2
def test_r2_is_half_gamma_times_the_squared_slope_at_fake_samples():
    D = nn.Linear(2, 1)
    with torch.no_grad():
        D.weight.copy_(torch.tensor([[3.0, 4.0]]))
    step = _step(x_real=torch.zeros(3, 2), x_fake=torch.randn(3, 2))
    penalty = R2(gamma=2.0).d_penalty(lambda x: D(x).squeeze(1), step)
    assert penalty.item() == pytest.approx(0.5 * 2.0 * 25.0)
    with pytest.raises(ValueError, match="gamma"):
        R2(gamma=-1.0)


# ----------------------------------------------------------------------------- spectral norm
def test_power_iteration_converges_to_the_largest_singular_value():
    torch.manual_seed(0)
    D = gc.models.MLPDiscriminator(2, width=8)
    wrapped = SpectralNormalizedD(D)
    for _ in range(200):
        wrapped(torch.randn(4, 2))  # each training-mode pass refines u
    for sigma, W in zip(wrapped.sigmas(), wrapped._matrices(), strict=True):
        assert sigma.item() == pytest.approx(torch.linalg.matrix_norm(W, ord=2).item(), rel=1e-4)
    assert wrapped.lipschitz_bound() == pytest.approx(1.0, rel=1e-3)


def test_spectral_norm_bounds_the_slope_and_leaves_the_callers_d_alone():
    torch.manual_seed(0)
    D = gc.models.MLPDiscriminator(2, width=16)
    before = copy.deepcopy(D.state_dict())
    wrapped = SpectralNorm(n_power_iterations=50).wrap_d(D)
    assert SpectralNorm().wrap_d(wrapped) is wrapped  # idempotent
    x = torch.randn(256, 2)
    wrapped(x)
    slopes = gc.penalties.input_gradient_norm(wrapped, x)
    assert slopes.max().item() <= wrapped.lipschitz_bound() + 1e-5
    assert all(torch.equal(before[k], v) for k, v in D.state_dict().items())  # weights untouched
    assert set(dict(wrapped.named_parameters())) == {f"D.{k}" for k, _ in D.named_parameters()}
    # eval mode does not move u
    wrapped.eval()
    u = wrapped.u0.clone()
    wrapped(x)
    assert torch.equal(u, wrapped.u0)


def test_spectral_norm_normalizes_conv_weights_as_matrices():
    D = gc.models.DCGANDiscriminator(channels=1, image_size=28, width=4)
    wrapped = SpectralNormalizedD(D, n_power_iterations=100)
    wrapped(torch.randn(2, 1, 28, 28))
    for W in wrapped.normalized_weights().values():
        assert torch.linalg.matrix_norm(W.flatten(1), ord=2).item() == pytest.approx(1.0, rel=1e-3)


def test_spectral_norm_trains_and_its_gradient_reaches_the_weights(tiny_gan, ring):
    cfg = gc.TrainConfig(steps=3, batch_size=32, progress=False, sample_every=None)
    trainer = gc.Trainer(tiny_gan, gc.losses.hinge, cfg, techniques=[SpectralNorm()])
    weights = [p for p in tiny_gan.D.parameters() if p.ndim == 2]
    before = [p.clone() for p in weights]
    trainer.fit(ring)
    assert isinstance(trainer.gan.D, SpectralNormalizedD) and trainer.gan.D.D is tiny_gan.D
    assert all(not torch.equal(a, b) for a, b in zip(before, weights, strict=True))


# ----------------------------------------------------------------------------- EMA
def test_ema_follows_its_recursion_with_warm_up():
    G = Constant(0.0)
    ema = EMA(beta=0.9)
    average = ema.sampler(G)
    expected = 0.0
    for t, value in enumerate([1.0, 2.0, 4.0, -1.0, 3.0] * 6):
        with torch.no_grad():
            G.t.fill_(value)
        ema.after_g_step(G, _step(t))
        beta = min(0.9, (1 + t) / (10 + t))
        expected = beta * expected + (1 - beta) * value
        assert average.t.item() == pytest.approx(expected, rel=1e-6)
    assert not average.t.requires_grad
    state = ema.state_dict()
    other = EMA(beta=0.9)
    other.sampler(Constant(0.0))
    other.load_state_dict(state)
    assert other._updates == 30 and other._average.t.item() == pytest.approx(expected, rel=1e-6)


def test_ema_is_the_sampling_generator_and_leaves_training_unchanged(tiny_gan, ring):
    cfg = gc.TrainConfig(steps=20, batch_size=32, progress=False, sample_every=None, device="cpu")
    plain = gc.Trainer(copy.deepcopy(tiny_gan), gc.losses.nonsaturating, cfg)
    plain.fit(ring)
    trainer = gc.Trainer(tiny_gan, gc.losses.nonsaturating, cfg, techniques=[EMA(0.99)])
    trainer.fit(ring)
    assert np.array_equal(trainer.history["loss_d"], plain.history["loss_d"])  # same training
    z = torch.randn(5, 2)
    assert torch.equal(trainer.gan.sample(z=z), trainer.gan.sampler(z))
    assert not torch.equal(trainer.gan.sample(z=z), tiny_gan.G(z).detach())


# ----------------------------------------------------------------------------- consensus
def test_consensus_regularizer_is_half_the_squared_gradient_field():
    # L_D = -a mean(x_real) + a t, L_G = -a t: v = (t - m, -a), so reg = ((t - m)^2 + a^2) / 2.
    D, G = Linear1d(0.7), Constant(2.0)
    x_real = torch.tensor([[1.0], [2.0], [3.0]])  # m = 2 ... shifted below
    x_real = x_real - 1.5  # m = 0.5
    x_fake = G(torch.zeros(3, 1))
    reg = consensus_regularizer(D, x_real, x_fake, gc.losses.wasserstein, [D.a], [G.t])
    assert reg.item() == pytest.approx(0.5 * ((2.0 - 0.5) ** 2 + 0.7**2))
    grad_a, grad_t = torch.autograd.grad(reg, [D.a, G.t])
    assert grad_a.item() == pytest.approx(0.7)  # d reg / da = a
    assert grad_t.item() == pytest.approx(2.0 - 0.5)  # d reg / dt = t - m


def test_consensus_adds_gamma_times_the_regularizer_to_both_players():
    D, G = Linear1d(0.7), Constant(2.0)
    x_real = torch.tensor([[0.0], [1.0]])  # m = 0.5
    technique = Consensus(gamma=3.0)
    technique.wrap_g(G)
    step = _step(
        loss=gc.losses.wasserstein,
        x_real=x_real,
        next_real=lambda: Batch(x_real),
        d_input=lambda x: x,
        generate=lambda n: (G(torch.zeros(n, 1)), None),
    )
    expected = 3.0 * 0.5 * ((2.0 - 0.5) ** 2 + 0.7**2)
    assert technique.d_penalty(D, step).item() == pytest.approx(expected)
    technique.g_discriminator(D, step)
    step.x_fake = G(torch.zeros(2, 1))
    loss_g = technique.g_loss(torch.tensor(0.0), step)
    assert loss_g.item() == pytest.approx(expected)
    (grad_t,) = torch.autograd.grad(loss_g, [G.t])
    assert grad_t.item() == pytest.approx(3.0 * (2.0 - 0.5))


# ----------------------------------------------------------------------------- minibatch std, packing
def test_minibatch_std_appends_each_groups_mean_standard_deviation():
    x = torch.tensor([[0.0, 0.0], [1.0, 1.0], [2.0, 4.0], [1.0, 5.0]])
    out = MinibatchStd(group_size=2).d_input(x, _step())
    # groups {0, 2} and {1, 3}: population stds (1, 2) and (0, 2), each sqrt(var + 1e-8), averaged
    assert out.shape == (4, 3)
    assert torch.equal(out[:, :2], x)
    first, second = 1.5, (1e-4 + 2.0) / 2
    assert out[:, 2].tolist() == pytest.approx([first, second, first, second], abs=1e-6)
    images = MinibatchStd(group_size=2).d_input(torch.randn(4, 3, 5, 5), _step())
    assert images.shape == (4, 4, 5, 5) and bool((images[0, 3] == images[0, 3, 0, 0]).all())
    with pytest.raises(ValueError, match="multiple of group_size=4"):
        MinibatchStd(4).d_input(torch.randn(6, 2), _step())


def test_pack_concatenates_consecutive_samples():
    x = torch.arange(12.0).view(6, 2)
    packed = Pack(m=3).d_input(x, _step())
    assert packed.tolist() == [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]]
    images = Pack(m=2).d_input(torch.randn(4, 1, 5, 5), _step())
    assert images.shape == (2, 2, 5, 5)
    with pytest.raises(ValueError, match="multiple of 2"):
        Pack(m=2).d_input(torch.randn(5, 2), _step())


@pytest.mark.parametrize(
    "technique, in_dim", [(MinibatchStd(group_size=4), 3), (Pack(m=2), 4)], ids=["mbstd", "pack"]
)
def test_input_techniques_train_with_a_d_built_for_their_width(technique, in_dim, ring):
    gc.seed_everything(0)
    gan = gc.GAN(gc.models.MLPGenerator(2, 2, width=16), gc.models.MLPDiscriminator(in_dim, width=16), 2)
    cfg = gc.TrainConfig(steps=3, batch_size=32, progress=False, sample_every=None)
    history = gc.Trainer(gan, gc.losses.nonsaturating, cfg, techniques=[technique]).fit(ring)
    assert len(history) == 3


# ----------------------------------------------------------------------------- unrolled
def _unroll_step(trainer: gc.Trainer, x_real: torch.Tensor, G: nn.Module) -> gc.Step:
    return _step(
        next_real=lambda: Batch(x_real),
        d_loss=trainer.d_loss,
        d_input=lambda x: x,
        generate=lambda n: (G(torch.zeros(n, 1)), None),
    )


def test_first_order_unrolling_is_k_sgd_steps_on_a_copy_of_d():
    torch.manual_seed(0)
    G, D = Constant(0.3), gc.models.MLPDiscriminator(1, width=8)
    trainer = gc.Trainer(gc.GAN(G, D, latent_dim=1), gc.losses.nonsaturating, gc.TrainConfig(progress=False))
    x_real = torch.randn(16, 1)
    before = copy.deepcopy(D.state_dict())
    look_ahead = Unrolled(k=3, lr=0.1, second_order=False).g_discriminator(
        D, _unroll_step(trainer, x_real, G)
    )
    manual = copy.deepcopy(D)
    opt = torch.optim.SGD(manual.parameters(), lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        gc.losses.nonsaturating.d(manual(x_real), manual(G(torch.zeros(16, 1)).detach())).backward()
        opt.step()
    for name, p in manual.named_parameters():
        assert torch.allclose(look_ahead.values[name], p, atol=1e-6)
    assert all(torch.equal(before[k], v) for k, v in D.state_dict().items())  # D itself untouched


def test_second_order_unrolling_differentiates_through_the_look_ahead():
    torch.manual_seed(0)
    G, D = Constant(0.3).double(), gc.models.MLPDiscriminator(1, width=8).double()
    trainer = gc.Trainer(
        gc.GAN(G, D, latent_dim=1), gc.losses.nonsaturating, gc.TrainConfig(progress=False, device="cpu")
    )
    x_real = torch.randn(16, 1, dtype=torch.float64)

    def surrogate(second_order: bool) -> torch.Tensor:
        look_ahead = Unrolled(k=2, lr=0.5, second_order=second_order).g_discriminator(
            D, _unroll_step(trainer, x_real, G)
        )
        return gc.losses.nonsaturating.g(look_ahead(G(torch.zeros(16, 1, dtype=torch.float64))))

    (grad,) = torch.autograd.grad(surrogate(True), [G.t])
    eps = 1e-6
    values = []
    for shift in (eps, -eps):
        with torch.no_grad():
            G.t += shift
        values.append(surrogate(True).item())
        with torch.no_grad():
            G.t -= shift
    numeric = (values[0] - values[1]) / (2 * eps)
    assert grad.item() == pytest.approx(numeric, rel=1e-5)
    (first_order,) = torch.autograd.grad(surrogate(False), [G.t])
    assert abs(first_order.item() - numeric) > 1e-3 * abs(numeric)  # the dropped term matters here


def test_unrolled_trains_with_the_trainer(tiny_gan, ring):
    cfg = gc.TrainConfig(steps=3, batch_size=32, progress=False, sample_every=None)
    history = gc.Trainer(tiny_gan, gc.losses.nonsaturating, cfg, techniques=[Unrolled(k=2)]).fit(ring)
    assert len(history) == 3


# ----------------------------------------------------------------------------- feature matching
def test_feature_matching_is_the_squared_distance_of_mean_features():
    torch.manual_seed(0)
    D = gc.models.MLPDiscriminator(2, width=8)
    x_real, x_fake = torch.randn(16, 2), torch.randn(16, 2) + 1.0
    technique = FeatureMatching(weight=2.0)
    step = _step(next_real=lambda: Batch(x_real), d_input=lambda x: x, x_fake=x_fake)
    technique.g_discriminator(D, step)
    loss = technique.g_loss(torch.tensor(123.0), step)
    expected = 2.0 * (D.features(x_real).mean(0) - D.features(x_fake).mean(0)).pow(2).sum()
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)
    assert torch.allclose(D.net[-1](D.features(x_real)).squeeze(1), D(x_real))


def test_feature_matching_needs_a_d_with_features(tiny_gan):
    gan = gc.GAN(tiny_gan.G, WithParameters(tiny_gan.D, {}), latent_dim=2)
    with pytest.raises(TypeError, match="features"):
        gc.Trainer(gan, gc.losses.nonsaturating, techniques=[FeatureMatching()])
