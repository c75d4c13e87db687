"""`History`: the per-step training curves a Trainer records, plus columns that techniques log."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch

__all__ = ["History"]


class History:
    """Per-step training curves, one row per generator step.

    ``history["loss_d"]`` and friends are NumPy arrays of length ``len(history)``:

    - ``loss_d``, ``loss_g``: the losses (the last critic update's ``loss_d`` per step),
      penalties included;
    - ``d_real``, ``d_fake``: D's mean **logit** on the real and the fake batch of that D update;
    - ``p_real``, ``p_fake``: the mean of ``sigmoid(logit)`` on the same batches: D's mean
      probability that a sample is real, for the probabilistic losses (``loss.probabilistic``);
    - ``grad_norm_d``, ``grad_norm_g``: global L2 norm of each network's gradient, measured
      before any technique edits it (so clipping shows up as norms above the threshold);
    - any column a technique's ``log`` hook records (``nan`` on steps it did not record).
    """

    keys: tuple[str, ...] = (
        "loss_d",
        "loss_g",
        "d_real",
        "d_fake",
        "p_real",
        "p_fake",
        "grad_norm_d",
        "grad_norm_g",
    )

    def __init__(self) -> None:
        self._rows: list[torch.Tensor] = []  # each (len(keys),), kept as tensors: no sync per step
        self._logged: dict[str, dict[int, torch.Tensor | float]] = {}  # column -> {row: value}
        self._table: np.ndarray | None = None

    def append(self, row: torch.Tensor, logged: Mapping[str, torch.Tensor | float] | None = None) -> None:
        """Add one step's row (a tensor in the order of ``keys``) and any logged values."""
        if row.shape != (len(self.keys),):
            raise ValueError(f"a row must have shape ({len(self.keys)},), got {tuple(row.shape)}")
        for name, value in (logged or {}).items():
            if name in self.keys:
                raise ValueError(f"a technique cannot log {name!r}: the trainer records it")
            self._logged.setdefault(name, {})[len(self._rows)] = (
                value.detach() if torch.is_tensor(value) else value
            )
        self._rows.append(row.detach())
        self._table = None

    def first_nonfinite(self, start: int = 0) -> int | None:
        """Index of the first row from ``start`` on holding NaN or inf (trainer columns), else ``None``."""
        if start >= len(self._rows):
            return None
        if start == len(self._rows) - 1:  # the usual case, once per step: no stacking
            return None if bool(self._rows[start].isfinite().all()) else start
        finite = torch.stack(self._rows[start:]).isfinite().all(dim=1)  # (rows,)
        if bool(finite.all()):
            return None
        return start + int((~finite).nonzero()[0, 0])

    def truncate(self, steps: int) -> None:
        """Keep the first ``steps`` rows (and the logged values of those rows) only."""
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
            raise ValueError(f"steps must be a non-negative int, got {steps!r}")
        del self._rows[steps:]
        for values in self._logged.values():
            for i in [i for i in values if i >= steps]:
                del values[i]
        self._logged = {name: values for name, values in self._logged.items() if values}
        self._table = None

    @property
    def columns(self) -> tuple[str, ...]:
        """All keys, the trainer's first, then the logged ones in order of first appearance."""
        return (*self.keys, *self._logged)

    def table(self) -> np.ndarray:
        """The trainer's columns as a ``(steps, len(keys))`` float64 array."""
        if self._table is None:
            if self._rows:
                self._table = torch.stack(self._rows).double().cpu().numpy()
            else:
                self._table = np.zeros((0, len(self.keys)))
        return self._table

    def __getitem__(self, key: str) -> np.ndarray:
        if key in self._logged:
            out = np.full(len(self), np.nan)
            for i, value in self._logged[key].items():
                out[i] = float(value)
            return out
        if key not in self.keys:
            raise KeyError(f"unknown history key {key!r}; expected one of {self.columns}")
        return self.table()[:, self.keys.index(key)]

    def __len__(self) -> int:
        return len(self._rows)

    def __repr__(self) -> str:
        return f"History(steps={len(self)}, keys={self.columns})"

    def state_dict(self) -> dict[str, torch.Tensor | dict[str, torch.Tensor]]:
        """The rows as one tensor and the logged columns as full-length tensors (for ``Trainer.save``)."""
        logged = {name: torch.from_numpy(self[name]) for name in self._logged}
        return {"rows": torch.from_numpy(self.table().copy()), "logged": logged}

    def load_state_dict(self, state: Mapping[str, torch.Tensor | Mapping[str, torch.Tensor]]) -> None:
        """Restore rows saved by ``state_dict``."""
        rows = state["rows"]
        self._rows = list(rows.float().unbind(0)) if len(rows) else []
        self._logged = {
            name: {i: float(v) for i, v in enumerate(values.tolist()) if not np.isnan(v)}
            for name, values in dict(state.get("logged", {})).items()
        }
        self._table = None
