"""`Trainer`: alternating D and G updates; the only place that calls `.backward()` and `.step()`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict
from os import PathLike
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset
from tqdm.auto import tqdm

from .config import TrainConfig
from .data import GaussianMixture
from .gan import GAN
from .history import History
from .losses import GANLoss
from .techniques.base import Technique
from .utils import frozen, get_device

__all__ = ["Trainer", "History"]  # History lives in history.py; re-exported here

Data = GaussianMixture | torch.Tensor | Dataset | DataLoader


class Trainer:
    """Trains a :class:`~gancore.GAN` with a loss pair and any set of techniques.

    Each of ``config.steps`` generator steps is preceded by ``config.n_critic``
    discriminator steps; both use Adam with their own learning rate and betas. When
    ``fit`` starts from step 0 it seeds torch's global generator with ``config.seed``, so
    on CPU a run is a deterministic function of the models' initial weights and the seed.

    Args:
        gan: The generator and discriminator; moved to the config's device here.
        loss: A :class:`~gancore.losses.GANLoss` such as ``gc.losses.nonsaturating``.
        config: The run's hyper-parameters.
        techniques: Stabilization techniques (:class:`~gancore.techniques.Technique`).

    Attributes:
        step: Generator steps done so far.
        history: Per-step curves (:class:`History`).
        snapshots: ``(step, G(fixed z))`` pairs, every ``config.sample_every`` steps and at
            step 0, on the CPU.
        device: Where the networks and batches live.
    """

    def __init__(
        self, gan: GAN, loss: GANLoss, config: TrainConfig | None = None, techniques: Sequence[Technique] = ()
    ) -> None:
        if not isinstance(gan, GAN):
            raise TypeError(f"gan must be a gancore.GAN, got {type(gan).__name__}")
        if not isinstance(loss, GANLoss):
            raise TypeError(
                f"loss must be a gancore.losses.GANLoss such as gc.losses.nonsaturating, "
                f"got {type(loss).__name__}"
            )
        config = TrainConfig() if config is None else config
        if not isinstance(config, TrainConfig):
            raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
        techniques = list(techniques)
        for t in techniques:
            if not isinstance(t, Technique):
                raise TypeError(f"techniques must be Technique instances, got {type(t).__name__}")
        self.gan, self.loss, self.config, self.techniques = gan, loss, config, techniques
        self.device = get_device(config.device)
        self.gan.to(self.device)
        for t in self.techniques:
            t.setup(self)  # may wrap gan.G / gan.D, so optimizers come after
        self.gan.to(self.device)
        self.opt_g = torch.optim.Adam(gan.G.parameters(), lr=config.lr_g, betas=config.betas_g)
        self.opt_d = torch.optim.Adam(gan.D.parameters(), lr=config.lr_d, betas=config.betas_d)
        self.step = 0
        self.history = History()
        self.snapshots: list[tuple[int, torch.Tensor]] = []
        z_gen = torch.Generator().manual_seed(config.seed)
        self.fixed_z = torch.randn(config.sample_size, gan.latent_dim, generator=z_gen).to(self.device)
        self._next_real: Callable[[], torch.Tensor] | None = None

    # ----------------------------------------------------------------------------- data
    def _batches(self, data: Data) -> Callable[[], torch.Tensor]:
        """A function returning one real batch ``(batch_size, ...)`` on the device."""
        n, device = self.config.batch_size, self.device
        if isinstance(data, GaussianMixture):
            return lambda: data.sample(n).to(device)
        if isinstance(data, Dataset) and isinstance(getattr(data, "tensors", None), tuple):
            data = data.tensors[0]  # a TensorDataset (or subclass): index its tensor directly
        if isinstance(data, torch.Tensor):
            if data.ndim < 2 or len(data) == 0:
                raise ValueError(f"a data tensor must have shape (N, ...), got {tuple(data.shape)}")
            x = data.to(device)
            return lambda: x[torch.randint(len(x), (n,), device=device)]
        if isinstance(data, DataLoader):
            return _cycle(data, device)
        if isinstance(data, Dataset):

            def from_dataset() -> torch.Tensor:
                idx = torch.randint(len(data), (n,)).tolist()
                return torch.stack([_first(data[i]) for i in idx]).to(device)

            return from_dataset
        raise TypeError(
            "data must be a GaussianMixture, a Tensor (N, ...), a Dataset or a DataLoader, "
            f"got {type(data).__name__}"
        )

    def real_batch(self) -> torch.Tensor:
        """One batch of real data during ``fit`` (for techniques such as unrolling)."""
        if self._next_real is None:
            raise RuntimeError("real_batch() is only available while fit() runs")
        return self._next_real()

    # ----------------------------------------------------------------------------- steps
    def _d_input(self, x: torch.Tensor) -> torch.Tensor:
        for t in self.techniques:
            x = t.d_input(x, self.step)
        return x

    def _d_step(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        G, D = self.gan.G, self.gan.D
        x_real = self._d_input(self.real_batch())
        with torch.no_grad():
            x_fake = G(self.gan.sample_latent(self.config.batch_size))
        x_fake = self._d_input(x_fake)
        d_real, d_fake = D(x_real), D(x_fake)  # (N,), (N,)
        loss_d = self.loss.d(d_real, d_fake)
        for t in self.techniques:
            loss_d = t.d_loss(loss_d, d_real, d_fake, self.loss)
        for t in self.techniques:
            penalty = t.d_penalty(D, x_real, x_fake)
            if penalty is not None:
                loss_d = loss_d + penalty
        self.opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        grad_norm = _grad_norm(D)
        for t in self.techniques:
            t.after_d_backward(D)
        self.opt_d.step()
        for t in self.techniques:
            t.after_d_step(D)
        return loss_d.detach(), d_real.detach(), d_fake.detach(), grad_norm

    def _g_step(self) -> tuple[torch.Tensor, torch.Tensor]:
        G = self.gan.G
        D_g = self.gan.D
        for t in self.techniques:
            D_g = t.g_discriminator(self, D_g)
        x_fake = self._d_input(G(self.gan.sample_latent(self.config.batch_size)))
        with frozen(self.gan.D):  # G's update needs no gradient for D's weights: skip computing it
            loss_g = self.loss.g(D_g(x_fake))
            self.opt_g.zero_grad(set_to_none=True)
            if loss_g.requires_grad:  # False only for a G with nothing to train (a fixed G)
                loss_g.backward()
        grad_norm = _grad_norm(G)
        for t in self.techniques:
            t.after_g_backward(G)
        self.opt_g.step()
        for t in self.techniques:
            t.after_g_step(G)
        return loss_g.detach(), grad_norm

    def _snapshot(self) -> None:
        self.snapshots.append((self.step, self.gan.sample(z=self.fixed_z).cpu()))

    def fit(self, data: Data, stop_at: int | None = None) -> History:
        """Train until ``config.steps`` generator steps (or ``stop_at``) are done.

        Args:
            data: A :class:`~gancore.data.GaussianMixture`, a tensor ``(N, ...)`` of real
                samples, a ``Dataset`` (its first item element is the sample) or a
                ``DataLoader``. Tensors and datasets are sampled uniformly with replacement
                from torch's generator, so runs resume exactly; a ``DataLoader`` is cycled
                (its order is not part of a saved state).
            stop_at: Stop after this many steps in total (to pause and ``save``); at most
                ``config.steps``.

        Returns:
            The trainer's :class:`History` (all steps so far).
        """
        stop = self.config.steps if stop_at is None else stop_at
        if isinstance(stop, bool) or not isinstance(stop, int) or not 0 <= stop <= self.config.steps:
            raise ValueError(f"stop_at must be an int in [0, {self.config.steps}], got {stop_at!r}")
        if self.step == 0:
            torch.manual_seed(self.config.seed)
        self._next_real = self._batches(data)
        every = self.config.sample_every
        if every is not None and not self.snapshots:
            self._snapshot()
        self.gan.train()
        as_prob = torch.sigmoid if self.loss.probabilistic else (lambda t: t)
        try:
            with tqdm(
                total=self.config.steps,
                initial=self.step,
                disable=not self.config.progress,
                desc="training",
                leave=False,
            ) as bar:
                while self.step < stop:
                    for _ in range(self.config.n_critic):
                        loss_d, d_real, d_fake, grad_norm_d = self._d_step()
                    loss_g, grad_norm_g = self._g_step()
                    self.history.append(
                        torch.stack(
                            [
                                loss_d,
                                loss_g,
                                as_prob(d_real).mean(),
                                as_prob(d_fake).mean(),
                                grad_norm_d,
                                grad_norm_g,
                            ]
                        )
                    )
                    self.step += 1
                    if every is not None and self.step % every == 0:
                        self._snapshot()
                    bar.update(1)
        finally:
            self._next_real = None
        return self.history

    # ----------------------------------------------------------------------------- state
    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue training exactly: weights, optimizers, techniques,
        history, snapshots and torch's random generator states."""
        return {
            "step": self.step,
            "config": asdict(self.config),
            "gan": self.gan.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "techniques": [t.state_dict() for t in self.techniques],
            "history": self.history.state_dict(),
            "snapshots": [(s, x) for s, x in self.snapshots],
            "rng_cpu": torch.get_rng_state(),
            "rng_cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a state from :meth:`state_dict` into a trainer built the same way."""
        if len(state["techniques"]) != len(self.techniques):
            raise ValueError(
                f"the saved trainer had {len(state['techniques'])} techniques, this one has "
                f"{len(self.techniques)}; build the trainer the same way before loading"
            )
        self.gan.load_state_dict(state["gan"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        for t, s in zip(self.techniques, state["techniques"], strict=True):
            t.load_state_dict(s)
        self.history.load_state_dict(state["history"])
        self.snapshots = [(int(s), x) for s, x in state["snapshots"]]
        self.step = int(state["step"])
        torch.set_rng_state(state["rng_cpu"])
        if state["rng_cuda"] and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["rng_cuda"])

    def save(self, path: str | PathLike[str]) -> None:
        """Write :meth:`state_dict` to ``path`` with ``torch.save``."""
        torch.save(self.state_dict(), path)

    def load(self, path: str | PathLike[str]) -> None:
        """Read a file written by :meth:`save` (``weights_only=True``: no code is unpickled)."""
        self.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))


def _grad_norm(module: nn.Module) -> torch.Tensor:
    grads = [p.grad for p in module.parameters() if p.grad is not None]
    if not grads:
        return torch.zeros((), device=next(module.parameters()).device)
    return torch.nn.utils.get_total_norm(grads)


def _first(item: Any) -> torch.Tensor:
    """The sample of a dataset item: the item itself, or its first element."""
    return item[0] if isinstance(item, (tuple, list)) else item


def _cycle(loader: Iterable[Any], device: torch.device) -> Callable[[], torch.Tensor]:
    iterator: Iterator[Any] = iter(loader)

    def next_batch() -> torch.Tensor:
        nonlocal iterator
        try:
            item = next(iterator)
        except StopIteration:
            iterator = iter(loader)
            item = next(iterator)
        return _first(item).to(device)

    return next_batch
