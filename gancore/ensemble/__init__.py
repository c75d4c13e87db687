"""Batched training of independent runs: E seeds of one setting trained at once, member axis first.

- ``gancore.ensemble.stacking``: ``StackedMLP`` (E MLPs as one module on ``(E, N, ...)``) and
  ``MemberRNG`` (one random stream per member).
- ``gancore.ensemble.trainer``: ``EnsembleTrainer``, whose member ``e`` is the plain
  ``Trainer`` run of seed ``e``.
"""

from .stacking import MemberRNG, NotBatchableError, StackedMLP
from .trainer import EnsembleTrainer

__all__ = ["NotBatchableError", "MemberRNG", "StackedMLP", "EnsembleTrainer"]
