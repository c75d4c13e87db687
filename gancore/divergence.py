"""`NonFiniteError` and the checks that stop a run whose losses or parameters are no longer finite."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import torch
from torch import nn

from .history import History

if TYPE_CHECKING:
    from .trainer import Trainer

__all__ = ["NonFiniteError", "FiniteWatch", "ensure_finite"]

# Steps between two checks of the rows on an accelerator (each check waits for the device), and
# between two checks of the parameters anywhere (a reduction over every weight).
_ACCELERATOR_INTERVAL = 25


class NonFiniteError(RuntimeError):
    """A training run produced a NaN or infinite loss, logged value or parameter.

    Attributes:
        step: The step (counted from 1, as ``Trainer.step`` counts them) that went non-finite.
        what: What was found, e.g. ``"loss_d=nan, loss_g=inf are not finite"``.
        last_step: The last step whose logged values were all finite (0 if none).
        last_finite: That step's values, ``{"loss_d": ..., "loss_g": ..., ...}`` (empty if none).
        history: The :class:`~gancore.History` of the finite steps ``1..last_step``
            (the trainer's own ``history``, truncated to those steps).
    """

    def __init__(
        self, step: int, what: str, last_step: int, last_finite: dict[str, float], history: History
    ) -> None:
        self.step, self.what, self.history = step, what, history
        self.last_step, self.last_finite = last_step, last_finite
        if last_finite:
            values = ", ".join(f"{k}={v:.6g}" for k, v in last_finite.items())
            last = f"last finite values (step {last_step}): {values}"
        else:
            last = "no step was finite"
        super().__init__(
            f"training stopped at step {step}: {what}; {last}. trainer.history and "
            f"error.history keep the {len(history)} finite steps. Lower the learning rates, clip "
            "gradients or add a penalty, and resume from a checkpoint saved before the failure."
        )


class FiniteWatch:
    """Checks a trainer's new History rows and its parameters during ``fit``, cheaply.

    Rows are checked every step on the CPU and every few steps on an accelerator (each check
    waits for the device); parameters every few steps and at the end of ``fit``. A non-finite
    parameter makes the next step's losses non-finite, so the step named is exact in practice.

    Args:
        trainer: The :class:`~gancore.Trainer` being fitted.
        stop: The step at which this ``fit`` ends.
    """

    def __init__(self, trainer: Trainer, stop: int) -> None:
        self.trainer, self.stop, self.checked = trainer, stop, trainer.step
        self.rows_every = 1 if trainer.device.type == "cpu" else _ACCELERATOR_INTERVAL

    def after_step(self) -> None:
        """Call after each step (once ``trainer.step`` is incremented); raises :class:`NonFiniteError`."""
        step = self.trainer.step
        last = step == self.stop
        if last or step % self.rows_every == 0:
            ensure_finite(self.trainer, self.checked, parameters=last or step % _ACCELERATOR_INTERVAL == 0)
            self.checked = step


def _bad_parameters(module: nn.Module) -> list[str]:
    """Names of ``module``'s parameters holding NaN or infinite values."""
    params = [(name, p) for name, p in module.named_parameters() if not p.is_meta]
    if not params:
        return []
    total = torch.nn.utils.get_total_norm([p.detach() for _, p in params])
    if bool(torch.isfinite(total)):  # one reduction and one sync for the usual, finite case
        return []
    return [name for name, p in params if not bool(torch.isfinite(p.detach()).all())]


def ensure_finite(trainer: Trainer, since: int, parameters: bool = True) -> None:
    """Raise :class:`NonFiniteError` if a History row after ``since`` or a parameter is not finite.

    On failure the trainer's ``history`` and ``snapshots`` are cut to the finite steps, and
    ``trainer.step`` is set to their number (the weights are those after the failing step).

    Args:
        trainer: The :class:`~gancore.Trainer` being fitted.
        since: Rows ``[0, since)`` were checked before.
        parameters: Also check G's and D's parameters.

    Raises:
        NonFiniteError: Naming the step and the last finite values.
    """
    history = trainer.history
    bad_row = history.first_nonfinite(since)
    if bad_row is not None:
        table = history.table()
        row = table[bad_row]
        values = [f"{k}={row[i]}" for i, k in enumerate(history.keys) if not math.isfinite(row[i])]
        what = ", ".join(values) + (" is" if len(values) == 1 else " are") + " not finite"
        step, kept = bad_row + 1, bad_row
    else:
        if not parameters:
            return
        names = [f"G.{n}" for n in _bad_parameters(trainer.gan.G)]
        names += [f"D.{n}" for n in _bad_parameters(trainer.gan.D)]
        if not names:
            return
        shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
        what = f"the parameters {shown} are not finite after the update"
        step, kept = trainer.step, trainer.step
    last_finite: dict[str, float] = {}
    if kept > 0:
        last_row = history.table()[kept - 1]
        last_finite = {k: float(last_row[i]) for i, k in enumerate(history.keys)}
    history.truncate(kept)
    trainer.snapshots = [(s, x) for s, x in trainer.snapshots if s <= kept]
    trainer.step = kept
    raise NonFiniteError(step, what, kept, last_finite, history)
