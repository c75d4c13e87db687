"""A run whose losses or parameters stop being finite ends with a NonFiniteError naming the step."""

from __future__ import annotations

import math

import pytest
import torch

import gancore as gc


class PoisonAt(gc.techniques.Technique):
    """Makes D's loss (or, with ``weights=True``, G's weights) non-finite from the ``at``-th D update."""

    def __init__(self, at: int, value: float = math.inf, weights: bool = False) -> None:
        self.at, self.value, self.weights, self.calls = at, value, weights, 0

    def d_loss(self, loss_d, step):
        self.calls += 1
        if not self.weights and self.calls >= self.at:
            return loss_d * self.value
        return loss_d

    def after_g_step(self, G, step):
        if self.weights and self.calls >= self.at:
            with torch.no_grad():
                next(G.parameters()).fill_(self.value)


def _trainer(tiny_gan, *techniques, lr=1e-3, steps=40):
    cfg = gc.TrainConfig(steps=steps, batch_size=32, lr_g=lr, lr_d=lr, progress=False, sample_every=5)
    return gc.Trainer(tiny_gan, gc.losses.nonsaturating, cfg, techniques=list(techniques))


def test_an_infinite_loss_stops_the_run_at_its_step(tiny_gan, ring):
    trainer = _trainer(tiny_gan, PoisonAt(13))
    with pytest.raises(gc.NonFiniteError, match=r"at step 13: loss_d=inf, .* not finite") as info:
        trainer.fit(ring)
    error = info.value
    assert error.step == 13 and error.last_step == 12
    assert len(error.history) == 12 and error.history is trainer.history and trainer.step == 12
    assert all(s <= 12 for s, _ in trainer.snapshots)
    assert set(error.last_finite) == set(gc.History.keys)
    assert error.last_finite["loss_d"] == pytest.approx(trainer.history["loss_d"][-1])
    assert f"loss_d={error.last_finite['loss_d']:.6g}" in str(error) and "(step 12)" in str(error)
    assert all(math.isfinite(v) for v in trainer.history.table().ravel())


def test_a_nan_loss_on_the_first_step_keeps_an_empty_history(tiny_gan, ring):
    trainer = _trainer(tiny_gan, PoisonAt(1, math.nan))
    with pytest.raises(gc.NonFiniteError, match=r"at step 1: loss_d=nan,.*no step was finite") as info:
        trainer.fit(ring)
    assert len(info.value.history) == 0 and info.value.last_finite == {}


def test_non_finite_parameters_stop_the_run(tiny_gan, ring):
    trainer = _trainer(tiny_gan, PoisonAt(7, math.nan, weights=True), steps=7)
    with pytest.raises(
        gc.NonFiniteError, match=r"at step 7: the parameters G\.net\.0\.weight are not finite"
    ):
        trainer.fit(ring)
    assert len(trainer.history) == 7


def test_a_diverging_learning_rate_is_caught(tiny_gan, ring):
    trainer = _trainer(tiny_gan, lr=1e4, steps=200)
    with pytest.raises(gc.NonFiniteError) as info:
        trainer.fit(ring)
    assert 1 <= info.value.step <= 200 and len(trainer.history) == info.value.step - 1


def test_history_truncate_keeps_logged_values_of_kept_rows():
    history = gc.History()
    for i in range(4):
        history.append(torch.full((len(gc.History.keys),), float(i)), {"extra": float(i)})
    history.truncate(2)
    assert len(history) == 2 and list(history["extra"]) == [0.0, 1.0]
    assert history.first_nonfinite() is None
    history.append(torch.full((len(gc.History.keys),), math.nan))
    assert history.first_nonfinite() == 2 and history.first_nonfinite(3) is None
    with pytest.raises(ValueError, match="steps must be a non-negative int"):
        history.truncate(-1)
