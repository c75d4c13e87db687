"""MNIST and Stacked MNIST as ``[-1, 1]`` image tensors with labels, read from md5-checked IDX files."""

from __future__ import annotations

import functools
import gzip
import math
import os
import struct
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import TensorDataset

from ..checks import positive_int
from .download import data_root, download_file, file_md5

__all__ = ["LabeledImages", "mnist", "stacked_mnist"]

# (images file, md5), (labels file, md5) per split, keyed by ``train``.
_MNIST_FILES = {
    False: (
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ),
    True: (
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
    ),
}


class LabeledImages(TensorDataset):
    """A ``TensorDataset`` of ``(images, labels)``: images in ``[-1, 1]``, int64 labels.

    ``dataset.tensors == (images, labels)``, so the Trainer samples ``images`` directly.

    Args:
        images: Float tensor ``(N, C, H, W)`` in ``[-1, 1]``.
        labels: Int64 tensor ``(N,)``.
    """

    def __init__(self, images: torch.Tensor, labels: torch.Tensor) -> None:
        if images.ndim != 4 or labels.shape != (images.shape[0],):
            raise ValueError(
                f"images must be (N, C, H, W) and labels (N,), got {tuple(images.shape)} and "
                f"{tuple(labels.shape)}"
            )
        super().__init__(images, labels)

    @property
    def images(self) -> torch.Tensor:
        """The images, ``(N, C, H, W)`` float32 in ``[-1, 1]``."""
        return self.tensors[0]

    @property
    def labels(self) -> torch.Tensor:
        """The labels, ``(N,)`` int64."""
        return self.tensors[1]

    def __repr__(self) -> str:
        return f"LabeledImages(n={len(self)}, shape={tuple(self.images.shape[1:])})"


def _read_idx(path: Path) -> torch.Tensor:
    """Parse a gzipped IDX file of unsigned bytes (magic ``0x08``, then the dimension count)."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if data[:3] != b"\x00\x00\x08":
        raise ValueError(f"{path} is not an IDX file of unsigned bytes")
    ndim = data[3]
    shape = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    array = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if array.size != math.prod(shape):
        raise ValueError(f"{path} holds {array.size} bytes, its header says {shape}")
    return torch.from_numpy(array.reshape(shape).copy())


@functools.lru_cache(maxsize=4)
def _mnist_uint8(raw: Path, train: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """The md5-checked split as ``(images (N, 28, 28) uint8, labels (N,) uint8)``, once per process."""
    tensors = []
    for name, md5 in _MNIST_FILES[train]:
        if file_md5(raw / name) != md5:
            raise RuntimeError(f"{raw / name} is corrupt (md5 is not {md5}); delete it and retry")
        tensors.append(_read_idx(raw / name))
    return tensors[0], tensors[1]


def _mnist_raw(
    root: str | os.PathLike | None, train: bool, download: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(train, bool):
        raise TypeError(f"train must be a bool, got {type(train).__name__}")
    raw = data_root(root) / "MNIST" / "raw"
    for name, md5 in _MNIST_FILES[train]:
        if not (raw / name).is_file():
            if not download:
                raise FileNotFoundError(
                    f"{raw / name} not found and download=False; pass download=True, or a root "
                    "(or GANCORE_DATA) holding MNIST/raw/"
                )
            download_file(raw, name, md5)
    return _mnist_uint8(raw, train)


def mnist(root: str | os.PathLike | None = None, train: bool = False, download: bool = True) -> LabeledImages:
    """MNIST digits scaled to ``[-1, 1]``, with their labels.

    Files are read from ``<root>/MNIST/raw/`` (torchvision's layout), md5-checked, parsed
    once per process and cached. Missing files are downloaded only when ``download`` is true
    and the folder is writable; a read-only root is never written to.

    Args:
        root: Data folder; ``None`` means ``$GANCORE_DATA``, else ``~/.cache/gancore``.
        train: The 60,000-image training split instead of the 10,000-image test split.
        download: Download missing files (md5-checked) into ``root``.

    Returns:
        A :class:`LabeledImages` with ``images`` ``(N, 1, 28, 28)`` float32 and ``labels``
        ``(N,)`` int64.

    Raises:
        FileNotFoundError: If files are missing and ``download`` is false.
        PermissionError: If files are missing and the folder is read-only.
        RuntimeError: If a download fails (offline) or a file's md5 is wrong.
    """
    images, labels = _mnist_raw(root, train, download)
    x = images.unsqueeze(1).float().div_(127.5).sub_(1.0)  # (N, 1, 28, 28)
    return LabeledImages(x, labels.long())


def stacked_mnist(
    n: int,
    seed: int = 0,
    root: str | os.PathLike | None = None,
    train: bool = False,
    download: bool = True,
) -> LabeledImages:
    """Stacked MNIST (VEEGAN, PacGAN): three random digits as the channels of one image.

    Each of the ``n`` images stacks three MNIST digits drawn uniformly with replacement;
    its mode is ``100 * d1 + 10 * d2 + d3``, one of 1,000.

    Args:
        n: Number of images.
        seed: Seed of the ``torch.Generator`` that picks the digits (same seed, same data).
        root: Data folder, as for :func:`mnist`.
        train: Draw from the training split instead of the test split.
        download: As for :func:`mnist`.

    Returns:
        A :class:`LabeledImages` with ``images`` ``(n, 3, 28, 28)`` float32 in ``[-1, 1]``
        and mode ``labels`` ``(n,)`` int64 in ``[0, 1000)``.
    """
    positive_int("n", n)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    images, labels = _mnist_raw(root, train, download)
    generator = torch.Generator().manual_seed(seed)
    idx = torch.randint(images.shape[0], (n, 3), generator=generator)  # (n, 3)
    x = images[idx].float().div_(127.5).sub_(1.0)  # (n, 3, 28, 28)
    digits = labels[idx].long()  # (n, 3)
    modes = 100 * digits[:, 0] + 10 * digits[:, 1] + digits[:, 2]  # (n,)
    return LabeledImages(x, modes)
