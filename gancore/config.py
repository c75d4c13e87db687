"""`TrainConfig`: every number that defines a training run, in one frozen dataclass."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch

from .checks import positive_int, positive_number

__all__ = ["TrainConfig", "OptimizerFactory"]

OptimizerFactory = Callable[..., torch.optim.Optimizer]


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of one training run.

    Attributes:
        steps: Generator updates in total (each preceded by ``n_critic`` D updates).
        batch_size: Real and fake samples per update.
        lr_g: Adam learning rate of G.
        lr_d: Adam learning rate of D.
        betas_g: Adam betas of G. ``beta1 = 0.5`` (Radford et al. 2016) damps the
            momentum that makes the two-player game overshoot; 0.9 oscillates more.
        betas_d: Adam betas of D, same reasoning.
        n_critic: D updates per G update (5 for WGAN, 1 for the others).
        seed: Seeds torch's global generator when ``fit`` starts from step 0, so a run
            (data, latents, noise, dropout) is reproducible on CPU.
        device: ``"auto"`` picks CUDA when present, else CPU; or any torch device string.
        sample_every: Store G(fixed z) every this many steps in ``Trainer.snapshots``;
            ``None`` stores none (keeps benchmarks lean).
        sample_size: How many fixed latents the snapshots use. 2,500 is the size of
            the mode-coverage protocol (VEEGAN, PacGAN), so snapshots can be scored.
        progress: Show a tqdm progress bar during ``fit``.
        optimizer: ``None`` for Adam with ``betas_g`` / ``betas_d`` (the book's default), or a
            factory ``(params, lr=...) -> torch.optim.Optimizer`` for both networks, e.g.
            ``torch.optim.SGD``, ``functools.partial(torch.optim.RMSprop, alpha=0.9)``.
        simultaneous: Compute D's and G's gradients at the same point and then step both
            (the *simultaneous* scheme of the game-dynamics chapters; needs ``n_critic == 1``),
            instead of alternating (D's ``n_critic`` steps, then G's step against the new D).
    """

    steps: int = 2000
    batch_size: int = 256
    lr_g: float = 1e-3
    lr_d: float = 1e-3
    betas_g: tuple[float, float] = (0.5, 0.999)
    betas_d: tuple[float, float] = (0.5, 0.999)
    n_critic: int = 1
    seed: int = 0
    device: str = "auto"
    sample_every: int | None = 100
    sample_size: int = 2500
    progress: bool = True
    optimizer: OptimizerFactory | None = None
    simultaneous: bool = False

    def __post_init__(self) -> None:
        for name in ("steps", "batch_size", "n_critic", "sample_size"):
            value = getattr(self, name)
            positive_int(f"TrainConfig.{name}", value)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"TrainConfig.seed must be a non-negative int, got {self.seed!r}")
        for name in ("lr_g", "lr_d"):
            positive_number(f"TrainConfig.{name}", getattr(self, name))
        if not isinstance(self.device, (str, torch.device)):
            raise TypeError(f"TrainConfig.device must be 'auto' or a device string, got {self.device!r}")
        if self.device != "auto":
            try:
                torch.device(self.device)
            except RuntimeError as error:
                raise ValueError(f"TrainConfig.device={self.device!r} is not a device: {error}") from error
        if not isinstance(self.progress, bool):
            raise TypeError(f"TrainConfig.progress must be a bool, got {self.progress!r}")
        for name in ("betas_g", "betas_d"):
            value = tuple(getattr(self, name))
            if len(value) != 2 or not all(0.0 <= b < 1.0 for b in value):
                raise ValueError(f"TrainConfig.{name} must be two numbers in [0, 1), got {value!r}")
        if self.optimizer is not None and not callable(self.optimizer):
            raise TypeError(f"TrainConfig.optimizer must be None or a callable, got {self.optimizer!r}")
        if not isinstance(self.simultaneous, bool):
            raise TypeError(f"TrainConfig.simultaneous must be a bool, got {self.simultaneous!r}")
        if self.simultaneous and self.n_critic != 1:
            raise ValueError(f"simultaneous updates take one D step per G step, got n_critic={self.n_critic}")
        if self.sample_every is not None and (
            isinstance(self.sample_every, bool)
            or not isinstance(self.sample_every, int)
            or self.sample_every < 1
        ):
            raise ValueError(
                f"TrainConfig.sample_every must be a positive int or None, got {self.sample_every!r}"
            )

    def make_optimizer(
        self, params: Iterable[torch.nn.Parameter], lr: float, betas: tuple[float, float]
    ) -> torch.optim.Optimizer:
        """The optimizer of one network: ``optimizer(params, lr=lr)``, or Adam with ``betas``."""
        if self.optimizer is None:
            return torch.optim.Adam(params, lr=lr, betas=betas)
        return self.optimizer(params, lr=lr)
