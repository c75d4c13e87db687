"""Stacking E same-shaped MLPs into one module with a leading member axis, and per-member random streams."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn
from torch.func import functional_call

from ..models import MLPDiscriminator, MLPGenerator

__all__ = ["NotBatchableError", "MemberRNG", "StackedMLP", "parameter_owner"]

_ELEMENTWISE = (nn.ReLU, nn.LeakyReLU, nn.Tanh, nn.Sigmoid, nn.ELU, nn.SiLU, nn.Softplus, nn.Identity)


class NotBatchableError(TypeError):
    """Raised when a run cannot be batched (its models or techniques need the plain Trainer)."""


class MemberRNG:
    """One torch CPU random state per member, swapped in around each member's draws.

    A plain run draws everything (data, latents, noise, dropout masks) from torch's global
    generator, seeded with its seed. Here every draw of member ``e`` runs with the global state
    set to member ``e``'s own, in the same order as in the plain run, so each member sees
    exactly the random numbers of the run it stands for.

    Args:
        seeds: The members' seeds.
    """

    def __init__(self, seeds: Sequence[int]) -> None:
        saved = torch.get_rng_state()
        self.states = []
        for seed in seeds:
            torch.manual_seed(seed)
            self.states.append(torch.get_rng_state())
        torch.set_rng_state(saved)

    def __len__(self) -> int:
        return len(self.states)

    def each(self, fn: Callable[[int], Any]) -> list[Any]:
        """``[fn(0), ..., fn(E - 1)]``, each call drawing from its member's random state."""
        saved, out = torch.get_rng_state(), []
        try:
            for e, state in enumerate(self.states):
                torch.set_rng_state(state)
                out.append(fn(e))
                self.states[e] = torch.get_rng_state()
        finally:
            torch.set_rng_state(saved)
        return out


class StackedMLP(nn.Module):
    """E same-shaped MLPs (``MLPGenerator`` or ``MLPDiscriminator``) as one module on ``(E, N, ...)``.

    Every ``Linear`` becomes a ``(E, out, in)`` weight and a ``(E, out)`` bias, applied with one
    ``baddbmm``; activations are element-wise and shared; dropout draws each member's mask from
    that member's random state. A discriminator returns logits ``(E, N)``.

    Args:
        members: The E modules, initialized as the plain runs would be.
        rng: The members' random states (used by dropout).
    """

    def __init__(self, members: Sequence[nn.Module], rng: MemberRNG) -> None:
        super().__init__()
        kinds = {type(m) for m in members}
        if len(kinds) != 1 or kinds.pop() not in (MLPGenerator, MLPDiscriminator):
            raise NotBatchableError(
                f"only MLPGenerator / MLPDiscriminator members stack, got {sorted(map(str, kinds))}"
            )
        for layer in members[0].net:
            if not isinstance(layer, (nn.Linear, nn.Dropout, *_ELEMENTWISE)):
                raise NotBatchableError(f"cannot stack a {type(layer).__name__} layer")
        shapes = {tuple((n, tuple(p.shape)) for n, p in m.named_parameters()) for m in members}
        if len(shapes) != 1:
            raise NotBatchableError("the members' architectures differ")
        # Not registered as a submodule: its own parameters are never trained, only replaced.
        object.__setattr__(self, "template", copy.deepcopy(members[0]))
        self.names = [n for n, _ in self.template.named_parameters()]
        self.stacked = nn.ParameterList(
            nn.Parameter(torch.stack([dict(m.named_parameters())[n].detach() for m in members]))
            for n in self.names
        )
        self.rng = rng
        self.is_discriminator = isinstance(self.template, MLPDiscriminator)
        self._views: dict[int, nn.Module] = {}

    @property
    def members(self) -> int:
        """The number of members E."""
        return len(self.stacked[0])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.flatten(2) if self.is_discriminator else x  # (E, N, features)
        params = iter(self.stacked)
        for layer in self.template.net:
            if isinstance(layer, nn.Linear):
                weight, bias = next(params), next(params)
                h = _batched_linear(h, weight, bias)
            elif isinstance(layer, nn.Dropout):
                h = _member_dropout(h, layer.p, self.rng) if self.training and layer.p > 0 else h
            else:
                h = layer(h)
        return h.squeeze(-1) if self.is_discriminator else h  # (E, N) or (E, N, out)

    def member(self, e: int) -> nn.Module:
        """Member ``e`` as a module on ``(N, ...)`` whose weights are slices of the stack
        (gradients flow into the stack; for penalties, which differentiate D per member)."""
        self.template.train(self.training)
        return _Member(self.template, {n: p[e] for n, p in zip(self.names, self.stacked, strict=True)})

    def view(self, e: int) -> nn.Module:
        """Member ``e`` as a module whose parameters and gradients alias the stack (for hooks).

        Editing its parameters or gradients in place (clipping, clamping) edits member ``e``.
        """
        if e not in self._views:
            module = copy.deepcopy(self.template)
            for name, p in zip(self.names, self.stacked, strict=True):
                owner, attr = parameter_owner(module, name)
                setattr(owner, attr, nn.Parameter(p.data[e]))
            self._views[e] = module
        module = self._views[e]
        module.train(self.training)
        for name, p in zip(self.names, self.stacked, strict=True):
            owner, attr = parameter_owner(module, name)
            getattr(owner, attr).grad = None if p.grad is None else p.grad[e]
        return module

    def unstack(self, modules: Sequence[nn.Module]) -> None:
        """Copy each member's current weights into ``modules[e]``."""
        with torch.no_grad():
            for e, module in enumerate(modules):
                own = dict(module.named_parameters())
                for name, p in zip(self.names, self.stacked, strict=True):
                    own[name].copy_(p[e])


class _Member(nn.Module):
    def __init__(self, template: nn.Module, params: dict[str, torch.Tensor]) -> None:
        super().__init__()
        object.__setattr__(self, "template", template)  # shared, not owned
        self.params = params

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return functional_call(self.template, self.params, (x,))


def parameter_owner(module: nn.Module, name: str) -> tuple[nn.Module, str]:
    """The submodule holding parameter ``name`` (dotted) and the attribute name there."""
    *path, attr = name.split(".")
    for part in path:
        module = getattr(module, part)
    return module, attr


def _batched_linear(h: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """``h @ weight^T + bias`` per member: ``(E, N, in) -> (E, N, out)``."""
    if len(weight) == 1:
        # torch sends a batch of one to a different matrix kernel than a batch of several, which
        # rounds differently; duplicating the member keeps results independent of E (bit for bit).
        return _batched_linear(h.expand(2, -1, -1), weight.expand(2, -1, -1), bias.expand(2, -1))[:1]
    return torch.baddbmm(bias.unsqueeze(1), h, weight.transpose(1, 2))


def _member_dropout(h: torch.Tensor, p: float, rng: MemberRNG) -> torch.Tensor:
    # torch's CPU dropout: mask = empty_like(x).bernoulli_(1 - p) / (1 - p); x * mask
    masks = rng.each(lambda e: torch.empty_like(h[e]).bernoulli_(1 - p).div_(1 - p))
    return h * torch.stack(masks)
