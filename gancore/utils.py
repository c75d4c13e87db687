"""Small helpers shared by the whole package: seeding and device selection."""

from __future__ import annotations

import random

import numpy as np
import torch

__all__ = ["seed_everything", "get_device"]


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
        ValueError: If ``device`` names CUDA but no CUDA device is available.
    """
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    resolved = torch.device(device)
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={str(device)!r} was requested but CUDA is not available")
    return resolved
