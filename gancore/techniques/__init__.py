"""Stabilization techniques, one per module, each a `Technique` passed to the Trainer."""

from .base import Technique
from .clip_grad_norm import ClipGradNorm
from .clip_grad_value import ClipGradValue
from .clip_weights import ClipWeights
from .gradient_normalization import GradientNormalization, GradNormalizedD
from .gradient_penalty import GradientPenalty
from .instance_noise import InstanceNoise
from .label_smoothing import LabelSmoothing
from .latent_noise import LatentNoise, NoisyLatentG
from .normalize_param_grads import NormalizeParamGrads
from .r1 import R1

__all__ = [
    "Technique",
    "InstanceNoise",
    "LabelSmoothing",
    "LatentNoise",
    "NoisyLatentG",
    "ClipGradNorm",
    "ClipGradValue",
    "ClipWeights",
    "GradientNormalization",
    "GradNormalizedD",
    "NormalizeParamGrads",
    "GradientPenalty",
    "R1",
]
