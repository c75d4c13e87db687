"""Stabilization techniques: their mathematics against closed forms, and all of them composed."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import gancore as gc
from gancore.techniques import (
    ClipGradNorm,
    ClipGradValue,
    ClipWeights,
    GradientNormalization,
    GradNormalizedD,
    InstanceNoise,
    LabelSmoothing,
    Technique,
)


def _with_grads(*grads: list[float]) -> nn.Module:
    """A parameter-only module whose parameters carry the given gradients."""
    module = nn.Module()
    for i, g in enumerate(grads):
        p = nn.Parameter(torch.zeros(len(g)))
        p.grad = torch.tensor(g)
        module.register_parameter(f"p{i}", p)
    return module


def _step(index: int = 0, **fields: torch.Tensor) -> gc.Step:
    """A Step as the trainer would pass it (only the fields a test needs)."""
    return gc.Step(index, gc.losses.nonsaturating, **fields)


def _grads(module: nn.Module) -> torch.Tensor:
    return torch.cat([p.grad.flatten() for p in module.parameters()])


# ----------------------------------------------------------------------------- instance noise
def test_instance_noise_anneals_linearly_to_zero():
    noise = InstanceNoise(std=0.4, anneal_steps=100)
    assert [noise.std_at(s) for s in (0, 25, 50, 100, 200)] == pytest.approx([0.4, 0.3, 0.2, 0.0, 0.0])
    assert InstanceNoise(std=0.4).std_at(10_000) == 0.4


def test_instance_noise_adds_gaussian_of_the_given_std_and_nothing_at_zero():
    x = torch.zeros(200_000, 2)
    torch.manual_seed(0)
    noisy = InstanceNoise(std=0.5).d_input(x, _step(0))
    assert noisy.std().item() == pytest.approx(0.5, rel=0.01)
    assert noisy.mean().abs().item() < 0.01
    assert InstanceNoise(std=0.0).d_input(x, _step(0)) is x
    assert InstanceNoise(std=0.5, anneal_steps=10).d_input(x, _step(10)) is x


@pytest.mark.parametrize("kwargs", [{"std": -1.0}, {"std": 0.1, "anneal_steps": 0}])
def test_instance_noise_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        InstanceNoise(**kwargs)


# ----------------------------------------------------------------------------- gradient clipping
def test_clip_grad_norm_rescales_to_max_norm_and_keeps_direction():
    D = _with_grads([3.0, 0.0], [0.0, 4.0])  # global norm 5
    ClipGradNorm(max_norm=1.0).after_d_backward(D, _step())
    assert _grads(D).tolist() == pytest.approx([0.6, 0.0, 0.0, 0.8], abs=1e-6)
    G = _with_grads([0.3, 0.4])  # norm 0.5 < 1: unchanged
    ClipGradNorm(max_norm=1.0).after_g_backward(G, _step())
    assert _grads(G).tolist() == pytest.approx([0.3, 0.4])


def test_clip_grad_norm_flags_select_the_network():
    D = _with_grads([3.0, 4.0])
    ClipGradNorm(max_norm=1.0, d=False).after_d_backward(D, _step())
    assert _grads(D).tolist() == [3.0, 4.0]
    with pytest.raises(ValueError, match="max_norm"):
        ClipGradNorm(max_norm=0.0)


def test_clip_grad_value_clamps_each_entry():
    D = _with_grads([-3.0, 0.05, 0.2], [7.0])
    ClipGradValue(clip_value=0.1).after_d_backward(D, _step())
    assert _grads(D).tolist() == pytest.approx([-0.1, 0.05, 0.1, 0.1])
    G = _with_grads([5.0, -5.0])
    ClipGradValue(clip_value=0.1, g=False).after_g_backward(G, _step())
    assert _grads(G).tolist() == [5.0, -5.0]
    ClipGradValue(clip_value=0.1).after_g_backward(G, _step())
    assert _grads(G).tolist() == pytest.approx([0.1, -0.1])


@pytest.mark.parametrize(
    "kwargs", [{"clip_value": 0}, {"clip_value": -1.0}, {"clip_value": 1.0, "d": False, "g": False}]
)
def test_clip_grad_value_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        ClipGradValue(**kwargs)


# ----------------------------------------------------------------------------- weight clipping
def test_clip_weights_bounds_every_d_parameter_after_a_step(tiny_gan, ring):
    cfg = gc.TrainConfig(
        steps=1, batch_size=16, lr_d=1.0, seed=0, device="cpu", sample_every=None, progress=False
    )
    trainer = gc.Trainer(tiny_gan, gc.losses.wasserstein, cfg, techniques=[ClipWeights(c=0.01)])
    trainer.fit(ring)
    weights = torch.cat([p.detach().flatten() for p in trainer.gan.D.parameters()])
    assert weights.abs().max().item() <= 0.01
    assert (weights.abs() == 0.01).float().mean() > 0.5  # lr 1 pushes most weights onto the bound


def test_clip_weights_leaves_small_weights_alone():
    D = nn.Linear(2, 1)
    with torch.no_grad():
        D.weight.copy_(torch.tensor([[0.005, -0.3]]))
        D.bias.fill_(0.02)
    ClipWeights(c=0.01).after_d_step(D, _step())
    assert D.weight.flatten().tolist() == pytest.approx([0.005, -0.01])
    assert D.bias.item() == pytest.approx(0.01)
    with pytest.raises(ValueError, match="c must"):
        ClipWeights(c=0)


# ----------------------------------------------------------------------------- label smoothing
def test_label_smoothing_at_zero_logits_is_two_log_two_for_any_targets():
    zeros = torch.zeros(4)
    for real, fake in [(0.9, 0.0), (0.8, 0.2), (1.0, 0.0)]:
        loss_d = LabelSmoothing(real, fake).d_loss(torch.tensor(123.0), _step(d_real=zeros, d_fake=zeros))
        assert loss_d.item() == pytest.approx(2 * math.log(2))


def test_label_smoothing_matches_the_closed_form_cross_entropy():
    d_real, d_fake = torch.tensor([2.0, 2.0]), torch.tensor([-1.0, -1.0])
    # l(t, y) = softplus(t) - y t, written out by hand
    expected = (math.log(1 + math.e**2) - 0.9 * 2.0) + (math.log(1 + math.e**-1) - 0.1 * -1.0)
    got = LabelSmoothing(real=0.9, fake=0.1).d_loss(torch.tensor(0.0), _step(d_real=d_real, d_fake=d_fake))
    assert got.item() == pytest.approx(expected, rel=1e-6)
    one_sided = LabelSmoothing().d_loss(torch.tensor(0.0), _step(d_real=d_real, d_fake=d_fake))
    assert one_sided.item() == pytest.approx(
        math.log(1 + math.e**2) - 1.8 + math.log(1 + math.e**-1), rel=1e-6
    )


def test_label_smoothing_with_hard_targets_is_the_standard_d_loss():
    torch.manual_seed(0)
    d_real, d_fake = torch.randn(8), torch.randn(8)
    got = LabelSmoothing(real=1.0, fake=0.0).d_loss(torch.tensor(0.0), _step(d_real=d_real, d_fake=d_fake))
    assert got.item() == pytest.approx(gc.losses.nonsaturating.d(d_real, d_fake).item(), rel=1e-6)


@pytest.mark.parametrize("loss", [gc.losses.wasserstein, gc.losses.hinge, gc.losses.least_squares])
def test_label_smoothing_rejects_a_non_probabilistic_loss(tiny_gan, loss):
    with pytest.raises(TypeError, match="probabilistic"):
        gc.Trainer(tiny_gan, loss, gc.TrainConfig(device="cpu"), techniques=[LabelSmoothing()])


@pytest.mark.parametrize("real, fake", [(1.1, 0.0), (0.9, -0.1), (0.5, 0.5), (0.2, 0.8)])
def test_label_smoothing_rejects_bad_targets(real, fake):
    with pytest.raises(ValueError):
        LabelSmoothing(real, fake)


# ----------------------------------------------------------------------------- gradient normalization
def test_gradient_normalized_linear_d_is_closed_form():
    D = nn.Linear(2, 1)
    with torch.no_grad():
        D.weight.copy_(torch.tensor([[3.0, 4.0]]))  # ||w|| = 5
        D.bias.fill_(1.0)
    x = torch.tensor([[0.0, 0.0], [1.0, 1.0], [-1.0, -1.0]])
    f = torch.tensor([1.0, 8.0, -6.0])  # w.x + b
    f_hat = GradNormalizedD(nn.Sequential(D, nn.Flatten(0)))(x)
    assert f_hat.tolist() == pytest.approx((f / (5.0 + f.abs())).tolist())  # [1/6, 8/13, -6/11]


def test_gradient_normalized_mlp_is_one_lipschitz_and_bounded():
    torch.manual_seed(0)
    D = GradNormalizedD(gc.models.MLPDiscriminator(2, width=64, depth=3))
    x = (3 * torch.randn(512, 2)).requires_grad_(True)
    f_hat = D(x)  # (N,)
    (grad,) = torch.autograd.grad(f_hat.sum(), x)
    assert grad.norm(dim=1).max().item() <= 1 + 1e-5
    assert f_hat.abs().max().item() < 1
    with torch.no_grad():
        detached = D(x)
    assert not detached.requires_grad and torch.allclose(detached, f_hat.detach())


def test_gradient_normalization_backpropagates_into_g_and_d(tiny_gan):
    D = GradNormalizedD(tiny_gan.D)
    x_fake = tiny_gan.G(torch.randn(16, 2))  # requires grad through G, as in the G step
    F.softplus(-D(x_fake)).mean().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in tiny_gan.G.parameters())
    assert all(p.grad is not None for p in tiny_gan.D.parameters())


def test_gradient_normalization_wraps_the_trainers_d_once_and_leaves_the_callers_alone(tiny_gan):
    inner = tiny_gan.D
    trainer = gc.Trainer(tiny_gan, gc.losses.hinge, gc.TrainConfig(device="cpu"), [GradientNormalization()])
    assert isinstance(trainer.gan.D, GradNormalizedD) and trainer.gan.D.D is inner
    assert tiny_gan.D is inner and trainer.gan.G is tiny_gan.G  # the caller's GAN is unchanged
    assert {id(p) for p in trainer.opt_d.param_groups[0]["params"]} == {id(p) for p in inner.parameters()}
    twice = gc.Trainer(trainer.gan, gc.losses.hinge, gc.TrainConfig(device="cpu"), [GradientNormalization()])
    assert twice.gan is trainer.gan and twice.gan.D.D is inner  # idempotent: no second wrapper


# ----------------------------------------------------------------------------- all of them at once
class Spy(Technique):
    """Listed last: sees what the other techniques made of inputs, losses and gradients."""

    def __init__(self) -> None:
        self.inputs: list[torch.Tensor] = []
        self.losses: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = []
        self.grads_d: list[torch.Tensor] = []
        self.grads_g: list[torch.Tensor] = []

    def d_input(self, x, step):
        self.inputs.append(x.detach())
        return x

    def d_loss(self, loss_d, step):
        self.losses.append((loss_d.detach(), step.d_real.detach(), step.d_fake.detach()))
        return loss_d

    def after_d_backward(self, D, step):
        self.grads_d.append(torch.cat([p.grad.flatten() for p in D.parameters()]))

    def after_g_backward(self, G, step):
        self.grads_g.append(torch.cat([p.grad.flatten() for p in G.parameters()]))


def test_all_techniques_compose_in_one_run(tiny_gan, ring):
    spy = Spy()
    techniques = [
        InstanceNoise(std=0.5),
        LabelSmoothing(real=0.9, fake=0.1),
        ClipGradNorm(max_norm=0.5),
        ClipGradValue(clip_value=0.0625),  # bounds exact in float32
        ClipWeights(c=0.125),
        GradientNormalization(),
        spy,
    ]
    cfg = gc.TrainConfig(steps=20, batch_size=64, seed=0, device="cpu", sample_every=None, progress=False)
    trainer = gc.Trainer(tiny_gan, gc.losses.nonsaturating, cfg, techniques=techniques)
    history = trainer.fit(ring)
    assert len(history) == 20
    for key in history.keys:
        assert torch.isfinite(torch.from_numpy(history[key])).all(), key
    # instance noise: inputs are far off the ring of radius 2 (std 0.02)
    radii = torch.cat([x.norm(dim=1) for x in spy.inputs])
    assert (radii - 2.0).abs().mean() > 0.2
    # label smoothing: the D loss is the cross-entropy against targets 0.9 and 0.1
    for loss_d, d_real, d_fake in spy.losses:
        expected = (
            F.softplus(d_real).mean() - 0.9 * d_real.mean() + F.softplus(d_fake).mean() - 0.1 * d_fake.mean()
        )
        assert loss_d.item() == pytest.approx(expected.item(), rel=1e-5)
    # gradient normalization: |D| < 1, so D's probabilities stay in (sigmoid(-1), sigmoid(1))
    assert isinstance(trainer.gan.D, GradNormalizedD)
    for key in ("p_real", "p_fake"):
        assert (abs(history[key] - 0.5) < torch.sigmoid(torch.tensor(1.0)).item() - 0.5).all()
    assert (abs(history["d_real"]) < 1).all() and (abs(history["d_fake"]) < 1).all()  # logits
    # gradient clipping, by norm then by value, on both networks
    for grads in spy.grads_d + spy.grads_g:
        assert grads.norm().item() <= 0.5 + 1e-5 and grads.abs().max().item() <= 0.0625
    assert max(history["grad_norm_d"].max(), history["grad_norm_g"].max()) > 0.5  # raw norms were larger
    # weight clipping
    assert max(p.abs().max().item() for p in trainer.gan.D.parameters()) <= 0.125


@pytest.mark.parametrize("power", [1, 2])
def test_normalize_param_grads_divides_each_gradient_by_its_mean_square_power(power):
    layer = torch.nn.Linear(2, 3)
    layer.weight.grad = torch.full((3, 2), 2.0)  # mean square 4
    layer.bias.grad = torch.tensor([3.0, 0.0, -4.0])  # mean square 25 / 3
    gc.techniques.NormalizeParamGrads(power=power).after_d_backward(layer, _step())
    scale = {1: (2.0, (25 / 3) ** 0.5), 2: (4.0, 25 / 3)}[power]
    torch.testing.assert_close(layer.weight.grad, torch.full((3, 2), 2.0 / scale[0]))
    torch.testing.assert_close(layer.bias.grad, torch.tensor([3.0, 0.0, -4.0]) / scale[1])
    untouched = torch.nn.Linear(2, 3)
    untouched.weight.grad = torch.ones(3, 2)
    gc.techniques.NormalizeParamGrads(power=power).after_g_backward(untouched, _step())  # g=False by default
    assert torch.equal(untouched.weight.grad, torch.ones(3, 2))


def test_normalize_param_grads_rejects_bad_input():
    with pytest.raises(ValueError, match="power"):
        gc.techniques.NormalizeParamGrads(power=3)
    with pytest.raises(ValueError, match="d=True or g=True"):
        gc.techniques.NormalizeParamGrads(d=False)


def test_grad_normalized_d_over_a_member_axis_equals_each_member():
    gc.seed_everything(0)
    nn = torch.nn
    D = nn.Sequential(
        nn.Linear(2, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1), nn.Flatten(-2)
    )  # (..., 2) -> (...)
    x = torch.randn(3, 5, 2)  # (E, N, 2): three members' batches, same D here
    batched = gc.techniques.GradNormalizedD(D, batch_dims=2)(x)  # (E, N)
    single = torch.stack([gc.techniques.GradNormalizedD(D)(x[e]) for e in range(3)])
    torch.testing.assert_close(batched, single)
    with pytest.raises(ValueError, match="batch_dims"):
        gc.techniques.GradNormalizedD(D, batch_dims=3)
