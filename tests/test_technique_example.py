"""The worked example of writing a technique (book/appendix/conventions.md) runs and is right."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch

import gancore as gc

PAGE = Path(__file__).resolve().parents[1] / "book" / "appendix" / "conventions.md"


@pytest.fixture(scope="module")
def r2_class():
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.S)
    assert len(blocks) == 1, "the conventions page has exactly one Python example"
    namespace: dict = {}
    exec(compile(blocks[0], str(PAGE), "exec"), namespace)
    return namespace["R2"]


class Quadratic(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 0.5 * x.pow(2).sum(1)  # gradient x


def test_the_example_penalty_matches_its_closed_form(r2_class):
    x_fake = torch.tensor([[1.0, 2.0], [0.0, 3.0]])  # mean squared norm 7
    step = gc.Step(0, gc.losses.nonsaturating, x_real=torch.zeros(2, 2), x_fake=x_fake)
    assert r2_class(gamma=4.0).d_penalty(Quadratic(), step).item() == pytest.approx(0.5 * 4.0 * 7.0)


def test_the_example_trains_and_logs_its_column(r2_class, tiny_gan, ring):
    cfg = gc.TrainConfig(steps=3, batch_size=16, progress=False, sample_every=None, device="cpu")
    history = gc.Trainer(tiny_gan, gc.losses.nonsaturating, cfg, techniques=[r2_class(gamma=1.0)]).fit(ring)
    assert "r2" in history.columns and (history["r2"] > 0).all()
    df = gc.bench.compare(
        [gc.bench.Variant("r2", techniques=[r2_class(gamma=1.0)])], gc.bench.RING, (0, 1), steps=2
    )
    assert len(df) == 2  # batched runs call it once per run
