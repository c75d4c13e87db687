"""Small helpers shared by the whole package: seeding, device selection, freezing a module."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch
from torch import nn

__all__ = ["seed_everything", "get_device", "frozen"]


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and PyTorch's (CPU and CUDA) global random generators.

    Args:
        seed: A non-negative integer.

    Raises:
        TypeError: If ``seed`` is not an integer.
        ValueError: If ``seed`` is negative.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device


def get_device(device: str | torch.device = "auto") -> torch.device:
    """Resolve a device specification.

    Args:
        device: ``"auto"`` (CUDA when available, else CPU), or anything
            ``torch.device`` accepts.

    Returns:
        The resolved ``torch.device``.

    Raises:
        TypeError: If ``device`` is not a string or a ``torch.device``.
        ValueError: If ``device`` is not a device, is ``meta``, or names CUDA but no CUDA
            device is available.
    """
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if not isinstance(device, (str, torch.device)):
        raise TypeError(
            f"device must be 'auto', a device string or a torch.device, got {type(device).__name__}"
        )
    try:
        resolved = torch.device(device)
    except RuntimeError as error:
        raise ValueError(f"device={device!r} is not a device: {error}") from error
    if resolved.type == "meta":
        raise ValueError("device='meta' holds no data; train on 'cpu', 'cuda' or another real device")
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={str(device)!r} was requested but CUDA is not available")
    return resolved


@contextmanager
def frozen(module: nn.Module) -> Iterator[None]:
    """Switch off ``requires_grad`` of ``module``'s parameters inside a ``with`` block.

    Gradients still flow *through* the module to its inputs, but none is computed for its
    weights (G's update through D costs a third less). The flags are restored on exit.

    Args:
        module: The module to freeze.
    """
    flags = [(p, p.requires_grad) for p in module.parameters()]
    for p, _ in flags:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p, flag in flags:
            p.requires_grad_(flag)
