"""Stabilization techniques, one per module, each a `Technique` passed to the Trainer."""

from .base import Technique
from .clip_grad_norm import ClipGradNorm
from .instance_noise import InstanceNoise

__all__ = ["Technique", "InstanceNoise", "ClipGradNorm"]
