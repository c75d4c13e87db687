"""Seeding, device selection and the package's import-time hygiene."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

import gancore as gc


def test_seed_everything_makes_draws_repeatable():
    gc.seed_everything(3)
    a = (torch.rand(3), np.random.rand(3))
    gc.seed_everything(3)
    b = (torch.rand(3), np.random.rand(3))
    assert torch.equal(a[0], b[0]) and np.array_equal(a[1], b[1])


@pytest.mark.parametrize("bad,error", [(-1, ValueError), (1.5, TypeError), (True, TypeError)])
def test_seed_everything_rejects_bad_seeds(bad, error):
    with pytest.raises(error, match="seed"):
        gc.seed_everything(bad)


def test_get_device():
    assert gc.get_device("cpu") == torch.device("cpu")
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert gc.get_device().type == expected


def test_import_is_silent_and_does_not_seed():
    code = (
        "import torch; torch.manual_seed(123); a = torch.rand(1); torch.manual_seed(123); "
        "import gancore; b = torch.rand(1); assert torch.equal(a, b)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout == "" and result.stderr == ""


def test_import_is_light():
    code = (
        "import sys, gancore; "
        "heavy = [m for m in ('pandas', 'matplotlib.pyplot', 'gancore.bench') if m in sys.modules]; "
        "assert not heavy, heavy; assert not gancore.bench.pool._ATEXIT  # no exit handler until used"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_public_names_are_declared():
    for module in (gc, gc.losses, gc.penalties, gc.models, gc.data, gc.metrics, gc.plot, gc.techniques):
        assert module.__all__, module
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"
        assert (module.__doc__ or "").strip(), f"{module.__name__} lacks a docstring"


def test_frozen_skips_weight_gradients_but_not_input_gradients():
    layer = torch.nn.Linear(3, 1)
    x = torch.randn(4, 3, requires_grad=True)
    with gc.utils.frozen(layer):
        layer(x).sum().backward()
        assert not any(p.requires_grad for p in layer.parameters())
    assert all(p.requires_grad and p.grad is None for p in layer.parameters())
    torch.testing.assert_close(x.grad, layer.weight.detach().expand(4, 3))
