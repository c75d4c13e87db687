"""Where data sets live, and md5-checked downloads that never write into a read-only folder."""

from __future__ import annotations

import hashlib
import os
import shutil
import urllib.request
from pathlib import Path

__all__ = ["data_root", "file_md5", "is_writable", "download_file", "MIRRORS"]

# Mirrors tried in order (as torchvision lists them); every file is md5-checked after download.
MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/")
# (images file, md5), (labels file, md5) per split, keyed by ``train``.


def data_root(root: str | os.PathLike | None = None) -> Path:
    """Where data sets live: ``root`` if given, else ``$GANCORE_DATA``, else ``~/.cache/gancore``.

    Args:
        root: An explicit folder, or ``None``.

    Returns:
        The resolved folder (it need not exist).
    """
    if root is None:
        root = os.environ.get("GANCORE_DATA") or Path.home() / ".cache" / "gancore"
    if not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root must be a path or None, got {type(root).__name__}")
    return Path(root).expanduser().resolve()


def file_md5(path: Path) -> str:
    """The md5 hex digest of a file, read in 1 MiB blocks."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_writable(folder: Path) -> bool:
    """True when ``folder``'s nearest existing ancestor may be written to.

    Checks the permission bits as well as ``os.access``: root passes ``os.access`` on a
    read-only (``r-x``) folder, and such folders (CI's shared data) must stay untouched.
    """
    while not folder.exists():
        folder = folder.parent
    return folder.is_dir() and os.access(folder, os.W_OK) and bool(folder.stat().st_mode & 0o222)


def download_file(raw: Path, name: str, md5: str) -> None:
    """Fetch ``name`` from the first mirror that serves it with the right md5, into ``raw``."""
    if not is_writable(raw):
        raise PermissionError(
            f"{raw / name} is missing and {raw} is read-only; put the file there yourself or pass "
            "a writable root (or set GANCORE_DATA)"
        )
    raw.mkdir(parents=True, exist_ok=True)
    errors = []
    for mirror in MIRRORS:
        tmp = raw / f"{name}.part"
        try:
            with urllib.request.urlopen(mirror + name, timeout=30) as response, tmp.open("wb") as f:
                shutil.copyfileobj(response, f)
        except (OSError, ValueError) as error:  # URLError is an OSError; offline lands here
            errors.append(f"{mirror}: {error}")
            tmp.unlink(missing_ok=True)
            continue
        if file_md5(tmp) == md5:
            tmp.replace(raw / name)
            return
        errors.append(f"{mirror}: md5 mismatch")
        tmp.unlink()
    raise RuntimeError(
        f"could not download {name} (offline?); tried "
        + "; ".join(errors)
        + f". Place the file in {raw} or set GANCORE_DATA to a folder holding MNIST/raw/."
    )
