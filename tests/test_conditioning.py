"""Conditional players and the DCGAN guidelines as parameters: shapes, closed forms, errors."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import gancore as gc
from gancore.conditioning import ConcatLabels, ProjectLabels

M = gc.models


def test_concat_labels_appends_the_one_hot_label_as_constant_maps():
    x = torch.randn(3, 1, 4, 4)
    y = torch.tensor([0, 2, 1])
    out = ConcatLabels(num_classes=3, features=5).inputs(x, y)  # (3, 4, 4, 4)
    assert out.shape == (3, 4, 4, 4) and torch.equal(out[:, :1], x)
    for i, label in enumerate(y.tolist()):
        expected = torch.zeros(3, 4, 4)
        expected[label] = 1.0
        assert torch.equal(out[i, 1:], expected)


def test_projection_adds_the_class_embedding_dotted_with_the_features():
    proj = ProjectLabels(num_classes=4, features=3)
    h, logits, y = torch.randn(5, 3), torch.randn(5), torch.tensor([0, 1, 2, 3, 1])
    assert torch.equal(proj.logits(logits, h, y), logits)  # embeddings start at zero: D starts unconditional
    with torch.no_grad():
        proj.embed.weight.copy_(torch.arange(12.0).reshape(4, 3))
    expected = logits + torch.stack([h[i] @ proj.embed.weight[y[i]] for i in range(5)])
    assert torch.allclose(proj.logits(logits, h, y), expected)


@pytest.mark.parametrize("conditioning", [ConcatLabels, ProjectLabels])
def test_conditional_dcgan_pair_reads_the_label(conditioning):
    torch.manual_seed(0)
    G = M.DCGANGenerator(latent_dim=4, width=4, num_classes=10)
    D = M.DCGANDiscriminator(width=4, num_classes=10, conditioning=conditioning)
    if conditioning is ProjectLabels:
        nn.init.normal_(D.condition.embed.weight)  # give the label a say in the logit
    z = torch.randn(6, 4)
    y0, y1 = torch.zeros(6, dtype=torch.int64), torch.ones(6, dtype=torch.int64)
    x = G(z, y0)  # (6, 1, 28, 28)
    assert x.shape == (6, 1, 28, 28) and not torch.equal(x, G(z, y1))
    assert D(x, y0).shape == (6,) and not torch.equal(D(x, y0), D(x, y1))
    assert D.features(x, y0).shape == (6, 4 * 2 * 7 * 7)


def test_a_conditional_gan_trains_on_labelled_digits():
    images = torch.rand(32, 1, 28, 28) * 2 - 1
    data = gc.data.LabeledImages(images, torch.arange(32) % 10)
    G = M.DCGANGenerator(latent_dim=4, width=4, num_classes=10)
    D = M.DCGANDiscriminator(width=4, num_classes=10)
    gan = gc.GAN(G, D, latent_dim=4, num_classes=10)
    config = gc.TrainConfig(steps=2, batch_size=8, progress=False, sample_every=None, device="cpu")
    history = gc.Trainer(gan, gc.losses.nonsaturating, config).fit(data)
    assert len(history) == 2 and gan.sample(5, y=torch.arange(5)).shape == (5, 1, 28, 28)


def test_conditional_models_reject_missing_or_bad_labels():
    G = M.DCGANGenerator(latent_dim=4, width=4, num_classes=10)
    D = M.DCGANDiscriminator(width=4, num_classes=10)
    z, x = torch.randn(2, 4), torch.randn(2, 1, 28, 28)
    with pytest.raises(ValueError, match="labels y of shape"):
        G(z)
    with pytest.raises(ValueError, match=r"lie in \[0, 10\)"):
        D(x, torch.tensor([3, 10]))
    with pytest.raises(ValueError, match="labels y of shape"):
        D(x, torch.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="only for a conditional"):
        M.DCGANGenerator(latent_dim=4, width=4)(z, torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="only for a conditional"):
        M.DCGANDiscriminator(width=4)(x, torch.tensor([0, 1]))
    with pytest.raises(TypeError, match="conditioning must be a callable"):
        M.DCGANDiscriminator(width=4, num_classes=10, conditioning="projection")


def test_the_default_dcgan_is_the_guidelines_and_each_can_be_undone():
    G = M.DCGANGenerator(latent_dim=8, width=4)
    kinds = {type(m) for m in G.modules()}
    assert {nn.ConvTranspose2d, nn.BatchNorm2d, nn.ReLU, nn.Tanh} <= kinds
    layers = [m for m in G.modules() if isinstance(m, (nn.Linear, nn.ConvTranspose2d))]
    assert (
        all(m.bias is None for m in layers[:-1]) and layers[-1].bias is not None
    )  # batch norm shifts instead
    plain = M.DCGANGenerator(latent_dim=8, width=4, norm=None, activation=M.leaky_relu, output=nn.Identity)
    kinds = {type(m) for m in plain.modules()}
    assert nn.BatchNorm2d not in kinds and nn.Tanh not in kinds and nn.LeakyReLU in kinds
    assert all(m.bias is not None for m in plain.modules() if isinstance(m, (nn.Linear, nn.ConvTranspose2d)))
    up = M.DCGANGenerator(latent_dim=8, width=4, upsample=M.upsample_conv)
    assert nn.Upsample in {type(m) for m in up.modules()} and up(torch.randn(2, 8)).shape == (2, 1, 28, 28)
    pool = M.DCGANDiscriminator(width=4, downsample=M.conv_pool, activation=nn.ReLU)
    kinds = {type(m) for m in pool.modules()}
    assert nn.MaxPool2d in kinds and nn.ReLU in kinds and nn.LeakyReLU not in kinds
    assert pool(torch.randn(2, 1, 28, 28)).shape == (2,)


@pytest.mark.parametrize(
    ("factory", "shape"),
    [
        (M.transposed_conv, (2, 5, 14, 14)),
        (M.upsample_conv, (2, 5, 14, 14)),
        (M.strided_conv, (2, 5, 4, 4)),
        (M.conv_pool, (2, 5, 4, 4)),
    ],
)
def test_resize_factories_double_or_halve_height_and_width(factory, shape):
    assert (
        factory(3, 5, True)(torch.randn(2, 3, 7 if shape[2] == 14 else 8, 7 if shape[2] == 14 else 8)).shape
        == shape
    )


@pytest.mark.cuda
def test_part5_runs_on_cuda_unchanged():
    """Each Part V study's variants train on CUDA through device="auto" and score on the GPU's samples."""
    images = torch.rand(64, 1, 28, 28) * 2 - 1
    data = gc.data.LabeledImages(images, torch.arange(64) % 10)
    bench = gc.bench.mnist(steps=3, batch_size=16, width=4)  # its config has device="auto"
    for variant in (*gc.studies.dcgan_variants(), *gc.studies.conditional_variants()):
        trainer = gc.bench.build_trainer(variant, bench, seed=0)
        history = trainer.fit(data)
        labels = torch.arange(8, device="cuda") if trainer.gan.conditional else None
        assert trainer.gan.sample(8, y=labels).device.type == "cuda", variant.name
        assert torch.isfinite(torch.as_tensor(history["loss_d"])).all(), variant.name
