"""Argument checks shared by the whole package: each raises a ``ValueError`` naming the argument."""

from __future__ import annotations

__all__ = ["int_at_least", "positive_int", "number_at_least", "positive_number"]


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
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)
