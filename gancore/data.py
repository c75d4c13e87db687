"""Data sets: 2-D Gaussian mixtures (ring, grid), and MNIST and Stacked MNIST as [-1, 1] image tensors."""

from __future__ import annotations

import functools
import gzip
import hashlib
import math
import os
import shutil
import struct
import urllib.request
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import TensorDataset

__all__ = ["GaussianMixture", "ring", "grid", "LabeledImages", "data_root", "mnist", "stacked_mnist"]


class GaussianMixture:
    """An isotropic Gaussian mixture with equal (or given) weights.

    Args:
        centers: Mode centers, shape ``(K, dim)``.
        std: Standard deviation of every mode (the same in every direction).
        weights: Mixture weights ``(K,)``; uniform when ``None``.

    Attributes:
        centers: ``(K, dim)`` float32 tensor.
        std: The per-mode standard deviation.
        weights: ``(K,)`` float32 tensor summing to one.
    """

    def __init__(self, centers: torch.Tensor, std: float, weights: torch.Tensor | None = None) -> None:
        centers = torch.as_tensor(centers, dtype=torch.float32)
        if centers.ndim != 2 or centers.shape[0] < 1:
            raise ValueError(f"centers must have shape (K, dim), got {tuple(centers.shape)}")
        if not isinstance(std, (int, float)) or not std > 0:
            raise ValueError(f"std must be a positive number, got {std!r}")
        if weights is None:
            weights = torch.full((centers.shape[0],), 1.0 / centers.shape[0])
        weights = torch.as_tensor(weights, dtype=torch.float32)
        if weights.shape != (centers.shape[0],) or (weights < 0).any() or weights.sum() <= 0:
            raise ValueError(f"weights must be {centers.shape[0]} non-negative numbers")
        self.centers = centers
        self.std = float(std)
        self.weights = weights / weights.sum()

    @property
    def modes(self) -> int:
        """Number of mixture components ``K``."""
        return self.centers.shape[0]

    @property
    def dim(self) -> int:
        """Dimension of each sample."""
        return self.centers.shape[1]

    def sample(
        self, n: int, generator: torch.Generator | None = None, return_labels: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Draw ``n`` samples (from torch's global generator unless one is given).

        Args:
            n: Number of samples.
            generator: An optional ``torch.Generator`` (CPU) for reproducible draws.
            return_labels: Also return the index of the mode each sample came from.

        Returns:
            ``(n, dim)`` float32 samples, and ``(n,)`` int64 labels when asked.
        """
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be a positive int, got {n!r}")
        labels = torch.multinomial(self.weights, n, replacement=True, generator=generator)
        noise = torch.randn(n, self.dim, generator=generator)
        x = self.centers[labels] + self.std * noise  # (n, dim)
        return (x, labels) if return_labels else x

    def __repr__(self) -> str:
        return f"GaussianMixture(modes={self.modes}, dim={self.dim}, std={self.std})"


def ring(modes: int = 8, radius: float = 2.0, std: float = 0.02) -> GaussianMixture:
    """``modes`` Gaussians evenly spaced on a circle (the "ring of 8" of Metz et al. 2017).

    Args:
        modes: Number of Gaussians.
        radius: Radius of the circle.
        std: Standard deviation of each Gaussian.
    """
    if isinstance(modes, bool) or not isinstance(modes, int) or modes < 1:
        raise ValueError(f"modes must be a positive int, got {modes!r}")
    angles = torch.arange(modes, dtype=torch.float64) * (2 * math.pi / modes)
    centers = radius * torch.stack([angles.cos(), angles.sin()], dim=1)
    return GaussianMixture(centers.float(), std)


def grid(side: int = 5, spacing: float = 2.0, std: float = 0.05) -> GaussianMixture:
    """``side x side`` Gaussians on a square grid centred at the origin (the "grid of 25").

    With the defaults the centers are ``{-4, -2, 0, 2, 4}^2`` (VEEGAN, PacGAN).

    Args:
        side: Gaussians per row and column.
        spacing: Distance between neighbouring centers.
        std: Standard deviation of each Gaussian.
    """
    if isinstance(side, bool) or not isinstance(side, int) or side < 1:
        raise ValueError(f"side must be a positive int, got {side!r}")
    coords = (torch.arange(side, dtype=torch.float32) - (side - 1) / 2) * spacing
    xs, ys = torch.meshgrid(coords, coords, indexing="ij")
    return GaussianMixture(torch.stack([xs.flatten(), ys.flatten()], dim=1), std)


# --------------------------------------------------------------------------- MNIST

# Mirrors tried in order (as torchvision lists them); every file is md5-checked after download.
_MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/")
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


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _writable(folder: Path) -> bool:
    """True when ``folder``'s nearest existing ancestor may be written to.

    Checks the permission bits as well as ``os.access``: root passes ``os.access`` on a
    read-only (``r-x``) folder, and such folders (CI's shared data) must stay untouched.
    """
    while not folder.exists():
        folder = folder.parent
    return folder.is_dir() and os.access(folder, os.W_OK) and bool(folder.stat().st_mode & 0o222)


def _download(raw: Path, name: str, md5: str) -> None:
    """Fetch ``name`` from the first mirror that serves it with the right md5, into ``raw``."""
    if not _writable(raw):
        raise PermissionError(
            f"{raw / name} is missing and {raw} is read-only; put the file there yourself or pass "
            "a writable root (or set GANCORE_DATA)"
        )
    raw.mkdir(parents=True, exist_ok=True)
    errors = []
    for mirror in _MIRRORS:
        tmp = raw / f"{name}.part"
        try:
            with urllib.request.urlopen(mirror + name, timeout=30) as response, tmp.open("wb") as f:
                shutil.copyfileobj(response, f)
        except (OSError, ValueError) as error:  # URLError is an OSError; offline lands here
            errors.append(f"{mirror}: {error}")
            tmp.unlink(missing_ok=True)
            continue
        if _md5(tmp) == md5:
            tmp.replace(raw / name)
            return
        errors.append(f"{mirror}: md5 mismatch")
        tmp.unlink()
    raise RuntimeError(
        f"could not download {name} (offline?); tried "
        + "; ".join(errors)
        + f". Place the file in {raw} or set GANCORE_DATA to a folder holding MNIST/raw/."
    )


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
        if _md5(raw / name) != md5:
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
            _download(raw, name, md5)
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
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    images, labels = _mnist_raw(root, train, download)
    generator = torch.Generator().manual_seed(seed)
    idx = torch.randint(images.shape[0], (n, 3), generator=generator)  # (n, 3)
    x = images[idx].float().div_(127.5).sub_(1.0)  # (n, 3, 28, 28)
    digits = labels[idx].long()  # (n, 3)
    modes = 100 * digits[:, 0] + 10 * digits[:, 1] + digits[:, 2]  # (n,)
    return LabeledImages(x, modes)
