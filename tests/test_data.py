"""Tests for gancore.data: the Gaussian mixtures, MNIST reading (offline) and Stacked MNIST."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
import torch
from torch.utils.data import TensorDataset

import gancore as gc
from gancore import data as gdata

T10K = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


@pytest.fixture(scope="module")
def mnist_test() -> gdata.LabeledImages:
    """The 10k test split from $GANCORE_DATA or the cache; skipped when absent (never downloads)."""
    try:
        return gc.data.mnist(download=False)
    except FileNotFoundError as error:
        pytest.skip(f"MNIST not available offline: {error}")


@pytest.fixture
def raw_dir(mnist_test: gdata.LabeledImages) -> Path:
    """The folder the test split was read from."""
    return gdata.data_root() / "MNIST" / "raw"


# --------------------------------------------------------------------------- mixtures


def test_grid_centers_are_exactly_the_integer_lattice() -> None:
    mix = gc.data.grid()
    expected = {(float(a), float(b)) for a in (-4, -2, 0, 2, 4) for b in (-4, -2, 0, 2, 4)}
    assert {tuple(c) for c in mix.centers.tolist()} == expected
    assert mix.modes == 25 and mix.dim == 2 and mix.std == 0.05


def test_ring_centers_lie_on_the_circle_evenly_spaced() -> None:
    mix = gc.data.ring(modes=8, radius=2.0)
    c = mix.centers.double()
    torch.testing.assert_close(c.norm(dim=1), torch.full((8,), 2.0, dtype=torch.float64))
    angles = torch.atan2(c[:, 1], c[:, 0]) % (2 * math.pi)
    expected = torch.arange(8, dtype=torch.float64) * math.pi / 4
    torch.testing.assert_close(angles, expected, atol=1e-6, rtol=0)
    assert mix.std == 0.02


def test_sample_shapes_dtypes_and_labels() -> None:
    mix = gc.data.grid()
    x, labels = mix.sample_batch(100, generator=torch.Generator().manual_seed(0))
    assert torch.equal(mix.sample(100, generator=torch.Generator().manual_seed(0)), x)  # the same draws
    assert x.shape == (100, 2) and x.dtype == torch.float32
    assert labels.shape == (100,) and labels.dtype == torch.int64
    # every sample is its own mode's center plus N(0, std^2) noise: |noise| < 6 std for 100 draws
    assert ((x - mix.centers[labels]).abs() < 6 * mix.std).all()
    assert mix.sample(7).shape == (7, 2)


def test_sample_is_reproducible_with_a_generator() -> None:
    mix = gc.data.ring()
    a = mix.sample(50, generator=torch.Generator().manual_seed(3))
    b = mix.sample(50, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a, b)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_bad_arguments_raise(bad: object) -> None:
    with pytest.raises(ValueError, match="n"):
        gc.data.ring().sample(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="modes"):
        gc.data.ring(modes=bad)  # type: ignore[arg-type]


def test_mixture_rejects_bad_std() -> None:
    with pytest.raises(ValueError, match="std"):
        gdata.GaussianMixture(torch.zeros(2, 2), std=0.0)


# --------------------------------------------------------------------------- MNIST


def test_mnist_shapes_range_and_labels(mnist_test: gdata.LabeledImages) -> None:
    assert isinstance(mnist_test, TensorDataset)
    images, labels = mnist_test.tensors
    assert images.shape == (10_000, 1, 28, 28) and images.dtype == torch.float32
    assert labels.shape == (10_000,) and labels.dtype == torch.int64
    assert images.min() == -1.0 and images.max() == 1.0
    # the test split's class counts are part of the data set's definition
    counts = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert torch.bincount(labels).tolist() == counts
    assert labels[:5].tolist() == [7, 2, 1, 0, 4]
    x, y = mnist_test[0]
    assert x.shape == (1, 28, 28) and int(y) == 7


def test_mnist_is_cached_but_returns_fresh_tensors(mnist_test: gdata.LabeledImages) -> None:
    again = gc.data.mnist(download=False)
    assert torch.equal(again.images, mnist_test.images)
    again.images.zero_()  # a caller scribbling on its copy must not corrupt the cache
    assert torch.equal(gc.data.mnist(download=False).images, mnist_test.images)


def test_trainer_can_sample_mnist(mnist_test: gdata.LabeledImages) -> None:
    assert mnist_test.tensors[0] is mnist_test.images


def test_root_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GANCORE_DATA", str(tmp_path / "env"))
    assert gdata.data_root() == (tmp_path / "env").resolve()
    assert gdata.data_root(tmp_path / "arg") == (tmp_path / "arg").resolve()
    monkeypatch.delenv("GANCORE_DATA")
    assert gdata.data_root() == (Path.home() / ".cache" / "gancore").resolve()
    with pytest.raises(TypeError, match="root"):
        gdata.data_root(3)  # type: ignore[arg-type]


def test_missing_files_without_download_raise(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="download=False"):
        gc.data.mnist(root=tmp_path, download=False)
    assert not (tmp_path / "MNIST").exists()


def test_read_only_root_is_never_written(tmp_path: Path) -> None:
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(PermissionError, match="read-only"):
            gc.data.mnist(root=tmp_path, download=True)
        assert list(tmp_path.iterdir()) == []
    finally:
        tmp_path.chmod(0o755)


def test_download_from_a_local_mirror(raw_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for name in T10K:
        shutil.copy(raw_dir / name, mirror / name)
    monkeypatch.setattr(gdata.download, "MIRRORS", ("file:///nonexistent/", mirror.as_uri() + "/"))
    ds = gc.data.mnist(root=tmp_path / "root", download=True)
    assert len(ds) == 10_000
    assert sorted(p.name for p in (tmp_path / "root" / "MNIST" / "raw").iterdir()) == sorted(T10K)


def test_failed_download_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gdata.download, "MIRRORS", ((tmp_path / "empty").as_uri() + "/",))
    with pytest.raises(RuntimeError, match="could not download"):
        gc.data.mnist(root=tmp_path / "root", download=True)
    assert list((tmp_path / "root" / "MNIST" / "raw").iterdir()) == []  # no partial files left


def test_corrupt_file_is_detected(raw_dir: Path, tmp_path: Path) -> None:
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    shutil.copy(raw_dir / T10K[0], raw / T10K[0])
    (raw / T10K[1]).write_bytes(b"not mnist")
    with pytest.raises(RuntimeError, match="md5"):
        gc.data.mnist(root=tmp_path, download=False)


def test_mnist_rejects_bad_train_flag() -> None:
    with pytest.raises(TypeError, match="train"):
        gc.data.mnist(train="yes")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- Stacked MNIST


def test_stacked_mnist_channels_are_labelled_digits(mnist_test: gdata.LabeledImages) -> None:
    ds = gc.data.stacked_mnist(200, seed=1, download=False)
    images, modes = ds.tensors
    assert images.shape == (200, 3, 28, 28) and images.dtype == torch.float32
    assert modes.dtype == torch.int64 and ((modes >= 0) & (modes < 1000)).all()
    # rebuild the mode of a few images by finding each channel in MNIST
    flat = mnist_test.images.flatten(1)  # (10000, 784)
    for i in range(5):
        digits = []
        for c in range(3):
            match = (flat == images[i, c].flatten()).all(dim=1).nonzero()[0, 0]
            digits.append(int(mnist_test.labels[match]))
        assert int(modes[i]) == 100 * digits[0] + 10 * digits[1] + digits[2]


def test_stacked_mnist_is_deterministic(mnist_test: gdata.LabeledImages) -> None:
    a = gc.data.stacked_mnist(64, seed=5, download=False)
    b = gc.data.stacked_mnist(64, seed=5, download=False)
    c = gc.data.stacked_mnist(64, seed=6, download=False)
    assert torch.equal(a.images, b.images) and torch.equal(a.labels, b.labels)
    assert not torch.equal(a.labels, c.labels)


def test_stacked_mnist_modes_are_spread(mnist_test: gdata.LabeledImages) -> None:
    # Mode m has probability p_m = q_d1 q_d2 q_d3 (q: MNIST's class frequencies, 8.9%-11.4%), so
    # the expected number of modes that 10,000 draws miss is sum_m exp(-10,000 p_m) = 0.072:
    # a Poisson count that exceeds 2 with probability < 1e-4, whatever the seed.
    modes = gc.data.stacked_mnist(10_000, download=False).labels
    assert torch.unique(modes).numel() >= 998


def test_stacked_mnist_rejects_bad_n() -> None:
    with pytest.raises(ValueError, match="n"):
        gc.data.stacked_mnist(0)
