"""The Dirac-GAN of Mescheder et al. (2018): a two-parameter GAN whose training dynamics can be solved.

- ``gancore.dirac.model``: the linear discriminator and the training methods (penalties are
  gancore's techniques, ``gc.techniques.R1`` and ``gc.techniques.GradientPenalty``).
- ``gancore.dirac.dynamics``: vector field, Jacobian, update schemes, simulation and verdict.
"""

from .dynamics import (
    Alternating,
    Scheme,
    Simultaneous,
    alternating,
    jacobian,
    simulate,
    simultaneous,
    vector_field,
    verdict,
)
from .model import (
    ConsensusOptimization,
    DiracDiscriminator,
    GANMethod,
    Method,
)

__all__ = [
    "DiracDiscriminator",
    "Method",
    "GANMethod",
    "ConsensusOptimization",
    "Scheme",
    "Simultaneous",
    "Alternating",
    "simultaneous",
    "alternating",
    "vector_field",
    "jacobian",
    "simulate",
    "verdict",
]
