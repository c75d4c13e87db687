"""Every public entry point rejects bad input with a clear error, and leaves the disk as it was.

One table: each row calls an entry point with one bad input and names the exception type and a
regex of its message. Every call runs next to a watched folder (checkpoints, a truncated one,
MNIST copies, a read-only data folder); its files (names and bytes) must not change.
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import matplotlib
import pytest
import torch

import gancore as gc

matplotlib.use("Agg")

NAN, INF = math.nan, math.inf
MNIST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
CUDA = torch.cuda.is_available()


def _mnist_raw() -> Path | None:
    raw = gc.data.data_root() / "MNIST" / "raw"
    return raw if all((raw / name).is_file() for name in MNIST_FILES) else None


def _tiny_gan() -> gc.GAN:
    gc.seed_everything(0)
    return gc.GAN(gc.models.MLPGenerator(2, 2, width=8), gc.models.MLPDiscriminator(2, width=8), latent_dim=2)


def _trainer(*techniques) -> gc.Trainer:
    cfg = gc.TrainConfig(steps=4, batch_size=8, progress=False, sample_every=None, device="cpu")
    return gc.Trainer(_tiny_gan(), gc.losses.nonsaturating, cfg, techniques=list(techniques))


def _meta_gan() -> gc.GAN:
    with torch.device("meta"):
        return gc.GAN(gc.models.MLPGenerator(2, 2), gc.models.MLPDiscriminator(2), latent_dim=2)


class _ColumnD(torch.nn.Module):
    """A D that forgets to squeeze: logits (N, 1) instead of (N,)."""

    def __init__(self) -> None:
        super().__init__()
        self.net = torch.nn.Linear(2, 1)

    def forward(self, x):
        return self.net(x)  # (N, 1)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """The watched folder and the files the rows read (shared: every row asserts it is unchanged)."""
    e = SimpleNamespace(dir=tmp_path_factory.mktemp("bad_inputs") / "watched")
    e.dir.mkdir()
    _trainer().save(e.dir / "good.pt")
    data = (e.dir / "good.pt").read_bytes()
    e.good = e.dir / "good.pt"
    e.truncated, e.garbage, e.notckpt = e.dir / "truncated.pt", e.dir / "garbage.pt", e.dir / "other.pt"
    e.truncated.write_bytes(data[: len(data) // 3])
    e.garbage.write_bytes(b"not a checkpoint\x00" * 64)
    torch.save({"weights": torch.zeros(3)}, e.notckpt)
    e.folder, e.empty_root = e.dir / "a_folder", e.dir / "empty_root"
    e.folder.mkdir()
    e.empty_root.mkdir()
    e.readonly = e.dir / "readonly_root"
    e.readonly.mkdir()
    e.readonly.chmod(0o555)  # gancore checks the mode bits itself: root may write anywhere
    raw = _mnist_raw()
    e.corrupt_root = None
    if raw is not None:
        e.corrupt_root = e.dir / "corrupt_root"
        (e.corrupt_root / "MNIST" / "raw").mkdir(parents=True)
        for name in MNIST_FILES:
            shutil.copy(raw / name, e.corrupt_root / "MNIST" / "raw" / name)
        labels = e.corrupt_root / "MNIST" / "raw" / MNIST_FILES[1]
        flipped = bytearray(labels.read_bytes())
        flipped[len(flipped) // 2] ^= 0xFF
        labels.write_bytes(bytes(flipped))
    yield e
    e.readonly.chmod(0o755)


def _snapshot(folder: Path) -> dict[str, str]:
    out = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        out[key] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return out


X2 = torch.zeros(4, 2)  # a valid (N, 2) batch
DIGITS = torch.zeros(4, 1, 28, 28)
needs_data = pytest.mark.skipif(_mnist_raw() is None, reason="needs MNIST test files (GANCORE_DATA)")
needs_cpu_only = pytest.mark.skipif(CUDA, reason="checks the error on a machine without CUDA")

# (id, call, exception type, message regex[, marks])
TABLE = [
    # --- data: toy mixtures
    ("ring-zero-modes", lambda e: gc.data.ring(modes=0), ValueError, r"modes must be a positive int, got 0"),
    ("ring-negative-modes", lambda e: gc.data.ring(modes=-3), ValueError, r"modes must be a positive int"),
    (
        "ring-float-modes",
        lambda e: gc.data.ring(modes=8.0),
        ValueError,
        r"modes must be a positive int, got 8.0",
    ),
    (
        "ring-negative-std",
        lambda e: gc.data.ring(std=-0.1),
        ValueError,
        r"std must be a positive finite number",
    ),
    ("ring-nan-radius", lambda e: gc.data.ring(radius=NAN), ValueError, r"radius must be a positive finite"),
    ("grid-zero-side", lambda e: gc.data.grid(side=0), ValueError, r"side must be a positive int"),
    (
        "grid-inf-spacing",
        lambda e: gc.data.grid(spacing=INF),
        ValueError,
        r"spacing must be a positive finite",
    ),
    (
        "mixture-1d-centers",
        lambda e: gc.data.GaussianMixture(torch.zeros(3), 0.1),
        ValueError,
        r"centers must have shape \(K, dim\), got \(3,\)",
    ),
    (
        "mixture-nan-centers",
        lambda e: gc.data.GaussianMixture(torch.tensor([[0.0, NAN]]), 0.1),
        ValueError,
        r"centers holds NaN or infinite",
    ),
    (
        "mixture-nan-std",
        lambda e: gc.data.GaussianMixture(torch.zeros(2, 2), NAN),
        ValueError,
        r"std must be a positive finite number, got nan",
    ),
    (
        "mixture-negative-weights",
        lambda e: gc.data.GaussianMixture(torch.zeros(2, 2), 0.1, weights=torch.tensor([-1.0, 2.0])),
        ValueError,
        r"weights must be 2 non-negative numbers",
    ),
    ("mixture-sample-negative", lambda e: gc.data.ring().sample(-5), ValueError, r"n must be a positive int"),
    (
        "mixture-sample-zero",
        lambda e: gc.data.ring().sample(0),
        ValueError,
        r"n must be a positive int, got 0",
    ),
    # --- data: MNIST files and folders
    (
        "mnist-corrupted-file",
        lambda e: gc.data.mnist(root=e.corrupt_root),
        RuntimeError,
        r"t10k-labels-idx1-ubyte\.gz is corrupt \(md5 is not",
        needs_data,
    ),
    (
        "mnist-read-only-folder",
        lambda e: gc.data.mnist(root=e.readonly, download=True),
        PermissionError,
        r"is missing and .*readonly_root.* is read-only",
    ),
    (
        "mnist-missing-no-download",
        lambda e: gc.data.mnist(root=e.empty_root, download=False),
        FileNotFoundError,
        r"t10k-images-idx3-ubyte\.gz not found and download=False",
    ),
    (
        "mnist-train-not-bool",
        lambda e: gc.data.mnist(train="yes"),
        TypeError,
        r"train must be a bool, got str",
    ),
    (
        "mnist-root-not-path",
        lambda e: gc.data.mnist(root=42),
        TypeError,
        r"root must be a path or None, got int",
    ),
    (
        "stacked-mnist-zero",
        lambda e: gc.data.stacked_mnist(0),
        ValueError,
        r"n must be a positive int, got 0",
    ),
    # --- models and GAN
    (
        "mlp-g-zero-latent",
        lambda e: gc.models.MLPGenerator(0, 2),
        ValueError,
        r"latent_dim must be a positive int",
    ),
    (
        "mlp-d-negative-width",
        lambda e: gc.models.MLPDiscriminator(2, width=-8),
        ValueError,
        r"width must be a pos",
    ),
    (
        "mlp-d-dropout-one",
        lambda e: gc.models.MLPDiscriminator(2, dropout=1.0),
        ValueError,
        r"dropout must be in",
    ),
    (
        "mlp-d-wrong-features",
        lambda e: gc.models.MLPDiscriminator(2)(torch.zeros(4, 3)),
        ValueError,
        r"expected 2 features per sample, got 3",
    ),
    (
        "mlp-g-wrong-z-shape",
        lambda e: gc.models.MLPGenerator(2, 2)(torch.zeros(4, 5)),
        ValueError,
        r"z must have shape \(N, 2\), got \(4, 5\)",
    ),
    ("dcgan-odd-image-size", lambda e: gc.models.DCGANGenerator(8, image_size=30), ValueError, r"image_size"),
    (
        "dcgan-g-missing-label",
        lambda e: gc.models.DCGANGenerator(8, width=4, num_classes=10)(torch.zeros(2, 8)),
        ValueError,
        r"a conditional model needs labels y of shape \(2,\)",
    ),
    (
        "dcgan-d-label-out-of-range",
        lambda e: gc.models.DCGANDiscriminator(width=4, num_classes=10)(DIGITS, torch.tensor([0, 1, 2, 10])),
        ValueError,
        r"labels must lie in \[0, 10\), got \[0, 10\]",
    ),
    (
        "dcgan-d-conditioning-string",
        lambda e: gc.models.DCGANDiscriminator(num_classes=10, conditioning="projection"),
        TypeError,
        r"conditioning must be a callable",
    ),
    (
        "dcgan-g-upsample-none",
        lambda e: gc.models.DCGANGenerator(8, upsample=None),
        TypeError,
        r"upsample must be a callable",
    ),
    (
        "gan-g-not-module",
        lambda e: gc.GAN("G", torch.nn.Linear(2, 1), 2),
        TypeError,
        r"G and D must be torch\.nn",
    ),
    (
        "gan-zero-latent",
        lambda e: gc.GAN(torch.nn.Linear(2, 2), torch.nn.Linear(2, 1), 0),
        ValueError,
        r"latent_dim",
    ),
    (
        "gan-sample-negative",
        lambda e: _tiny_gan().sample(-1),
        ValueError,
        r"n must be a positive int, got -1",
    ),
    (
        "gan-sample-n-and-z",
        lambda e: _tiny_gan().sample(3, z=X2),
        ValueError,
        r"give exactly one of n .* or z",
    ),
    (
        "gan-sample-wrong-z",
        lambda e: _tiny_gan().sample(z=torch.zeros(4, 3)),
        ValueError,
        r"z must have shape \(N, 2\), got \(4, 3\)",
    ),
    (
        "gan-sample-int-z",
        lambda e: _tiny_gan().sample(z=torch.zeros(4, 2, dtype=torch.long)),
        TypeError,
        r"z must be a floating-point tensor, got dtype torch\.int64",
    ),
    (
        "gan-sample-nan-z",
        lambda e: _tiny_gan().sample(z=torch.full((4, 2), NAN)),
        ValueError,
        r"z holds NaN or infinite values",
    ),
    (
        "gan-sample-meta-z",
        lambda e: _tiny_gan().sample(z=torch.zeros(4, 2, device="meta")),
        ValueError,
        r"z is on the meta device",
    ),
    # --- TrainConfig
    (
        "config-zero-steps",
        lambda e: gc.TrainConfig(steps=0),
        ValueError,
        r"TrainConfig\.steps must be a positive",
    ),
    (
        "config-negative-batch",
        lambda e: gc.TrainConfig(batch_size=-1),
        ValueError,
        r"TrainConfig\.batch_size",
    ),
    (
        "config-nan-lr",
        lambda e: gc.TrainConfig(lr_g=NAN),
        ValueError,
        r"TrainConfig\.lr_g must be a positive finite",
    ),
    (
        "config-inf-lr",
        lambda e: gc.TrainConfig(lr_d=INF),
        ValueError,
        r"TrainConfig\.lr_d must be a positive finite",
    ),
    (
        "config-one-beta",
        lambda e: gc.TrainConfig(betas_g=(0.5,)),
        ValueError,
        r"TrainConfig\.betas_g must be two",
    ),
    (
        "config-negative-seed",
        lambda e: gc.TrainConfig(seed=-1),
        ValueError,
        r"TrainConfig\.seed must be a non-neg",
    ),
    (
        "config-bad-device",
        lambda e: gc.TrainConfig(device="gpu"),
        ValueError,
        r"TrainConfig\.device='gpu' is not a",
    ),
    (
        "config-int-device",
        lambda e: gc.TrainConfig(device=0),
        TypeError,
        r"TrainConfig\.device must be 'auto'",
    ),
    (
        "config-simultaneous-critic",
        lambda e: gc.TrainConfig(simultaneous=True, n_critic=5),
        ValueError,
        r"simultaneous updates take one D step per G step, got n_critic=5",
    ),
    # --- Trainer
    (
        "trainer-loss-string",
        lambda e: gc.Trainer(_tiny_gan(), "nonsaturating"),
        TypeError,
        r"loss must be a gancore\.losses\.GANLoss",
    ),
    (
        "trainer-config-dict",
        lambda e: gc.Trainer(_tiny_gan(), gc.losses.hinge, {"steps": 3}),
        TypeError,
        r"config",
    ),
    (
        "trainer-technique-object",
        lambda e: gc.Trainer(_tiny_gan(), gc.losses.hinge, techniques=[object()]),
        TypeError,
        r"techniques must be Technique instances, got object",
    ),
    (
        "trainer-cuda-without-cuda",
        lambda e: gc.Trainer(_tiny_gan(), gc.losses.hinge, gc.TrainConfig(device="cuda")),
        ValueError,
        r"device='cuda' was requested but CUDA is not available",
        needs_cpu_only,
    ),
    (
        "trainer-meta-device",
        lambda e: gc.Trainer(_tiny_gan(), gc.losses.hinge, gc.TrainConfig(device="meta")),
        ValueError,
        r"device='meta' holds no data",
    ),
    (
        "trainer-gan-on-meta",
        lambda e: gc.Trainer(_meta_gan(), gc.losses.hinge),
        ValueError,
        r"gan has parameters on the meta device",
    ),
    (
        "fit-1d-tensor",
        lambda e: _trainer().fit(torch.zeros(10)),
        ValueError,
        r"shape \(N, \.\.\.\), got \(10,\)",
    ),
    ("fit-empty-tensor", lambda e: _trainer().fit(torch.zeros(0, 2)), ValueError, r"got \(0, 2\)"),
    (
        "fit-nan-data",
        lambda e: _trainer().fit(torch.full((8, 2), NAN)),
        ValueError,
        r"data holds NaN or infinite",
    ),
    (
        "fit-int-data",
        lambda e: _trainer().fit(torch.zeros(8, 2, dtype=torch.uint8)),
        TypeError,
        r"data must be a floating-point tensor, got dtype torch\.uint8",
    ),
    (
        "fit-meta-data",
        lambda e: _trainer().fit(torch.zeros(8, 2, device="meta")),
        ValueError,
        r"data is on the meta",
    ),
    (
        "fit-string-data",
        lambda e: _trainer().fit("ring"),
        TypeError,
        r"data must be a GaussianMixture, a Tensor",
    ),
    (
        "fit-wrong-width",
        lambda e: _trainer().fit(torch.zeros(8, 3)),
        ValueError,
        r"expected 2 features per sample, got 3",
    ),
    (
        "fit-d-column-logits",
        lambda e: gc.Trainer(
            gc.GAN(gc.models.MLPGenerator(2, 2), _ColumnD(), 2),
            gc.losses.hinge,
            gc.TrainConfig(progress=False),
        ).fit(X2),
        ValueError,
        r"D must return logits of shape \(N,\), got \(256, 1\)",
    ),
    (
        "fit-negative-stop",
        lambda e: _trainer().fit(X2, stop_at=-1),
        ValueError,
        r"stop_at must be an int in \[0, 4\]",
    ),
    (
        "fit-stop-past-end",
        lambda e: _trainer().fit(X2, stop_at=99),
        ValueError,
        r"stop_at must be an int in \[0, 4\]",
    ),
    # --- checkpoints
    (
        "load-truncated",
        lambda e: _trainer().load(e.truncated),
        ValueError,
        r"checkpoint .*truncated\.pt cannot be read \(truncated or corrupt\?\)",
    ),
    (
        "load-garbage",
        lambda e: _trainer().load(e.garbage),
        ValueError,
        r"checkpoint .*garbage\.pt cannot be read",
    ),
    (
        "load-not-a-trainer",
        lambda e: _trainer().load(e.notckpt),
        ValueError,
        r"other\.pt is not a Trainer checkpoint: it lacks the keys \['gan'",
    ),
    (
        "load-missing",
        lambda e: _trainer().load(e.dir / "nope.pt"),
        FileNotFoundError,
        r"checkpoint .*nope\.pt not found",
    ),
    (
        "load-path-int",
        lambda e: _trainer().load(3),
        TypeError,
        r"path must be a str or os\.PathLike, got int",
    ),
    (
        "load-other-techniques",
        lambda e: _trainer(gc.techniques.InstanceNoise(std=0.1)).load(e.good),
        ValueError,
        r"the saved trainer had 0 techniques, this one has 1",
    ),
    (
        "save-missing-folder",
        lambda e: _trainer().save(e.dir / "no" / "run.pt"),
        FileNotFoundError,
        r"cannot save to .*run\.pt: the folder .*no does not exist",
    ),
    ("save-to-folder", lambda e: _trainer().save(e.folder), IsADirectoryError, r"a_folder: it is a folder"),
    (
        "save-path-none",
        lambda e: _trainer().save(None),
        TypeError,
        r"path must be a str or os\.PathLike, got NoneType",
    ),
    # --- losses and penalties
    (
        "loss-int-logits",
        lambda e: gc.losses.nonsaturating.d(torch.zeros(4), torch.zeros(4, dtype=torch.long)),
        TypeError,
        r"d_fake must be a floating-point tensor of logits, got dtype torch\.int64",
    ),
    (
        "loss-list-logits",
        lambda e: gc.losses.wasserstein.g([0.0, 1.0]),
        TypeError,
        r"d_fake must be a tensor of log",
    ),
    (
        "loss-scalar-logits",
        lambda e: gc.losses.hinge.g(torch.tensor(1.0)),
        ValueError,
        r"d_fake must have shape \(N,",
    ),
    (
        "loss-mismatched-runs",
        lambda e: gc.losses.least_squares.d(torch.zeros(2, 4), torch.zeros(3, 4)),
        ValueError,
        r"d_real and d_fake must agree in all but the last axis, got \(2, 4\) and \(3, 4\)",
    ),
    (
        "gp-shape-mismatch",
        lambda e: gc.penalties.gradient_penalty(_tiny_gan().D, X2, torch.zeros(4, 3)),
        ValueError,
        r"x_real and x_fake must have the same shape",
    ),
    (
        "gp-int-input",
        lambda e: gc.penalties.gradient_penalty(_tiny_gan().D, X2.long(), X2.long()),
        TypeError,
        r"x_real must be a floating-point tensor",
    ),
    (
        "gp-negative-center",
        lambda e: gc.penalties.gradient_penalty(_tiny_gan().D, X2, X2, center=-1.0),
        ValueError,
        r"center must be a number >= 0\.0",
    ),
    (
        "r1-1d-input",
        lambda e: gc.penalties.r1(_tiny_gan().D, torch.zeros(4)),
        ValueError,
        r"x must be a tensor of sh",
    ),
    ("r1-d-not-callable", lambda e: gc.penalties.r1("D", X2), TypeError, r"D must be a callable module"),
    # --- metrics and the classifier
    (
        "coverage-wrong-dim",
        lambda e: gc.metrics.mode_coverage(torch.zeros(5, 3), gc.data.ring()),
        ValueError,
        r"samples must be a tensor of shape \(N, 2\)",
    ),
    (
        "coverage-not-mixture",
        lambda e: gc.metrics.mode_coverage(X2, "ring"),
        TypeError,
        r"mixture must be a Gauss",
    ),
    (
        "coverage-nan-samples",
        lambda e: gc.metrics.mode_coverage(torch.full((5, 2), NAN), gc.data.ring()),
        ValueError,
        r"samples holds NaN or infinite values",
    ),
    (
        "coverage-negative-threshold",
        lambda e: gc.metrics.mode_coverage(X2, gc.data.ring(), threshold=-1),
        ValueError,
        r"threshold must be a positive finite number, got -1",
    ),
    (
        "coverage-meta-samples",
        lambda e: gc.metrics.mode_coverage(torch.zeros(5, 2, device="meta"), gc.data.ring()),
        ValueError,
        r"samples is on the meta device",
    ),
    (
        "kl-negative-counts",
        lambda e: gc.metrics.kl_to_uniform(torch.tensor([3, -1])),
        ValueError,
        r"counts must be",
    ),
    (
        "fd-nan-features",
        lambda e: gc.metrics.frechet_distance(torch.full((5, 3), NAN), torch.zeros(5, 3)),
        ValueError,
        r"feats_a holds NaN or infinite values",
    ),
    (
        "fd-width-mismatch",
        lambda e: gc.metrics.frechet_distance(torch.zeros(5, 3), torch.zeros(5, 4)),
        ValueError,
        r"feats_a and feats_b differ in width: 3 vs 4",
    ),
    (
        "fd-one-sample",
        lambda e: gc.metrics.frechet_distance(torch.zeros(1, 3), torch.zeros(5, 3)),
        ValueError,
        r"feats_a must be a tensor of shape \(N, F\) with N >= 2",
    ),
    (
        "pr-zero-k",
        lambda e: gc.metrics.precision_recall(torch.zeros(5, 3), torch.zeros(5, 3), k=0),
        ValueError,
        r"k must be a positive int, got 0",
    ),
    (
        "classify-rgb",
        lambda e: gc.metrics.classify(torch.zeros(4, 3, 28, 28)),
        ValueError,
        r"images must be a tensor of shape \(N, 1, 28, 28\)",
    ),
    (
        "classify-uint8",
        lambda e: gc.metrics.classify(DIGITS.to(torch.uint8)),
        TypeError,
        r"images must be a floating-point tensor, got dtype torch\.uint8",
    ),
    (
        "classify-nan",
        lambda e: gc.metrics.classify(DIGITS * NAN),
        ValueError,
        r"images holds NaN or infinite",
    ),
    (
        "classify-meta",
        lambda e: gc.metrics.classifier_features(DIGITS.to("meta")),
        ValueError,
        r"images is on the meta device",
    ),
    (
        "conditional-accuracy-float-labels",
        lambda e: gc.metrics.conditional_accuracy(DIGITS, torch.zeros(4)),
        ValueError,
        r"labels must be an int64 tensor of shape \(N,\)",
    ),
    (
        "conditional-accuracy-length",
        lambda e: gc.metrics.conditional_accuracy(DIGITS, torch.zeros(3, dtype=torch.int64)),
        ValueError,
        r"images and labels differ in length: 4 vs 3",
    ),
    (
        "class-probabilities-wrong-shape",
        lambda e: gc.metrics.class_probabilities(torch.zeros(4, 3, 28, 28)),
        ValueError,
        r"images must be a tensor of shape \(N, 1, 28, 28\)",
    ),
    (
        "stacked-coverage-wrong-shape",
        lambda e: gc.metrics.stacked_mnist_coverage(DIGITS),
        ValueError,
        r"images must be a tensor of shape \(N, 3, 28, 28\)",
    ),
    # --- utils and plots
    ("seed-negative", lambda e: gc.seed_everything(-1), ValueError, r"seed must be non-negative, got -1"),
    ("seed-float", lambda e: gc.seed_everything(1.5), TypeError, r"seed must be an int, got float"),
    ("device-unknown", lambda e: gc.get_device("tpu9"), ValueError, r"device='tpu9' is not a device"),
    (
        "device-cuda-without-cuda",
        lambda e: gc.get_device("cuda"),
        ValueError,
        r"device='cuda' was requested but CUDA is not available",
        needs_cpu_only,
    ),
    ("plot-samples-nothing", lambda e: gc.plot.samples(), ValueError, r"give real or fake points"),
    (
        "plot-image-grid-2d",
        lambda e: gc.plot.image_grid(torch.zeros(4, 28)),
        ValueError,
        r"images must be a tensor \(N, C, H, W\) with C in \(1, 3\)",
    ),
]


def _params():
    for row in TABLE:
        name, call, error, message, *marks = row
        yield pytest.param(call, error, message, id=name, marks=marks)


def test_the_table_is_large_enough():
    assert len(TABLE) >= 40
    assert len({row[0] for row in TABLE}) == len(TABLE), "row ids must be unique"


@pytest.mark.parametrize(("call", "error", "message"), list(_params()))
def test_bad_input_is_rejected_clearly(env, call, error, message):
    watched = [env.dir] + ([_mnist_raw()] if _mnist_raw() is not None else [])
    before = [_snapshot(folder) for folder in watched]
    cwd_before = sorted(os.listdir("."))
    try:
        with pytest.raises(error, match=message) as info:
            call(env)
    finally:
        import matplotlib.pyplot as plt

        plt.close("all")
    assert isinstance(info.value, error)
    assert [_snapshot(folder) for folder in watched] == before, "the call changed files on disk"
    assert sorted(os.listdir(".")) == cwd_before
