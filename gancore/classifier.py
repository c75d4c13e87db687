"""A small MNIST CNN shipped with gancore, scoring generated digits (classes and features)."""

from __future__ import annotations

import functools
from importlib import resources

import torch
from torch import nn

from .checks import float_tensor, positive_int

__all__ = ["MnistClassifier", "load_classifier", "classifier_features", "classify"]

WEIGHTS = "mnist_classifier.pt"  # in gancore/assets/, written by scripts/train_mnist_classifier.py


class MnistClassifier(nn.Module):
    """Three conv blocks, a 128-unit feature layer and a 10-way linear head (58k parameters).

    Input ``(N, 1, 28, 28)`` in ``[-1, 1]``; :meth:`features` gives the ``(N, 128)``
    penultimate activations (for Fréchet distance, precision and recall), :meth:`forward`
    the ``(N, 10)`` class logits.

    Args:
        feature_dim: Width of the penultimate (feature) layer.
    """

    def __init__(self, feature_dim: int = 128) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),  # (N, 16, 28, 28)
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.MaxPool2d(2),  # (N, 16, 14, 14)
            nn.Conv2d(16, 32, 3, padding=1),  # (N, 32, 14, 14)
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(2),  # (N, 32, 7, 7)
            nn.Conv2d(32, 64, 3),  # (N, 64, 5, 5)
            nn.BatchNorm2d(64),
            nn.ReLU(),
            nn.MaxPool2d(2),  # (N, 64, 2, 2)
            nn.Flatten(),  # (N, 256)
            nn.Dropout(0.2),
            nn.Linear(256, feature_dim),
            nn.ReLU(),  # (N, feature_dim)
        )
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(feature_dim, 10))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate activations ``(N, feature_dim)`` of images ``(N, 1, 28, 28)``."""
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits ``(N, 10)`` of images ``(N, 1, 28, 28)``."""
        return self.head(self.body(x))


@functools.cache
def _cached(device: torch.device) -> MnistClassifier:
    with (resources.files("gancore") / "assets" / WEIGHTS).open("rb") as f:
        state = torch.load(f, map_location="cpu", weights_only=True)
    with torch.random.fork_rng(devices=[]):  # its random initialization must not move the caller's stream
        model = MnistClassifier()
    model.load_state_dict(state)
    return model.requires_grad_(False).eval().to(device)


def load_classifier(device: str | torch.device = "cpu") -> MnistClassifier:
    """The shipped classifier in eval mode on ``device``, loaded once per device and cached.

    Trained by ``scripts/train_mnist_classifier.py`` on the first 8,000 MNIST test images; it
    is right on at least 98.5% of the other 2,000 (``tests/test_metrics.py`` checks).

    Args:
        device: Where to put it.

    Returns:
        The frozen :class:`MnistClassifier`; do not modify it (it is shared).
    """
    device = torch.device(device)
    if device.type == "cuda" and device.index is None:
        device = torch.device("cuda", torch.cuda.current_device())
    return _cached(device)


def _check_digits(images: torch.Tensor, batch_size: int) -> None:
    if not isinstance(images, torch.Tensor) or images.ndim != 4 or tuple(images.shape[1:]) != (1, 28, 28):
        raise ValueError(
            "images must be a tensor of shape (N, 1, 28, 28) in [-1, 1], got "
            f"{getattr(images, 'shape', type(images).__name__)}"
        )
    float_tensor("images", images)  # float, not on the meta device, no NaN or inf
    positive_int("batch_size", batch_size)


@torch.no_grad()
def classifier_features(images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """The shipped classifier's 128-d penultimate features, computed on the images' device.

    Args:
        images: Digits ``(N, 1, 28, 28)`` in ``[-1, 1]``, on CPU or CUDA.
        batch_size: Images per forward pass.

    Returns:
        ``(N, 128)`` float32 features on ``images.device``.
    """
    _check_digits(images, batch_size)
    model = load_classifier(images.device)
    chunks = [model.features(batch.float()) for batch in images.detach().split(batch_size)]
    return torch.cat(chunks)  # (N, 128)


@torch.no_grad()
def classify(images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """The shipped classifier's predicted digits, computed on the images' device.

    Args:
        images: Digits ``(N, 1, 28, 28)`` in ``[-1, 1]``, on CPU or CUDA.
        batch_size: Images per forward pass.

    Returns:
        ``(N,)`` int64 predicted classes 0–9 on ``images.device``.
    """
    _check_digits(images, batch_size)
    model = load_classifier(images.device)
    chunks = [model(batch.float()).argmax(dim=1) for batch in images.detach().split(batch_size)]
    return torch.cat(chunks)  # (N,)


@torch.no_grad()
def class_probabilities(images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """The shipped classifier's softmax over the 10 digits, computed on the images' device.

    Its maximum is the classifier's *confidence*: near 1 for clear digits, lower for blobs
    that resemble several digits or none.

    Args:
        images: Digits ``(N, 1, 28, 28)`` in ``[-1, 1]``, on CPU or CUDA.
        batch_size: Images per forward pass.

    Returns:
        ``(N, 10)`` float32 probabilities on ``images.device``; rows sum to 1.
    """
    _check_digits(images, batch_size)
    model = load_classifier(images.device)
    chunks = [model(batch.float()).softmax(dim=1) for batch in images.detach().split(batch_size)]
    return torch.cat(chunks)  # (N, 10)
