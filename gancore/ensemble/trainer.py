"""`EnsembleTrainer`: E independent runs of one setting at once; member ``e`` is the run of seed ``e``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import torch
from torch import nn

from ..config import TrainConfig
from ..data import GaussianMixture
from ..gan import GAN
from ..history import History
from ..losses import GANLoss
from ..step import Batch, Step
from ..techniques.base import Technique
from ..techniques.gradient_normalization import GradNormalizedD
from ..utils import frozen
from .stacking import MemberRNG, NotBatchableError, StackedMLP, parameter_owner

__all__ = ["EnsembleTrainer"]

_HOOKS = ("d_input", "d_loss", "d_penalty", "after_d_backward", "after_d_step", "g_loss", "after_g_backward",
          "after_g_step", "log")  # fmt: skip


def _overrides(technique: Technique, hook: str) -> bool:
    return getattr(type(technique), hook) is not getattr(Technique, hook)


class EnsembleTrainer:
    """Trains E independent runs of one setting at once; member ``e`` is the run of ``seeds[e]``.

    Member ``e`` follows the same arithmetic as ``Trainer(gans[e], loss, config with seed
    seeds[e], techniques[e]).fit(data)``: the same initial weights, the same random numbers in
    the same order (see :class:`MemberRNG`) and per-member techniques. Matrix products are
    batched (``baddbmm``), so results agree with the plain Trainer to rounding (about 1e-7 per
    step), and are bit-for-bit independent of E and of which other members are trained along.

    Supported: unconditional ``MLPGenerator`` / ``MLPDiscriminator`` players (dropout included),
    a ``GaussianMixture`` or a tensor as data, alternating updates with any optimizer, and
    techniques that act through the hooks ``check``, ``d_input``, ``d_loss``, ``d_penalty``,
    ``g_loss``, ``log`` and ``after_*`` (called per member, on that member's slices, parameters
    and :class:`~gancore.step.Step`), plus gradient normalization (``wrap_d``). Anything else
    raises :class:`NotBatchableError`: another wrapper of G or D, a sampling generator (EMA),
    ``g_discriminator`` (unrolling), simultaneous updates, labels, other players.

    Args:
        gans: One freshly built GAN per member (same architecture).
        loss: The loss pair.
        config: The shared config (its ``seed`` is ignored: ``seeds`` gives each member's).
        seeds: One seed per member.
        techniques: One list of fresh technique instances per member.
    """

    def __init__(
        self,
        gans: Sequence[GAN],
        loss: GANLoss,
        config: TrainConfig,
        seeds: Sequence[int],
        techniques: Sequence[Sequence[Technique]],
    ) -> None:
        if not len(gans) == len(seeds) == len(techniques) >= 1:
            raise ValueError("gans, seeds and techniques need one entry per member (at least one)")
        if config.device not in ("cpu", "auto") or config.sample_every is not None:
            raise NotBatchableError("batched runs are CPU-only and take no snapshots (sample_every=None)")
        if config.simultaneous or any(g.conditional for g in gans):
            raise NotBatchableError("batched runs alternate updates and take no labels")
        self.gans, self.loss, self.seeds = list(gans), loss, list(seeds)
        self.config = replace(config, device="cpu")
        self.techniques = [list(ts) for ts in techniques]
        normalized = []
        for gan, ts in zip(self.gans, self.techniques, strict=True):
            G, D = gan.G, gan.D
            for t in ts:
                t.check(gan, loss)
                if _overrides(t, "g_discriminator") or t.sampler(G) is not None:
                    raise NotBatchableError(
                        f"{type(t).__name__} needs the plain Trainer (look-ahead or sampler)"
                    )
                G, D = t.wrap_g(G), t.wrap_d(D)
            if G is not gan.G or not (D is gan.D or (isinstance(D, GradNormalizedD) and D.D is gan.D)):
                raise NotBatchableError("a technique wraps G or D in a way batched runs cannot")
            normalized.append(D is not gan.D)
        if len(set(normalized)) != 1:
            raise NotBatchableError("some members' D is gradient-normalized and some not")
        self._normalized = normalized[0]
        self.rng = MemberRNG(self.seeds)
        self.G = StackedMLP([g.G for g in self.gans], self.rng)
        self.D = StackedMLP([g.D for g in self.gans], self.rng)
        # The D that the losses see: the stack itself, or its gradient-normalized version.
        self.D_out = GradNormalizedD(self.D, batch_dims=2) if self._normalized else self.D
        self.latent_dim = self.gans[0].latent_dim
        self.opt_g = config.make_optimizer(self.G.stacked, config.lr_g, config.betas_g)
        self.opt_d = config.make_optimizer(self.D.stacked, config.lr_d, config.betas_d)
        self.step = 0
        self._rows: list[torch.Tensor] = []  # (E, 8) per step
        self._logged: list[list[dict[str, torch.Tensor | float]]] = []  # per step, per member
        self._active = {h: [any(_overrides(t, h) for t in ts) for ts in self.techniques] for h in _HOOKS}

    @property
    def members(self) -> int:
        """E, the number of runs trained together."""
        return len(self.seeds)

    # ------------------------------------------------------------------------------ steps
    def _d_input(self, x: torch.Tensor, steps: list[Step]) -> list[torch.Tensor]:
        """Per member: ``x[e]`` through its techniques' ``d_input`` (under its random state)."""

        def one(e: int) -> torch.Tensor:
            x_e = x[e]
            for t in self.techniques[e]:
                x_e = t.d_input(x_e, steps[e])
            return x_e

        return self.rng.each(one) if any(self._active["d_input"]) else list(x)

    def _each_loss(
        self, fn: Callable[[int], torch.Tensor], batched: Callable[[], torch.Tensor]
    ) -> torch.Tensor:
        """A loss per member ``(E,)``: batched when the loss reduces over the last axis."""
        loss = batched()
        if loss.shape == (self.members,):
            return loss
        return torch.stack([fn(e) for e in range(self.members)])

    def _d_step(self, sample: Callable[[], Batch]) -> tuple[torch.Tensor, ...]:
        n = self.config.batch_size
        steps = [Step(self.step, self.loss) for _ in range(self.members)]

        def real_and_latent(e: int) -> tuple[torch.Tensor, torch.Tensor]:
            real = sample()
            steps[e].y_real = real.y
            x_real = real.x
            for t in self.techniques[e]:
                x_real = t.d_input(x_real, steps[e])
            return x_real, torch.randn(n, self.latent_dim)

        x_real, z = map(torch.stack, zip(*self.rng.each(real_and_latent), strict=True))
        with torch.no_grad():
            x_fake = self.G(z)  # (E, N, ...)
        x_fake = torch.stack(self._d_input(x_fake, steps))
        d_real, d_fake = self.D_out(x_real), self.D_out(x_fake)  # (E, N) each
        loss_d = self._each_loss(
            lambda e: self.loss.d(d_real[e], d_fake[e]), lambda: self.loss.d(d_real, d_fake)
        )
        for e, step in enumerate(steps):
            step.x_real, step.x_fake, step.d_real, step.d_fake = x_real[e], x_fake[e], d_real[e], d_fake[e]
        if any(self._active["d_loss"]) or any(self._active["d_penalty"]):
            loss_d = torch.stack(self.rng.each(lambda e: self._d_extras(e, loss_d[e], steps[e])))
        for e, step in enumerate(steps):
            step.loss_d = loss_d[e]
        self.opt_d.zero_grad(set_to_none=True)
        loss_d.sum().backward()
        grad_norm = _member_grad_norms(self.D)
        self._param_hooks(self.D, "after_d_backward", steps)
        self.opt_d.step()
        self._param_hooks(self.D, "after_d_step", steps)
        return loss_d.detach(), d_real.detach(), d_fake.detach(), grad_norm

    def _d_extras(self, e: int, loss_e: torch.Tensor, step: Step) -> torch.Tensor:
        for t in self.techniques[e]:
            step.loss_d = loss_e
            loss_e = t.d_loss(loss_e, step)
        if self._active["d_penalty"][e]:
            D_e = self.D.member(e)
            D_e = GradNormalizedD(D_e) if self._normalized else D_e
            for t in self.techniques[e]:
                step.loss_d = loss_e
                penalty = t.d_penalty(D_e, step)
                if penalty is not None:
                    loss_e = loss_e + penalty
        return loss_e

    def _g_step(self) -> tuple[torch.Tensor, torch.Tensor, list[Step]]:
        n = self.config.batch_size
        steps = [Step(self.step, self.loss) for _ in range(self.members)]
        z = torch.stack(self.rng.each(lambda e: torch.randn(n, self.latent_dim)))
        x_fake = torch.stack(self._d_input(self.G(z), steps))
        with frozen(self.D):  # as in Trainer: no gradient for D's weights in G's update
            d_fake = self.D_out(x_fake)
            loss_g = self._each_loss(lambda e: self.loss.g(d_fake[e]), lambda: self.loss.g(d_fake))
            for e, step in enumerate(steps):
                step.x_fake, step.d_fake, step.loss_g = x_fake[e], d_fake[e], loss_g[e]
            if any(self._active["g_loss"]):
                loss_g = torch.stack([self._g_extras(e, loss_g[e], steps[e]) for e in range(self.members)])
            self.opt_g.zero_grad(set_to_none=True)
            loss_g.sum().backward()
        grad_norm = _member_grad_norms(self.G)
        self._param_hooks(self.G, "after_g_backward", steps)
        self.opt_g.step()
        self._param_hooks(self.G, "after_g_step", steps)
        return loss_g.detach(), grad_norm, steps

    def _g_extras(self, e: int, loss_e: torch.Tensor, step: Step) -> torch.Tensor:
        for t in self.techniques[e]:
            step.loss_g = loss_e
            loss_e = t.g_loss(loss_e, step)
        step.loss_g = loss_e
        return loss_e

    def _log(self, e: int, step: Step) -> dict[str, torch.Tensor | float]:
        logged: dict[str, torch.Tensor | float] = {}
        if self._active["log"][e]:
            for t in self.techniques[e]:
                logged.update(t.log(step) or {})
        return logged

    def _param_hooks(self, stack: StackedMLP, hook: str, steps: list[Step]) -> None:
        for e, active in enumerate(self._active[hook]):
            if active:
                view = stack.view(e)
                for t in self.techniques[e]:
                    getattr(t, hook)(view, steps[e])
                _write_back(stack, view, e)

    # ------------------------------------------------------------------------------ loop
    def fit(self, data: GaussianMixture | torch.Tensor, stop_at: int | None = None) -> list[History]:
        """Train every member to ``config.steps`` (or ``stop_at``); returns one History per member."""
        stop = self.config.steps if stop_at is None else stop_at
        if not 0 <= stop <= self.config.steps:
            raise ValueError(f"stop_at must be in [0, {self.config.steps}], got {stop_at!r}")
        sample = _sampler(data, self.config.batch_size)
        self.G.train()
        self.D.train()
        while self.step < stop:
            for _ in range(self.config.n_critic):
                loss_d, d_real, d_fake, grad_norm_d = self._d_step(sample)
            loss_g, grad_norm_g, g_steps = self._g_step()
            row = [loss_d, loss_g, d_real.mean(1), d_fake.mean(1)]
            row += [torch.sigmoid(d_real).mean(1), torch.sigmoid(d_fake).mean(1), grad_norm_d, grad_norm_g]
            self._rows.append(torch.stack(row, dim=1))  # (E, 8)
            self._logged.append([self._log(e, step) for e, step in enumerate(g_steps)])
            self.step += 1
        self.G.unstack([g.G for g in self.gans])
        self.D.unstack([g.D for g in self.gans])
        return self.histories()

    def histories(self) -> list[History]:
        """One :class:`~gancore.history.History` per member, as the plain Trainer records it."""
        table = (
            torch.stack(self._rows, dim=1) if self._rows else torch.zeros(self.members, 0, len(History.keys))
        )
        out = []
        for e in range(self.members):
            history = History()
            for row, logged in zip(table[e], self._logged, strict=True):
                history.append(row, logged[e])
            out.append(history)
        return out


def _write_back(stack: StackedMLP, view: nn.Module, e: int) -> None:
    """Copy a hook's edits back into the stack where it replaced tensors instead of editing them."""
    with torch.no_grad():
        for name, p in zip(stack.names, stack.stacked, strict=True):
            owner, attr = parameter_owner(view, name)
            v = getattr(owner, attr)
            if v.data_ptr() != p.data[e].data_ptr():
                p.data[e].copy_(v.data)
            if p.grad is not None and v.grad is None:
                raise RuntimeError(
                    "a technique set a gradient to None (the plain Trainer then skips that parameter); "
                    "batched runs cannot skip one member: use compare(..., batch=False)"
                )
            if p.grad is not None and v.grad.data_ptr() != p.grad[e].data_ptr():
                p.grad[e].copy_(v.grad)


def _member_grad_norms(stack: StackedMLP) -> torch.Tensor:
    """The global gradient norm of each member, ``(E,)`` (as ``Trainer`` logs it)."""
    per_tensor = [p.grad.flatten(1).norm(dim=1) for p in stack.stacked if p.grad is not None]  # each (E,)
    return torch.stack(per_tensor, dim=1).norm(dim=1)


def _sampler(data: GaussianMixture | torch.Tensor, n: int) -> Callable[[], Batch]:
    """Batch draws that consume the random numbers the plain Trainer consumes (run per member)."""
    if isinstance(data, GaussianMixture):
        return lambda: data.sample_batch(n)
    if isinstance(data, torch.Tensor) and data.ndim >= 2 and len(data) > 0:
        x = data.cpu()
        return lambda: Batch(x[torch.randint(len(x), (n,))])
    raise NotBatchableError(
        f"batched runs take a GaussianMixture or a tensor (N, ...), got {type(data).__name__}"
    )
