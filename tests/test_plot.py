"""Plot functions draw on given Axes, return them, and keep animations small."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
import torch

import gancore as gc


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_functions_draw_on_the_given_axes(ring, tiny_gan):
    fake = ring.sample(200)
    history = {"d_real": torch.rand(50).numpy(), "d_fake": torch.rand(50).numpy()}
    calls = [
        lambda ax: gc.plot.samples(fake, ring, real=ring.sample(100), ax=ax),
        lambda ax: gc.plot.density(fake, ring, ax=ax),
        lambda ax: gc.plot.histogram(fake[:, 0], real=fake[:, 1], ax=ax),
        lambda ax: gc.plot.decision_surface(tiny_gan.D, ax=ax, resolution=20, real=fake),
        lambda ax: gc.plot.curves(history, ax=ax, smooth=5),
        lambda ax: gc.plot.image_grid(torch.rand(10, 1, 8, 8) * 2 - 1, nrow=5, ax=ax),
    ]
    for call in calls:
        _, ax = plt.subplots()
        assert call(ax) is ax
        assert ax.has_data() or ax.images


def test_functions_create_axes_when_none_given(ring):
    ax = gc.plot.samples(ring.sample(10), ring)
    assert ax.figure is not None


def test_decision_surface_keeps_d_in_training_mode(tiny_gan):
    tiny_gan.D.train()
    gc.plot.decision_surface(tiny_gan.D, resolution=10)
    assert tiny_gan.D.training


def test_image_grid_rejects_bad_shapes():
    with pytest.raises(ValueError, match="images"):
        gc.plot.image_grid(torch.rand(4, 28, 28))


def test_animate_is_small_html(ring):
    snapshots = [(step, ring.sample(300)) for step in range(0, 1000, 20)]
    html = gc.plot.animate(snapshots, ring, max_frames=10)
    assert "<script" in html.data
    assert len(html.data) < 600_000
    with pytest.raises(ValueError, match="snapshots"):
        gc.plot.animate([])
