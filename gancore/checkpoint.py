"""Checkpoint files: atomic writes (temp file, fsync, rename) and safe reads with clear errors."""

from __future__ import annotations

import os
import pickle
import secrets
import zipfile
from collections.abc import Collection
from pathlib import Path
from typing import Any

import torch

__all__ = ["TEMP_SUFFIX", "atomic_save", "load_checkpoint", "is_temp_file"]

# Temp files are hidden (``.name.<random>.tmp``) beside the target: a listing of ``*.pt`` never
# shows them, and a crash mid-write leaves the previous checkpoint untouched.
TEMP_SUFFIX = ".tmp"


def _as_path(path: object) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    return Path(path)


def is_temp_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a temp file that :func:`atomic_save` writes (and a crash may leave)."""
    name = Path(path).name
    return name.startswith(".") and name.endswith(TEMP_SUFFIX)


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_save(obj: Any, path: str | os.PathLike[str]) -> Path:
    """``torch.save(obj)`` to ``path`` so that ``path`` holds either the old or the new file.

    The data goes to a hidden temp file in the same folder, is flushed and fsynced, then
    renamed over ``path`` (atomic on POSIX and Windows), and the folder is fsynced. If the
    process dies at any point, ``path`` still holds the previous complete file.

    Args:
        obj: What to save (tensors, dicts, lists and numbers for ``weights_only`` loading).
        path: The file to write; its folder must exist.

    Returns:
        The path written.

    Raises:
        TypeError: If ``path`` is not a path.
        FileNotFoundError: If the folder does not exist.
        IsADirectoryError: If ``path`` is a folder.
    """
    path = _as_path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(f"cannot save to {path}: the folder {folder} does not exist")
    if path.is_dir():
        raise IsADirectoryError(f"cannot save to {path}: it is a folder; give a file name such as run.pt")
    tmp = folder / f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}{TEMP_SUFFIX}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_folder(folder)
    return path


def load_checkpoint(path: str | os.PathLike[str], required: Collection[str] = ()) -> dict[str, Any]:
    """Read a dict written by :func:`atomic_save` with ``weights_only=True`` (no code is unpickled).

    Args:
        path: The checkpoint file.
        required: Keys the dict must have.

    Returns:
        The saved dict, its tensors on the CPU.

    Raises:
        TypeError: If ``path`` is not a path.
        FileNotFoundError: If there is no such file.
        ValueError: If the file is truncated, corrupt, not a checkpoint or lacks ``required`` keys.
    """
    path = _as_path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {path} not found (or not a file)")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (RuntimeError, EOFError, OSError, pickle.UnpicklingError, zipfile.BadZipFile, ValueError) as error:
        raise ValueError(
            f"checkpoint {path} cannot be read (truncated or corrupt?): {type(error).__name__}: {error}"
        ) from error
    if not isinstance(state, dict):
        raise ValueError(f"checkpoint {path} holds a {type(state).__name__}, not a dict of training state")
    missing = sorted(set(required) - set(state))
    if missing:
        raise ValueError(f"checkpoint {path} is not a Trainer checkpoint: it lacks the keys {missing}")
    return state
