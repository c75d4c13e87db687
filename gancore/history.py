"""`History`: the per-step training curves a Trainer records (losses, D's outputs, gradient norms)."""

from __future__ import annotations

import numpy as np
import torch

__all__ = ["History"]


class History:
    """Per-step training curves, one row per generator step.

    ``history["loss_d"]`` and friends are NumPy arrays of length ``len(history)``:

    - ``loss_d``, ``loss_g``: the losses (the last critic update's ``loss_d`` per step),
      penalties included;
    - ``d_real``, ``d_fake``: D's mean output on the real and fake batch of that D update,
      as probabilities ``sigmoid(logit)`` for probabilistic losses, else raw logits;
    - ``grad_norm_d``, ``grad_norm_g``: global L2 norm of each network's gradient, measured
      before any technique edits it (so clipping shows up as norms above the threshold).
    """

    keys: tuple[str, ...] = ("loss_d", "loss_g", "d_real", "d_fake", "grad_norm_d", "grad_norm_g")

    def __init__(self) -> None:
        self._rows: list[torch.Tensor] = []  # each (len(keys),), kept as tensors: no sync per step
        self._table: np.ndarray | None = None

    def append(self, row: torch.Tensor) -> None:
        """Add one step's row (a tensor in the order of ``keys``)."""
        self._rows.append(row.detach())
        self._table = None

    def table(self) -> np.ndarray:
        """All rows as a ``(steps, len(keys))`` float64 array."""
        if self._table is None:
            if self._rows:
                self._table = torch.stack(self._rows).double().cpu().numpy()
            else:
                self._table = np.zeros((0, len(self.keys)))
        return self._table

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in self.keys:
            raise KeyError(f"unknown history key {key!r}; expected one of {self.keys}")
        return self.table()[:, self.keys.index(key)]

    def __len__(self) -> int:
        return len(self._rows)

    def __repr__(self) -> str:
        return f"History(steps={len(self)}, keys={self.keys})"

    def state_dict(self) -> dict[str, torch.Tensor]:
        """The rows as one tensor (for ``Trainer.save``)."""
        return {"rows": torch.from_numpy(self.table().copy())}

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        """Restore rows saved by ``state_dict``."""
        self._rows = list(state["rows"].float().unbind(0)) if len(state["rows"]) else []
        self._table = None
