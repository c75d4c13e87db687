"""Argument checks shared by the whole package: each raises a ``ValueError`` or ``TypeError`` naming it."""

from __future__ import annotations

import math

import torch

__all__ = [
    "int_at_least",
    "positive_int",
    "number_at_least",
    "positive_number",
    "finite_number",
    "tensor_with_data",
    "float_tensor",
]


def int_at_least(name: str, value: object, low: int) -> int:
    """``value`` if it is an int (not a bool) ``>= low``, else a ``ValueError`` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    return value


def positive_int(name: str, value: object) -> int:
    """``value`` if it is a positive int (not a bool), else a ``ValueError`` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


def number_at_least(name: str, value: object, low: float) -> float:
    """``float(value)`` if it is a real number (not a bool) ``>= low``, else a ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= low:
        raise ValueError(f"{name} must be a number >= {low}, got {value!r}")
    return float(value)


def positive_number(name: str, value: object) -> float:
    """``float(value)`` if it is a real number (not a bool) ``> 0``, else a ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def finite_number(name: str, value: object) -> float:
    """``float(value)`` if it is a finite real number (not a bool), else a ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def tensor_with_data(name: str, value: object) -> torch.Tensor:
    """``value`` if it is a tensor holding data: a ``TypeError`` for a non-tensor, a
    ``ValueError`` for a tensor on the ``meta`` device (shapes only, no values)."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if value.is_meta:
        raise ValueError(
            f"{name} is on the meta device (it has a shape but no data); create it on a real device"
        )
    return value


def float_tensor(name: str, value: object, finite: bool = True) -> torch.Tensor:
    """``value`` if it is a floating-point tensor with data (and, if ``finite``, no NaN or inf).

    Raises:
        TypeError: If ``value`` is not a tensor, or its dtype is not floating point.
        ValueError: If it is on the meta device or (``finite``) holds NaN or infinite values.
    """
    tensor_with_data(name, value)
    if not value.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {value.dtype}")
    if finite and not bool(torch.isfinite(value).all()):
        raise ValueError(f"{name} holds NaN or infinite values")
    return value
