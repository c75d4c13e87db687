"""`Trainer`: D and G updates with technique hooks; the only place that calls `.backward()` and `.step()`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from functools import partial
from os import PathLike
from typing import Any

import torch
from torch import nn
from tqdm.auto import tqdm

from .checkpoint import atomic_save, load_checkpoint
from .config import TrainConfig
from .data import Data, batches
from .divergence import FiniteWatch
from .gan import GAN
from .history import History
from .losses import GANLoss
from .step import Batch, Step
from .techniques.base import Technique
from .utils import frozen, get_device

__all__ = ["Trainer", "History", "Data"]  # History and Data live elsewhere; re-exported here


class Trainer:
    """Trains a :class:`~gancore.GAN` with a loss pair and any set of techniques.

    Each of ``config.steps`` generator steps is preceded by ``config.n_critic``
    discriminator steps (``config.simultaneous``: one D and one G gradient at the same point,
    then both steps). Both networks use ``config.optimizer`` (Adam with ``betas_g`` /
    ``betas_d`` by default) with their own learning rate. When ``fit`` starts from step 0 it
    seeds torch's global generator with ``config.seed``, so on CPU a run is a deterministic
    function of the models' initial weights and the seed.

    The trainer never replaces the caller's modules: techniques that wrap G or D (gradient
    normalization, latent noise) do so in ``trainer.gan``, a :class:`~gancore.GAN` of the
    wrapped modules that shares every parameter with ``gan``. Train and sample through
    ``trainer.gan``; ``gan`` holds the same (trained) weights without the wrappers.

    Args:
        gan: The generator and discriminator; moved to the config's device here.
        loss: A :class:`~gancore.losses.GANLoss` such as ``gc.losses.nonsaturating``.
        config: The run's hyper-parameters.
        techniques: Stabilization techniques (:class:`~gancore.techniques.Technique`).

    Attributes:
        gan: The GAN being trained (the caller's, or one with the techniques' wrappers).
        step: Generator steps done so far.
        history: Per-step curves (:class:`History`).
        snapshots: ``(step, G(fixed z))`` pairs, every ``config.sample_every`` steps and at
            step 0, on the CPU (from the sampling generator, e.g. an EMA copy).
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
        if any(p.is_meta for p in gan.parameters()):
            raise ValueError("gan has parameters on the meta device (no data); build G and D on 'cpu'")
        for t in techniques:
            t.check(gan, loss)
        self.loss, self.config, self.techniques = loss, config, techniques
        self.device = get_device(config.device)
        gan.to(self.device)
        G, D = gan.G, gan.D
        for t in techniques:
            G, D = t.wrap_g(G), t.wrap_d(D)
        samplers = [s for s in (t.sampler(G) for t in techniques) if s is not None]
        self.gan = gan if (G is gan.G and D is gan.D and not samplers) else gan.with_modules(G, D)
        if samplers:
            self.gan.sampler = samplers[-1]
        self.gan.to(self.device)
        self.opt_g = config.make_optimizer(self.gan.G.parameters(), config.lr_g, config.betas_g)
        self.opt_d = config.make_optimizer(self.gan.D.parameters(), config.lr_d, config.betas_d)
        self.step = 0
        self.history = History()
        self.snapshots: list[tuple[int, torch.Tensor]] = []
        z_gen = torch.Generator().manual_seed(config.seed)
        self.fixed_z = torch.randn(config.sample_size, gan.latent_dim, generator=z_gen).to(self.device)
        self._next_real: Callable[[], Batch] | None = None

    # ----------------------------------------------------------------------------- data
    def real_batch(self) -> Batch:
        """One :class:`~gancore.step.Batch` of real data during ``fit`` (for look-ahead techniques)."""
        if self._next_real is None:
            raise RuntimeError("real_batch() is only available while fit() runs")
        return self._next_real()

    # ----------------------------------------------------------------------------- losses
    def _d_input(self, x: torch.Tensor, step: Step) -> torch.Tensor:
        for t in self.techniques:
            x = t.d_input(x, step)
        return x

    def _logits(self, D: nn.Module, x: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        logits = D(x, y) if self.gan.conditional else D(x)  # (N,)
        if logits.ndim != 1:
            raise ValueError(f"D must return logits of shape (N,), got {tuple(logits.shape)}; squeeze it")
        return logits

    def d_loss(
        self, D: nn.Module, x_real: torch.Tensor, x_fake: torch.Tensor, step: Step | None = None
    ) -> torch.Tensor:
        """D's full loss on inputs it sees as they are: the loss pair, ``d_loss`` hooks, penalties.

        Public so that look-ahead techniques (unrolled GANs) train copies of D exactly as the
        D update does. Fills ``step`` (a fresh one if ``None``) with D's logits and loss.

        Args:
            D: The discriminator (``trainer.gan.D`` or a copy of it).
            x_real: Real inputs, after ``d_input``.
            x_fake: Generated inputs, after ``d_input`` (detached from G for a D update).
            step: The step being filled in.
        """
        step = Step(self.step, self.loss) if step is None else step
        step.x_real, step.x_fake = x_real, x_fake
        step.d_real, step.d_fake = self._logits(D, x_real, step.y_real), self._logits(D, x_fake, step.y_fake)
        loss_d = self.loss.d(step.d_real, step.d_fake)
        for t in self.techniques:
            step.loss_d = loss_d
            loss_d = t.d_loss(loss_d, step)
        for t in self.techniques:
            step.loss_d = loss_d
            penalty = t.d_penalty(D, step)
            if penalty is not None:
                loss_d = loss_d + penalty
        step.loss_d = loss_d
        return loss_d

    def g_loss(self, D: nn.Module, x_fake: torch.Tensor, step: Step | None = None) -> torch.Tensor:
        """G's full loss on generated inputs (after ``d_input``): the loss pair, then ``g_loss`` hooks."""
        step = Step(self.step, self.loss) if step is None else step
        step.x_fake = x_fake
        step.d_fake = self._logits(D, x_fake, step.y_fake)  # (N,)
        loss_g = self.loss.g(step.d_fake)
        for t in self.techniques:
            step.loss_g = loss_g
            loss_g = t.g_loss(loss_g, step)
        step.loss_g = loss_g
        return loss_g

    # ----------------------------------------------------------------------------- steps
    def _step_context(self) -> Step:
        step = Step(self.step, self.loss, next_real=self.real_batch, d_loss=self.d_loss)
        step.d_input = partial(self._d_input, step=step)
        step.generate = self.gan.generate
        return step

    def _d_backward(self) -> Step:
        """D's loss at the current point, back-propagated into D's gradients (no optimizer step)."""
        step = self._step_context()
        real = self.real_batch()
        step.y_real = real.y
        x_real = self._d_input(real.x, step)
        with torch.no_grad():
            x_fake, step.y_fake = self.gan.generate(self.config.batch_size)
        loss_d = self.d_loss(self.gan.D, x_real, self._d_input(x_fake, step), step)
        self.opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        return step

    def _g_backward(self) -> Step:
        """G's loss at the current point, back-propagated into G's gradients (no optimizer step)."""
        step = self._step_context()
        D_g = self.gan.D
        for t in self.techniques:
            D_g = t.g_discriminator(D_g, step)
        x_fake, step.y_fake = self.gan.generate(self.config.batch_size)
        with frozen(self.gan.D):  # G's update needs no gradient for D's weights: skip computing it
            loss_g = self.g_loss(D_g, self._d_input(x_fake, step), step)
            self.opt_g.zero_grad(set_to_none=True)
            if loss_g.requires_grad:  # False only for a G with nothing to train (a fixed G)
                loss_g.backward()
        return step

    def _d_update(self, step: Step) -> torch.Tensor:
        D = self.gan.D
        grad_norm = _grad_norm(D)
        for t in self.techniques:
            t.after_d_backward(D, step)
        self.opt_d.step()
        for t in self.techniques:
            t.after_d_step(D, step)
        return grad_norm

    def _g_update(self, step: Step) -> torch.Tensor:
        G = self.gan.G
        grad_norm = _grad_norm(G)
        for t in self.techniques:
            t.after_g_backward(G, step)
        self.opt_g.step()
        for t in self.techniques:
            t.after_g_step(G, step)
        return grad_norm

    def _one_step(self) -> None:
        """One generator step and its critic steps, then a row of History."""
        if self.config.simultaneous:  # both gradients at the same point, then both steps
            d_step = self._d_backward()
            g_step = self._g_backward()
            grad_norm_d, grad_norm_g = self._d_update(d_step), self._g_update(g_step)
        else:
            for _ in range(self.config.n_critic):
                d_step = self._d_backward()
                grad_norm_d = self._d_update(d_step)
            g_step = self._g_backward()
            grad_norm_g = self._g_update(g_step)
        logged: dict[str, torch.Tensor | float] = {}
        for t in self.techniques:
            logged.update(t.log(g_step) or {})
        d_real, d_fake = d_step.d_real.detach(), d_step.d_fake.detach()
        row = [d_step.loss_d.detach(), g_step.loss_g.detach(), d_real.mean(), d_fake.mean()]
        row += [torch.sigmoid(d_real).mean(), torch.sigmoid(d_fake).mean(), grad_norm_d, grad_norm_g]
        self.history.append(torch.stack(row), logged)

    def _snapshot(self) -> None:
        self.snapshots.append((self.step, self.gan.sample(z=self.fixed_z).cpu()))

    def fit(self, data: Data, stop_at: int | None = None) -> History:
        """Train until ``config.steps`` generator steps (or ``stop_at``) are done.

        Args:
            data: Anything :func:`gancore.data.batches` takes: a
                :class:`~gancore.data.GaussianMixture` (labels: the mode of each sample), a tensor
                ``(N, ...)``, a ``TensorDataset`` of ``(x,)`` or ``(x, y)``, a ``Dataset`` or a
                ``DataLoader``. Tensors and datasets are sampled uniformly with replacement
                from torch's generator, so runs resume exactly; a ``DataLoader`` is cycled
                (its order is not part of a saved state).
            stop_at: Stop after this many steps in total (to pause and ``save``); at most
                ``config.steps``.

        Returns:
            The trainer's :class:`History` (all steps so far).

        Raises:
            gancore.NonFiniteError: When a loss, a logged value or a parameter stops being finite; it
                names the step and the last finite values, and ``trainer.history`` (also
                ``error.history``) keeps the finite steps.
        """
        stop = self.config.steps if stop_at is None else stop_at
        if isinstance(stop, bool) or not isinstance(stop, int) or not 0 <= stop <= self.config.steps:
            raise ValueError(f"stop_at must be an int in [0, {self.config.steps}], got {stop_at!r}")
        if self.step == 0:
            torch.manual_seed(self.config.seed)
        self._next_real = batches(data, self.config.batch_size, self.device)
        every = self.config.sample_every
        if every is not None and not self.snapshots:
            self._snapshot()
        self.gan.train()
        watch = FiniteWatch(self, stop)
        try:
            with tqdm(
                total=self.config.steps,
                initial=self.step,
                disable=not self.config.progress,
                desc="training",
                leave=False,
            ) as bar:
                while self.step < stop:
                    self._one_step()
                    self.step += 1
                    if every is not None and self.step % every == 0:
                        self._snapshot()
                    watch.after_step()
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
        """Write :meth:`state_dict` to ``path`` atomically (temp file, fsync, rename): a crash
        mid-save leaves the previous file at ``path`` intact."""
        atomic_save(self.state_dict(), path)

    def load(self, path: str | PathLike[str]) -> None:
        """Read a file written by :meth:`save` (``weights_only=True``: no code is unpickled).

        Raises:
            FileNotFoundError: If there is no such file.
            ValueError: If the file is truncated, corrupt or not a Trainer checkpoint.
        """
        self.load_state_dict(load_checkpoint(path, required=_STATE_KEYS))


_STATE_KEYS = ("step", "gan", "opt_g", "opt_d", "techniques", "history", "snapshots", "rng_cpu")


def _grad_norm(module: nn.Module) -> torch.Tensor:
    grads = [p.grad for p in module.parameters() if p.grad is not None]
    if not grads:
        return torch.zeros((), device=next(module.parameters()).device)
    return torch.nn.utils.get_total_norm(grads)
