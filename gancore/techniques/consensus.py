"""Consensus optimization: both players also descend the squared norm of the game's gradient field."""

from __future__ import annotations

import torch
from torch import nn

from ..losses import GANLoss
from ..step import Step
from .base import Technique
from .unrolled import WithParameters

__all__ = ["Consensus", "consensus_regularizer"]


def consensus_regularizer(
    D: nn.Module,
    x_real: torch.Tensor,
    x_fake: torch.Tensor,
    loss: GANLoss,
    d_params: list[torch.Tensor],
    g_params: list[torch.Tensor],
) -> torch.Tensor:
    r"""The consensus regularizer :math:`\tfrac12\lVert v \rVert^2` of the gradient field ``v``.

    :math:`v = (\nabla_\phi L_D, \nabla_\theta L_G)`: both players' gradients at one point.

    Args:
        D: The discriminator, computing with ``d_params``.
        x_real: A real batch as D sees it.
        x_fake: A generated batch as D sees it, computed from ``g_params`` (with its graph).
        loss: The loss pair (``.d(d_real, d_fake)`` and ``.g(d_fake)``).
        d_params: D's parameters (tensors that require grad).
        g_params: G's parameters (tensors that require grad).

    Returns:
        A scalar whose gradient is the consensus term of both players.
    """
    d_real, d_fake = D(x_real), D(x_fake)
    grads_d = torch.autograd.grad(loss.d(d_real, d_fake), d_params, create_graph=True)
    grads_g = torch.autograd.grad(loss.g(d_fake), g_params, create_graph=True, allow_unused=True)
    squares = [g.pow(2).sum() for g in (*grads_d, *grads_g) if g is not None]
    return 0.5 * torch.stack(squares).sum()


class Consensus(Technique):
    r"""Add :math:`\gamma \cdot \tfrac12\lVert v \rVert^2` to both players' losses (Mescheder et al. 2017).

    Mescheder, Nowozin & Geiger (2017), "The Numerics of GANs", NeurIPS. Gradient play
    follows the vector field :math:`v(\phi, \theta) = (\nabla_\phi L_D, \nabla_\theta L_G)`.
    Near an equilibrium its Jacobian can have eigenvalues with a large imaginary part and a
    small real part: the players rotate around the equilibrium instead of reaching it (the
    oscillation of Part II). Descending :math:`L = \tfrac12\lVert v \rVert^2` as well adds
    :math:`-\gamma J^\top J` to the Jacobian, whose eigenvalues are real and negative: the
    rotation is damped. Each player minimizes its own loss plus :math:`\gamma L`. Computing
    :math:`\nabla L` needs second derivatives through both networks (a double backward pass),
    so a step costs several baseline steps.

    Within this trainer's alternating updates, each player's term is taken at the point where
    that player updates, on a fresh generated batch (and, for G, a fresh real batch). The
    technique records G when the trainer wraps it, so list it after any technique that wraps G.

    Args:
        gamma: The weight :math:`\gamma` of the regularizer (10 in the paper's experiments).
    """

    def __init__(self, gamma: float = 10.0) -> None:
        if isinstance(gamma, bool) or not isinstance(gamma, (int, float)) or not gamma > 0:
            raise ValueError(f"gamma must be a positive number, got {gamma!r}")
        self.gamma = float(gamma)
        self._G: nn.Module | None = None
        self._D: nn.Module | None = None

    def wrap_g(self, G: nn.Module) -> nn.Module:
        self._G = G
        return G

    def _context(self, step: Step) -> None:
        if self._G is None or step.next_real is None or step.d_input is None or step.generate is None:
            raise RuntimeError("Consensus needs the trainer's step context (build the Trainer with it)")

    def d_penalty(self, D: nn.Module, step: Step) -> torch.Tensor:
        self._context(step)
        x_fake, _ = step.generate(step.x_real.shape[0])  # with G's graph, for grad_theta L_G
        g_params = [p for p in self._G.parameters() if p.requires_grad]
        d_params = [p for p in D.parameters() if p.requires_grad]
        reg = consensus_regularizer(D, step.x_real, step.d_input(x_fake), step.loss, d_params, g_params)
        return self.gamma * reg

    def g_discriminator(self, D: nn.Module, step: Step) -> nn.Module:
        self._D = D
        return D

    def g_loss(self, loss_g: torch.Tensor, step: Step) -> torch.Tensor:
        self._context(step)
        # D is frozen during G's update: differentiate with respect to detached copies of its weights.
        copies = {name: p.detach().requires_grad_(True) for name, p in self._D.named_parameters()}
        x_real = step.d_input(step.next_real().x)
        g_params = [p for p in self._G.parameters() if p.requires_grad]
        reg = consensus_regularizer(
            WithParameters(self._D, copies), x_real, step.x_fake, step.loss, list(copies.values()), g_params
        )
        return loss_g + self.gamma * reg

    def __repr__(self) -> str:
        return f"Consensus(gamma={self.gamma!r})"
