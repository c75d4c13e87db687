"""Unrolled GANs: G's update is computed against D after k more steps of D's training."""

from __future__ import annotations

import torch
from torch import nn
from torch.func import functional_call

from ..step import Step
from .base import Technique

__all__ = ["Unrolled", "WithParameters"]


class WithParameters(nn.Module):
    """``D`` called with other values for its parameters (``torch.func.functional_call``).

    Args:
        D: The module whose forward pass is used.
        parameters: ``{name: tensor}`` replacing some or all of ``D``'s parameters.
    """

    def __init__(self, D: nn.Module, parameters: dict[str, torch.Tensor]) -> None:
        super().__init__()
        self.D = D
        self.values = parameters

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return functional_call(self.D, self.values, inputs)


class Unrolled(Technique):
    r"""Train G against a look-ahead D: the current D plus ``k`` more gradient steps (Metz et al. 2017).

    Metz, Poole, Pfau & Sohl-Dickstein (2017), "Unrolled Generative Adversarial Networks",
    ICLR. Mode collapse is G chasing what the *current* D rejects least; D then follows, and
    the pair circles the modes. Unrolling lets G see how D would answer its move. Before each
    G update, a copy of D's parameters :math:`\phi_0 = \phi` takes ``k`` plain gradient steps

    .. math:: \phi_{i+1} = \phi_i - \eta\,\nabla_\phi L_D(\phi_i, \theta),

    each on a fresh real batch and fresh generated samples, with D's full loss as the D
    update computes it (the loss pair, its hooks and penalties). G's loss is then taken
    against :math:`D_{\phi_k}`; D's own parameters and its optimizer are untouched.

    With ``second_order=True`` G's gradient also flows through the ``k`` steps (the surrogate
    loss of the paper, Eq. 6): :math:`\phi_k` depends on :math:`\theta` through the generated
    samples, and that term is what lets G anticipate D. ``second_order=False`` drops it
    (G is simply trained against the look-ahead D), which is cheaper.

    Each unrolling step costs about one D update (twice that with ``second_order``): a run
    with ``k = 5`` costs several times the baseline.

    Args:
        k: Unrolling steps (5 to 10 in the paper).
        lr: Learning rate :math:`\eta` of the look-ahead steps (plain gradient descent).
        second_order: Back-propagate G's loss through the unrolled steps.
    """

    def __init__(self, k: int = 5, lr: float = 0.05, second_order: bool = True) -> None:
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be a positive int, got {k!r}")
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
            raise ValueError(f"lr must be a positive number, got {lr!r}")
        if not isinstance(second_order, bool):
            raise TypeError(f"second_order must be a bool, got {second_order!r}")
        self.k, self.lr, self.second_order = k, float(lr), second_order

    def g_discriminator(self, D: nn.Module, step: Step) -> nn.Module:
        if step.next_real is None or step.d_loss is None or step.d_input is None or step.generate is None:
            raise RuntimeError(
                "Unrolled needs the trainer's step context (next_real, d_loss, d_input, generate)"
            )
        params = {name: p.detach().requires_grad_(True) for name, p in D.named_parameters()}
        for _ in range(self.k):
            x_real = step.d_input(step.next_real().x)
            x_fake, _ = step.generate(x_real.shape[0])
            if not self.second_order:
                x_fake = x_fake.detach()
            loss_d = step.d_loss(WithParameters(D, params), x_real, step.d_input(x_fake))
            grads = torch.autograd.grad(loss_d, list(params.values()), create_graph=self.second_order)
            params = {name: p - self.lr * g for (name, p), g in zip(params.items(), grads, strict=True)}
            if not self.second_order:
                params = {name: p.detach().requires_grad_(True) for name, p in params.items()}
        if not self.second_order:
            params = {name: p.detach() for name, p in params.items()}
        return WithParameters(D, params)
