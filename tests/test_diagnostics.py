"""Diagnostics: G's gradient norm against closed forms, and D trained against a frozen G."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from torch import nn

import gancore as gc
from gancore.diagnostics import FreezeGenerator, generator_gradient_norm, probe_generator_gradients


class Shift(nn.Module):
    """G(z) = z + b: the gradient of the G loss with respect to b is the mean over samples."""

    def __init__(self, b: torch.Tensor) -> None:
        super().__init__()
        self.b = nn.Parameter(b.clone())

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return z + self.b


class Linear(nn.Module):
    """D(x) = w . x, whose input gradient is w everywhere."""

    def __init__(self, w: torch.Tensor) -> None:
        super().__init__()
        self.w = nn.Parameter(w.clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.w


@pytest.fixture
def linear_pair():
    torch.manual_seed(0)
    w = torch.tensor([3.0, 4.0])  # ||w|| = 5
    return Shift(torch.tensor([0.5, -1.0])), Linear(w), torch.randn(32, 2)


def test_gradient_norm_matches_closed_forms(linear_pair):
    G, D, z = linear_pair
    s = torch.sigmoid(D(G(z))).detach()  # (N,)
    # L_G = -mean softplus(d): grad_b = -mean(sigma(d)) w;  L_G = mean softplus(-d): -mean(1 - sigma(d)) w
    assert generator_gradient_norm(G, D, gc.losses.minimax, z) == pytest.approx(5 * s.mean().item(), rel=1e-5)
    expected_ns = 5 * (1 - s).mean().item()
    assert generator_gradient_norm(G, D, gc.losses.nonsaturating, z) == pytest.approx(expected_ns, rel=1e-5)
    assert generator_gradient_norm(G, D, gc.losses.wasserstein, z) == pytest.approx(5.0, rel=1e-6)


def test_gradient_norm_leaves_grads_untouched(linear_pair):
    G, D, z = linear_pair
    generator_gradient_norm(G, D, gc.losses.nonsaturating, z)
    assert G.b.grad is None and D.w.grad is None


def test_gradient_norm_rejects_bad_input(linear_pair):
    G, D, z = linear_pair
    with pytest.raises(TypeError, match="loss"):
        generator_gradient_norm(G, D, "minimax", z)
    G.b.requires_grad_(False)
    with pytest.raises(ValueError, match="G has no parameters"):
        generator_gradient_norm(G, D, gc.losses.minimax, z)


def test_freeze_generator_trains_d_only(tiny_gan, ring):
    G0 = [p.detach().clone() for p in tiny_gan.G.parameters()]
    D0 = [p.detach().clone() for p in tiny_gan.D.parameters()]
    cfg = gc.TrainConfig(steps=5, batch_size=16, sample_every=None, progress=False)
    history = gc.Trainer(tiny_gan, gc.losses.minimax, cfg, techniques=[FreezeGenerator()]).fit(ring)
    assert all(torch.equal(a, b) for a, b in zip(G0, tiny_gan.G.parameters(), strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(D0, tiny_gan.D.parameters(), strict=True))
    assert (history["grad_norm_g"] > 0).all()


def _probe(gan, ring, checkpoints=(0, 2, 5)):
    cfg = gc.TrainConfig(batch_size=16)
    losses = {"saturating": gc.losses.minimax, "non-saturating": gc.losses.nonsaturating}
    return probe_generator_gradients(gan, ring, gc.losses.minimax, checkpoints, losses, cfg, n_batches=3)


def test_probe_shapes_and_first_checkpoint(tiny_gan, ring):
    G0 = [p.detach().clone() for p in tiny_gan.G.parameters()]
    z = torch.randn(3, 16, 2, generator=torch.Generator().manual_seed(0))
    untrained = generator_gradient_norm(tiny_gan.G, tiny_gan.D, gc.losses.minimax, z[0])
    probe = _probe(tiny_gan, ring)
    assert probe.steps.tolist() == [0, 2, 5]
    assert set(probe.grad_norm) == {"saturating", "non-saturating"}
    assert probe.grad_norm["saturating"].shape == (3, 3)
    assert probe.d_fake.shape == probe.p_fake.shape == probe.input_grad.shape == (3,)
    assert np.all((probe.p_fake > 0) & (probe.p_fake < 1)) and np.all(probe.input_grad > 0)
    assert probe.grad_norm["saturating"][0, 0] == pytest.approx(untrained, rel=1e-6)
    assert all(torch.equal(a, b) for a, b in zip(G0, tiny_gan.G.parameters(), strict=True))


def test_probing_does_not_change_the_training_run(ring):
    def make_gan():
        gc.seed_everything(0)
        G, D = gc.models.MLPGenerator(2, 2, width=16), gc.models.MLPDiscriminator(2, width=16)
        return gc.GAN(G, D, latent_dim=2)

    probed = make_gan()
    _probe(probed, ring)
    plain = make_gan()
    cfg = gc.TrainConfig(steps=5, batch_size=16, sample_every=None, progress=False)
    gc.Trainer(plain, gc.losses.minimax, cfg, techniques=[FreezeGenerator()]).fit(ring)
    assert all(torch.equal(a, b) for a, b in zip(probed.D.parameters(), plain.D.parameters(), strict=True))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"checkpoints": []}, "checkpoints"),
        ({"checkpoints": [0, 3, 3]}, "checkpoints"),
        ({"checkpoints": [-1, 2]}, "checkpoints"),
        ({"g_losses": {}}, "g_losses"),
        ({"n_batches": 0}, "n_batches"),
    ],
)
def test_probe_rejects_bad_input(tiny_gan, ring, kwargs, match):
    args = {"checkpoints": [0, 1], "g_losses": {"saturating": gc.losses.minimax}, "n_batches": 1}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        probe_generator_gradients(tiny_gan, ring, gc.losses.minimax, **args)


def test_seed_bands_draws_median_and_range():
    values = np.array([[1.0, 2.0, 3.0], [3.0, 4.0, 5.0], [2.0, 3.0, 10.0]])  # (seeds, T)
    ax = gc.plot.seed_bands(np.arange(3), {"a": values})
    assert np.allclose(ax.lines[0].get_ydata(), [2.0, 3.0, 5.0])
    assert ax.get_yscale() == "log" and ax.get_legend() is not None
    with pytest.raises(ValueError, match="runs"):
        gc.plot.seed_bands(np.arange(4), {"a": values})
    plt.close("all")
