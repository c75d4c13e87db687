"""Generators and discriminators: MLPs for toy data, DCGAN-style convnets for images."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import torch
from torch import nn

from .checks import positive_int
from .conditioning import ConcatLabels, LabelConditioning, ProjectLabels, check_labels

__all__ = [
    "MLPGenerator",
    "MLPDiscriminator",
    "DCGANGenerator",
    "DCGANDiscriminator",
    "batch_norm",
    "layer_norm",
    "count_parameters",
    "leaky_relu",
    "transposed_conv",
    "upsample_conv",
    "strided_conv",
    "conv_pool",
    "ConcatLabels",
    "ProjectLabels",
]

ModuleFactory = Callable[[], nn.Module]
NormFactory = Callable[[int], nn.Module]
ResizeFactory = Callable[[int, int, bool], nn.Module]  # (c_in, c_out, bias) -> a module that resizes by 2

leaky_relu = partial(nn.LeakyReLU, 0.2)  # the DCGAN discriminator's activation


def batch_norm(channels: int) -> nn.Module:
    """Batch normalization over a ``(N, channels, H, W)`` feature map."""
    return nn.BatchNorm2d(channels)


def layer_norm(channels: int) -> nn.Module:
    """Layer normalization over each sample's whole ``(channels, H, W)`` feature map.

    ``GroupNorm`` with one group normalizes over (C, H, W) like ``LayerNorm`` would, but
    without fixing H and W at construction.
    """
    return nn.GroupNorm(1, channels)


def _mlp(
    in_dim: int, out_dim: int, width: int, depth: int, activation: ModuleFactory, dropout: float = 0.0
) -> nn.Sequential:
    layers: list[nn.Module] = []
    dim = in_dim
    for _ in range(depth):
        layers += [nn.Linear(dim, width), activation()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        dim = width
    layers.append(nn.Linear(dim, out_dim))
    return nn.Sequential(*layers)


class MLPGenerator(nn.Module):
    """A fully connected generator ``z (N, latent_dim) -> x (N, out_dim)`` with a linear output.

    Args:
        latent_dim: Size of ``z``.
        out_dim: Size of each sample (2 for the toy mixtures).
        width: Units per hidden layer.
        depth: Number of hidden layers.
        activation: A factory for the hidden nonlinearity, e.g. ``nn.ReLU``.
    """

    def __init__(
        self,
        latent_dim: int,
        out_dim: int,
        width: int = 128,
        depth: int = 2,
        activation: ModuleFactory = nn.ReLU,
    ) -> None:
        super().__init__()
        self.latent_dim = positive_int("latent_dim", latent_dim)
        self.out_dim = positive_int("out_dim", out_dim)
        self.net = _mlp(
            latent_dim, out_dim, positive_int("width", width), positive_int("depth", depth), activation
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"z must have shape (N, {self.latent_dim}), got {tuple(z.shape)}")
        return self.net(z)  # (N, out_dim)


class MLPDiscriminator(nn.Module):
    """A fully connected discriminator returning logits of shape ``(N,)``.

    Inputs of shape ``(N, ...)`` are flattened, so it also takes small images.

    Args:
        in_dim: Number of features per sample after flattening.
        width: Units per hidden layer.
        depth: Number of hidden layers.
        activation: A factory for the hidden nonlinearity (default LeakyReLU(0.2)).
        dropout: Dropout probability after each hidden layer (0 disables it).
    """

    def __init__(
        self,
        in_dim: int,
        width: int = 128,
        depth: int = 2,
        activation: ModuleFactory = leaky_relu,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
        self.in_dim = positive_int("in_dim", in_dim)
        self.net = _mlp(
            in_dim, 1, positive_int("width", width), positive_int("depth", depth), activation, dropout
        )

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The last hidden layer's activations ``(N, width)``: what the output layer reads."""
        x = x.flatten(1)  # (N, in_dim)
        if x.shape[1] != self.in_dim:
            raise ValueError(f"expected {self.in_dim} features per sample, got {x.shape[1]}")
        return self.net[:-1](x)  # (N, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net[-1](self.features(x)).squeeze(1)  # (N,)


def _pyramid(image_size: int) -> tuple[int, int]:
    """Split ``image_size`` into ``base * 2**levels`` with a small base (3 to 7)."""
    positive_int("image_size", image_size)
    base, levels = image_size, 0
    while base % 2 == 0 and base > 7:
        base //= 2
        levels += 1
    if not 3 <= base <= 7 or levels < 1:
        raise ValueError(
            f"image_size must be a small base (3..7) times a power of two, e.g. 28 or 32; got {image_size}"
        )
    return base, levels


