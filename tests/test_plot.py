"""Plot functions draw on given Axes, return them, and keep animations small."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
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
        lambda ax: gc.plot.samples(ring.sample(100), fake, mixture=ring, ax=ax),
        lambda ax: gc.plot.density(fake, mixture=ring, ax=ax),
        lambda ax: gc.plot.histogram(fake[:, 1], fake[:, 0], ax=ax),
        lambda ax: gc.plot.decision_surface(tiny_gan.D, ax=ax, resolution=20, real=fake),
        lambda ax: gc.plot.curves(history, ax=ax, smooth=5),
        lambda ax: gc.plot.image_grid(torch.rand(10, 1, 8, 8) * 2 - 1, nrow=5, ax=ax),
    ]
    for call in calls:
        _, ax = plt.subplots()
        assert call(ax) is ax
        assert ax.has_data() or ax.images


def test_variant_scores_draws_one_bar_per_variant():
    df = pd.DataFrame({"variant": ["a", "a", "b", "b"], "seed": [0, 1, 0, 1], "modes": [8, 6, 3, 5]})
    _, ax = plt.subplots()
    assert gc.plot.variant_scores(df, metric="modes", ax=ax) is ax
    heights = sorted(round(p.get_height(), 6) for p in ax.patches)
    assert heights == [4.0, 7.0]  # the means of b and a


def test_seed_bands_and_mode_timeline_return_their_axes():
    _, (ax0, ax1) = plt.subplots(1, 2)
    runs = np.abs(np.random.default_rng(0).normal(size=(3, 10))) + 0.1
    assert gc.plot.seed_bands(np.arange(10), {"loss": runs}, ax=ax0) is ax0
    assert gc.plot.mode_timeline(torch.arange(24).reshape(3, 8), [0, 10, 20], ax=ax1) is ax1


def test_functions_create_axes_when_none_given(ring):
    ax = gc.plot.samples(fake=ring.sample(10), mixture=ring)
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


def test_checkpoint_curves_draws_one_line_per_variant():
    df = pd.DataFrame(
        {
            "variant": ["a"] * 4 + ["b"] * 4,
            "seed": [0, 0, 1, 1] * 2,
            "step": [5, 10] * 4,
            "hq": np.linspace(0, 1, 8),
        }
    )
    ax = gc.plot.checkpoint_curves(df, "hq")
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [(0 + 2 / 7) / 2, (1 / 7 + 3 / 7) / 2])
    with pytest.raises(ValueError, match="step"):
        gc.plot.checkpoint_curves(df.drop(columns="step"), "hq")
    plt.close("all")
