"""Model shapes over sizes, channels and norms; the GAN wrapper; clear errors on bad input."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import gancore as gc


@pytest.mark.parametrize("latent_dim,out_dim,depth", [(2, 2, 1), (8, 1, 2), (16, 784, 3)])
def test_mlp_shapes(latent_dim, out_dim, depth):
    G = gc.models.MLPGenerator(latent_dim, out_dim, width=32, depth=depth)
    D = gc.models.MLPDiscriminator(out_dim, width=32, depth=depth, dropout=0.2)
    x = G(torch.randn(5, latent_dim))
    assert x.shape == (5, out_dim)
    assert D(x).shape == (5,)
    assert sum(isinstance(m, nn.Linear) for m in D.modules()) == depth + 1
    assert sum(isinstance(m, nn.Dropout) for m in D.modules()) == depth


def test_mlp_activation_is_a_factory():
    G = gc.models.MLPGenerator(2, 2, activation=nn.Tanh)
    assert any(isinstance(m, nn.Tanh) for m in G.modules())


def test_mlp_discriminator_flattens_images():
    D = gc.models.MLPDiscriminator(in_dim=28 * 28)
    assert D(torch.randn(3, 1, 28, 28)).shape == (3,)


@pytest.mark.parametrize("image_size", [28, 32, 64])
@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("norm", [None, gc.models.batch_norm, gc.models.layer_norm])
def test_dcgan_shapes(image_size, channels, norm):
    G = gc.models.DCGANGenerator(latent_dim=8, channels=channels, image_size=image_size, width=8)
    D = gc.models.DCGANDiscriminator(channels=channels, image_size=image_size, width=8, norm=norm)
    x = G(torch.randn(4, 8))
    assert x.shape == (4, channels, image_size, image_size)
    assert x.min() >= -1 and x.max() <= 1
    assert D(x).shape == (4,)


def test_dcgan_norm_choice():
    D = gc.models.DCGANDiscriminator(image_size=32, width=8, norm=gc.models.layer_norm)
    assert sum(isinstance(m, nn.GroupNorm) for m in D.modules()) == 2  # not after the first conv
    D = gc.models.DCGANDiscriminator(image_size=32, width=8)
    assert not any(isinstance(m, (nn.GroupNorm, nn.BatchNorm2d)) for m in D.modules())


@pytest.mark.parametrize("bad", [0, 30, 9, 2])
def test_dcgan_rejects_unsupported_sizes(bad):
    with pytest.raises(ValueError, match="image_size"):
        gc.models.DCGANGenerator(latent_dim=8, image_size=bad)


def test_bad_inputs_give_clear_errors():
    with pytest.raises(ValueError, match="latent_dim"):
        gc.models.MLPGenerator(0, 2)
    with pytest.raises(ValueError, match="dropout"):
        gc.models.MLPDiscriminator(2, dropout=1.5)
    with pytest.raises(ValueError, match=r"z must have shape \(N, 2\)"):
        gc.models.MLPGenerator(2, 2)(torch.randn(4, 3))
    with pytest.raises(ValueError, match="features"):
        gc.models.MLPDiscriminator(2)(torch.randn(4, 3))
    with pytest.raises(ValueError, match="x must have shape"):
        gc.models.DCGANDiscriminator(channels=1, image_size=28)(torch.randn(2, 3, 28, 28))
    with pytest.raises(TypeError, match="norm"):
        gc.models.DCGANDiscriminator(norm="batch")


def test_gan_sample_and_latent(tiny_gan):
    assert tiny_gan.sample(7).shape == (7, 2)
    z = torch.zeros(3, 2)
    assert torch.equal(tiny_gan.sample(z=z), tiny_gan.G(z).detach())
    assert not tiny_gan.sample(2).requires_grad
    with pytest.raises(ValueError, match="exactly one"):
        tiny_gan.sample()
    with pytest.raises(ValueError, match="z must have shape"):
        tiny_gan.sample(z=torch.zeros(3, 5))
    with pytest.raises(TypeError, match="Module"):
        gc.GAN(lambda z: z, tiny_gan.D, latent_dim=2)
    with pytest.raises(ValueError, match="latent_dim"):
        gc.GAN(tiny_gan.G, tiny_gan.D, latent_dim=0)


def test_count_parameters():
    assert gc.models.count_parameters(nn.Linear(3, 2)) == 8
