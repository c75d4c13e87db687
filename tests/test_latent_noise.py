"""Latent noise: the wrapper's arithmetic, its train/eval switch, and its use in a Trainer."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import gancore as gc
from gancore.techniques import LatentNoise, NoisyLatentG


class _Identity(nn.Module):
    """A 'generator' that returns its latent, so the wrapper's noise is visible directly."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.ones(()))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.scale * z


def test_noise_has_the_given_std_in_training_mode_only():
    G = NoisyLatentG(_Identity(), std=0.5)
    z = torch.zeros(200_000, 2)
    torch.manual_seed(0)
    noisy = G(z).detach()
    assert noisy.std().item() == pytest.approx(0.5, rel=0.01)
    assert noisy.mean().abs().item() < 0.01
    G.eval()
    assert torch.equal(G(z), z)


def test_noisy_prior_is_a_rescaled_prior():
    # z + std * eps ~ N(0, (1 + std^2) I): the noise only widens the prior.
    torch.manual_seed(0)
    out = NoisyLatentG(_Identity(), std=0.75)(torch.randn(200_000, 3)).detach()
    assert out.std(dim=0) == pytest.approx(torch.full((3,), (1 + 0.75**2) ** 0.5), rel=0.01)


def test_zero_std_is_the_identity():
    G = NoisyLatentG(_Identity(), std=0.0)
    z = torch.randn(5, 2)
    assert torch.equal(G(z), z)


def test_gradients_flow_to_the_wrapped_generator():
    inner = _Identity()
    NoisyLatentG(inner, std=0.1)(torch.randn(8, 2)).sum().backward()
    assert inner.scale.grad is not None


def test_the_trainer_wraps_its_g_and_optimizes_the_callers_parameters():
    gc.seed_everything(0)
    G = gc.models.MLPGenerator(2, 2, width=8, depth=1)
    gan = gc.GAN(G, gc.models.MLPDiscriminator(2, width=8, depth=1), latent_dim=2)
    cfg = gc.TrainConfig(steps=3, batch_size=16, progress=False, sample_every=None, device="cpu")
    before = [p.detach().clone() for p in G.parameters()]
    trainer = gc.Trainer(gan, gc.losses.nonsaturating, cfg, techniques=[LatentNoise(0.1)])
    assert gan.G is G and isinstance(trainer.gan.G, NoisyLatentG) and trainer.gan.G.G is G
    trainer.fit(gc.data.ring())
    assert any(not torch.equal(b, p) for b, p in zip(before, G.parameters(), strict=True))
    assert gan.sample(4).shape == (4, 2)  # the caller's GAN samples with the trained weights, no noise


def test_wrapping_is_idempotent():
    gan = gc.GAN(gc.models.MLPGenerator(2, 2), gc.models.MLPDiscriminator(2), latent_dim=2)
    cfg = gc.TrainConfig(steps=1, progress=False, sample_every=None, device="cpu")
    trainer = gc.Trainer(gan, gc.losses.nonsaturating, cfg, techniques=[LatentNoise(0.1), LatentNoise(0.1)])
    assert isinstance(trainer.gan.G, NoisyLatentG) and trainer.gan.G.G is gan.G  # one wrapper, not two


@pytest.mark.parametrize("std", [-0.1, True, "0.1"])
def test_rejects_bad_std(std):
    with pytest.raises(ValueError):
        LatentNoise(std)


def test_wrapper_rejects_a_non_module():
    with pytest.raises(TypeError):
        NoisyLatentG(lambda z: z, std=0.1)
