"""Shared pytest fixtures, the CUDA marker's skip rule and the --browser switch (tests/browser)."""

from __future__ import annotations

import pytest
import torch

import gancore as gc


def pytest_addoption(parser):
    parser.addoption(
        "--browser", action="store_true", help="run tests/browser (the built book in Chromium; make browser)"
    )


def pytest_ignore_collect(collection_path, config):
    # The browser test needs the built book, Chromium and MathJax: `make browser` runs it.
    if collection_path.name == "browser" and not config.getoption("--browser"):
        return True
    return None


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device")
    for item in items:
        if "cuda" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def ring():
    return gc.data.ring(modes=8, radius=2.0, std=0.02)


@pytest.fixture
def tiny_gan():
    gc.seed_everything(0)
    return gc.GAN(
        gc.models.MLPGenerator(2, 2, width=16), gc.models.MLPDiscriminator(2, width=16), latent_dim=2
    )
