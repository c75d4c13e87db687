"""Stabilization techniques, one per module, each a `Technique` passed to the Trainer."""

from .base import Penalty, Technique
from .clip_grad_norm import ClipGradNorm
from .clip_grad_value import ClipGradValue
from .clip_weights import ClipWeights
from .consensus import Consensus, consensus_regularizer
from .ema import EMA
from .feature_matching import FeatureMatching
from .gradient_normalization import GradientNormalization, GradNormalizedD
from .gradient_penalty import GradientPenalty
from .instance_noise import InstanceNoise
from .label_smoothing import LabelSmoothing
from .latent_noise import LatentNoise, NoisyLatentG
from .minibatch_std import MinibatchStd
from .normalize_param_grads import NormalizeParamGrads
from .pack import Pack
from .r1 import R1
from .r2 import R2
from .spectral_norm import SpectralNorm, SpectralNormalizedD
from .unrolled import Unrolled, WithParameters

__all__ = [
    "Technique",
    "Penalty",
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
    "R2",
    "SpectralNorm",
    "SpectralNormalizedD",
    "EMA",
    "Consensus",
    "consensus_regularizer",
    "MinibatchStd",
    "Pack",
    "Unrolled",
    "WithParameters",
    "FeatureMatching",
]
