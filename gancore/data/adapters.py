"""Data adapters: anything the Trainer accepts, turned into a function that draws one `Batch`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import torch
from torch.utils.data import DataLoader, Dataset

from ..checks import float_tensor
from ..step import Batch
from .toy import GaussianMixture

__all__ = ["Data", "batches"]

Data = GaussianMixture | torch.Tensor | Dataset | DataLoader


def batches(data: Data, batch_size: int, device: torch.device | str = "cpu") -> Callable[[], Batch]:
    """A function that returns one :class:`~gancore.step.Batch` of ``batch_size`` on ``device``.

    Args:
        data: A :class:`GaussianMixture` (labels: each sample's mode), a tensor ``(N, ...)``
            (no labels), a ``TensorDataset`` of ``(x,)`` or ``(x, y)`` (such as
            :class:`~gancore.data.LabeledImages`), any other ``Dataset`` whose items are ``x`` or
            ``(x, y, ...)``, or a ``DataLoader`` of such items. Tensors and datasets are sampled
            uniformly with replacement from torch's global generator; a loader is cycled.
        batch_size: Samples per batch.
        device: Where the batches go.
    """
    n = batch_size
    if isinstance(data, GaussianMixture):
        return lambda: _to(data.sample_batch(n), device)
    if isinstance(data, Dataset) and isinstance(getattr(data, "tensors", None), tuple):
        tensors = [t.to(device) for t in data.tensors[:2]]  # a TensorDataset: index its tensors directly
        x, y = tensors[0], tensors[1] if len(tensors) > 1 else None
        _check_tensor(x)
        return lambda: _pick(x, y, torch.randint(len(x), (n,), device=x.device))
    if isinstance(data, torch.Tensor):
        _check_tensor(data)
        x = data.to(device)
        return lambda: Batch(x[torch.randint(len(x), (n,), device=x.device)])
    if isinstance(data, DataLoader):
        return _cycle(data, device)
    if isinstance(data, Dataset):

        def from_dataset() -> Batch:
            items = [data[i] for i in torch.randint(len(data), (n,)).tolist()]
            return _to(_collate(items), device)

        return from_dataset
    raise TypeError(
        "data must be a GaussianMixture, a Tensor (N, ...), a Dataset or a DataLoader, "
        f"got {type(data).__name__}"
    )


def _check_tensor(x: torch.Tensor) -> None:
    float_tensor("data", x)  # a float tensor with data, no NaN or inf
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(f"a data tensor must have shape (N, ...), got {tuple(x.shape)}")


def _pick(x: torch.Tensor, y: torch.Tensor | None, idx: torch.Tensor) -> Batch:
    return Batch(x[idx], None if y is None else y[idx])


def _to(batch: Batch, device: torch.device | str) -> Batch:
    return Batch(batch.x.to(device), None if batch.y is None else batch.y.to(device))


def _collate(items: list[Any]) -> Batch:
    """Stack dataset items that are ``x`` or ``(x, y, ...)``."""
    if isinstance(items[0], (tuple, list)):
        x = torch.stack([torch.as_tensor(item[0]) for item in items])
        y = torch.as_tensor([int(item[1]) for item in items]) if len(items[0]) > 1 else None
        return Batch(x, y)
    return Batch(torch.stack([torch.as_tensor(item) for item in items]))


def _cycle(loader: Iterable[Any], device: torch.device | str) -> Callable[[], Batch]:
    iterator: Iterator[Any] = iter(loader)

    def next_batch() -> Batch:
        nonlocal iterator
        try:
            item = next(iterator)
        except StopIteration:
            iterator = iter(loader)
            item = next(iterator)
        if isinstance(item, (tuple, list)):
            return _to(Batch(item[0], item[1] if len(item) > 1 else None), device)
        return _to(Batch(item), device)

    return next_batch