def transposed_conv(c_in: int, c_out: int, bias: bool) -> nn.Module:
    """Double H and W by a stride-2 transposed convolution, kernel 4 (DCGAN's "fractional-strided")."""
    return nn.ConvTranspose2d(c_in, c_out, 4, 2, 1, bias=bias)


def upsample_conv(c_in: int, c_out: int, bias: bool) -> nn.Module:
    """Double H and W by nearest-neighbour upsampling, then a 3x3 convolution (no learned upsampling)."""
    return nn.Sequential(
        nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(c_in, c_out, 3, 1, 1, bias=bias)
    )


def strided_conv(c_in: int, c_out: int, bias: bool) -> nn.Module:
    """Halve H and W by a stride-2 convolution, kernel 4 (DCGAN: the network learns its downsampling)."""
    return nn.Conv2d(c_in, c_out, 4, 2, 1, bias=bias)


def conv_pool(c_in: int, c_out: int, bias: bool) -> nn.Module:
    """Halve H and W by a 3x3 convolution, then 2x2 max pooling (what DCGAN replaced)."""
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, 1, 1, bias=bias), nn.MaxPool2d(2))


class DCGANGenerator(nn.Module):
    """A DCGAN generator (Radford et al. 2016) for square images of any size ``base * 2**k``.

    ``z`` is projected to a ``base x base`` map and doubled ``k`` times by stride-2 transposed
    convolutions with batch norm and ReLU; the output is ``tanh``, in ``[-1, 1]``.
    28 = 7 * 2**2 (MNIST), 32 = 4 * 2**3 (CIFAR-sized, Stacked MNIST). Each of DCGAN's
    guidelines is a parameter, so a chapter can ablate it.

    With ``num_classes`` the generator is class-conditional, ``G(z, y)``: a learned
    ``embed_dim``-vector per class is concatenated to ``z`` (Mirza & Osindero 2014).

    Args:
        latent_dim: Size of ``z``.
        channels: Output image channels (1 for MNIST, 3 for Stacked MNIST).
        image_size: Output height and width.
        width: Channels of the last hidden map; earlier maps have 2x, 4x, ... as many.
        norm: Normalization after every hidden layer (``batch_norm``), or ``None``. Layers that
            are normalized have no bias (batch norm's shift replaces it).
        activation: Hidden nonlinearity (``nn.ReLU``; e.g. ``leaky_relu`` to ablate it).
        upsample: ``(c_in, c_out, bias) -> module`` doubling H and W (``transposed_conv`` or
            ``upsample_conv``).
        output: Output nonlinearity (``nn.Tanh``; ``nn.Identity`` leaves the output unbounded).
        num_classes: Classes of a conditional generator, or ``None``.
        embed_dim: Size of the class embedding (default: ``num_classes``).
    """

    def __init__(
        self,
        latent_dim: int,
        channels: int = 1,
        image_size: int = 28,
        width: int = 64,
        norm: NormFactory | None = batch_norm,
        activation: ModuleFactory = nn.ReLU,
        upsample: ResizeFactory = transposed_conv,
        output: ModuleFactory = nn.Tanh,
        num_classes: int | None = None,
        embed_dim: int | None = None,
    ) -> None:
        super().__init__()
        self.latent_dim = positive_int("latent_dim", latent_dim)
        self.channels = positive_int("channels", channels)
        self.image_size = image_size
        base, levels = _pyramid(image_size)
        width = positive_int("width", width)
        if norm is not None and not callable(norm):
            raise TypeError(f"norm must be a callable channels -> nn.Module or None, got {norm!r}")
        _check_factories(activation=activation, upsample=upsample, output=output)
        self.num_classes = None if num_classes is None else positive_int("num_classes", num_classes)
        labels = 0 if num_classes is None else positive_int("embed_dim", embed_dim or num_classes)

        def hidden(c: int) -> list[nn.Module]:
            return [norm(c), activation()] if norm is not None else [activation()]

        c = width * 2 ** (levels - 1)
        self.base, self.start_channels = base, c
        self.project = nn.Sequential(
            nn.Linear(latent_dim + labels, c * base * base, bias=norm is None),
            nn.Unflatten(1, (c, base, base)),
            *hidden(c),
        )
        blocks: list[nn.Module] = []
        for _ in range(levels - 1):
            blocks += [upsample(c, c // 2, norm is None), *hidden(c // 2)]
            c //= 2
        blocks += [upsample(c, channels, True), output()]
        self.net = nn.Sequential(*blocks)
        self.embed = None if num_classes is None else nn.Embedding(num_classes, labels)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"z must have shape (N, {self.latent_dim}), got {tuple(z.shape)}")
        if self.embed is not None:
            z = torch.cat([z, self.embed(check_labels(y, len(z), self.num_classes))], dim=1)
        elif y is not None:
            raise ValueError("y is only for a conditional generator (built with num_classes)")
        return self.net(self.project(z))  # (N, C, H, W)


class DCGANDiscriminator(nn.Module):
    """A DCGAN discriminator: stride-2 convolutions with LeakyReLU(0.2), then a linear logit.

    With ``num_classes`` it is class-conditional, ``D(x, y)``, and ``conditioning`` says how
    it reads the label (:class:`~gancore.conditioning.ProjectLabels` or
    :class:`~gancore.conditioning.ConcatLabels`).

    Args:
        channels: Input image channels.
        image_size: Input height and width (``base * 2**k``, as for the generator).
        width: Channels of the first convolution; each later one doubles them.
        norm: A factory ``channels -> nn.Module`` applied after every convolution but the
            first (``batch_norm``, ``layer_norm``), or ``None`` for no normalization.
        activation: Hidden nonlinearity (``leaky_relu``; ``nn.ReLU`` to ablate it).
        downsample: ``(c_in, c_out, bias) -> module`` halving H and W (``strided_conv`` or
            ``conv_pool``).
        num_classes: Classes of a conditional discriminator, or ``None``.
        conditioning: ``(num_classes, features) -> LabelConditioning``, used with ``num_classes``.
    """

    def __init__(
        self,
        channels: int = 1,
        image_size: int = 28,
        width: int = 64,
        norm: NormFactory | None = None,
        activation: ModuleFactory = leaky_relu,
        downsample: ResizeFactory = strided_conv,
        num_classes: int | None = None,
        conditioning: Callable[[int, int], LabelConditioning] = ProjectLabels,
    ) -> None:
        super().__init__()
        self.channels = positive_int("channels", channels)
        self.image_size = image_size
        base, levels = _pyramid(image_size)
        width = positive_int("width", width)
        if norm is not None and not callable(norm):
            raise TypeError(f"norm must be a callable channels -> nn.Module or None, got {norm!r}")
        _check_factories(activation=activation, downsample=downsample, conditioning=conditioning)
        features = width * 2 ** (levels - 1) * base * base
        self.num_classes = None if num_classes is None else positive_int("num_classes", num_classes)
        self.condition = None if num_classes is None else conditioning(num_classes, features)
        extra = 0 if self.condition is None else self.condition.extra_channels
        layers: list[nn.Module] = []
        c_in, c_out = channels + extra, width
        for level in range(levels):
            layers.append(downsample(c_in, c_out, norm is None or level == 0))
            if norm is not None and level > 0:
                layers.append(norm(c_out))
            layers.append(activation())
            c_in, c_out = c_out, c_out * 2
        layers += [nn.Flatten(), nn.Linear(c_in * base * base, 1)]
        self.net = nn.Sequential(*layers)

    def _labels(self, x: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor | None:
        if self.num_classes is None:
            if y is not None:
                raise ValueError("y is only for a conditional discriminator (built with num_classes)")
            return None
        return check_labels(y, len(x), self.num_classes)

    def features(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """The last feature map, flattened ``(N, features)``: what the output layer reads."""
        if x.ndim != 4 or x.shape[1] != self.channels or x.shape[-1] != self.image_size:
            raise ValueError(
                f"x must have shape (N, {self.channels}, {self.image_size}, {self.image_size}), "
                f"got {tuple(x.shape)}"
            )
        y = self._labels(x, y)
        if self.condition is not None:
            x = self.condition.inputs(x, y)  # (N, C + extra, H, W)
        return self.net[:-1](x)  # (N, features)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = self.features(x, y)  # (N, features)
        logits = self.net[-1](h).squeeze(1)  # (N,)
        return logits if self.condition is None else self.condition.logits(logits, h, y)


def _check_factories(**factories: object) -> None:
    for name, factory in factories.items():
        if not callable(factory):
            raise TypeError(f"{name} must be a callable (a class or a factory function), got {factory!r}")


def count_parameters(module: nn.Module) -> int:
    """Number of trainable parameters of ``module``."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
