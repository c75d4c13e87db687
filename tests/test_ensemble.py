"""Batched runs: member e is the plain run of seed e, bit for bit independent of the batch."""

from __future__ import annotations

import dataclasses

import pytest
import torch

import gancore as gc
from gancore.bench import Variant
from gancore.ensemble import EnsembleTrainer, MemberRNG, NotBatchableError, StackedMLP

T = gc.techniques
BENCH = gc.bench.ToyBenchmark(
    "tiny grid",
    gc.data.grid,
    gc.TrainConfig(steps=5, batch_size=32, progress=False, sample_every=None),
    g_kwargs={"width": 16},
    d_kwargs={"width": 16},
)
VARIANTS = [
    Variant("baseline"),
    Variant("instance noise", techniques=[T.InstanceNoise(std=0.1, anneal_steps=3)]),
    Variant("label smoothing", techniques=[T.LabelSmoothing(real=0.9, fake=0.1)]),
    Variant("clip norm", techniques=[T.ClipGradNorm(max_norm=0.05)]),
    Variant("clip value", techniques=[T.ClipGradValue(clip_value=0.001)]),
    Variant("WGAN, clipped", loss=gc.losses.wasserstein, techniques=[T.ClipWeights(c=0.05)]),
    Variant(
        "WGAN-GP", loss=gc.losses.wasserstein, techniques=[T.GradientPenalty()], overrides={"n_critic": 2}
    ),
    Variant("R1", techniques=[T.R1(gamma=1.0)]),
    Variant("dropout", d_kwargs={"dropout": 0.5}),
    Variant("hinge", loss=gc.losses.hinge),
    Variant("GN", techniques=[T.GradientNormalization()]),
    Variant("param grads", techniques=[T.NormalizeParamGrads(power=2, g=True)]),
    Variant("R2", techniques=[T.R2(gamma=1.0)]),
    Variant("minibatch std", techniques=[T.MinibatchStd(group_size=4)], d_kwargs={"in_dim": 3}),
    Variant("pack", techniques=[T.Pack(m=2)], d_kwargs={"in_dim": 4}),
    Variant("SGD", overrides={"optimizer": torch.optim.SGD, "lr_g": 0.05, "lr_d": 0.05}),
]


def _ensemble(variant: Variant, seeds: list[int]) -> EnsembleTrainer:
    config = dataclasses.replace(BENCH.config, **variant.overrides)
    built = [gc.bench.comparison._build(variant, BENCH, seed) for seed in seeds]
    return EnsembleTrainer([g for g, _ in built], variant.loss, config, seeds, [t for _, t in built])


def _params(gan: gc.GAN) -> list[torch.Tensor]:
    return [p.detach() for p in gan.parameters()]


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_each_member_is_the_plain_run_of_its_seed(variant):
    ensemble = _ensemble(variant, [0, 1, 2])
    histories = ensemble.fit(BENCH.data())
    for e, seed in enumerate([0, 1, 2]):
        trainer = gc.bench.build_trainer(variant, BENCH, seed)
        history = trainer.fit(BENCH.data())
        for a, b in zip(_params(trainer.gan), _params(ensemble.gans[e]), strict=True):
            torch.testing.assert_close(b, a, rtol=0, atol=1e-6)
        for key in history.keys:
            torch.testing.assert_close(
                torch.from_numpy(histories[e][key]), torch.from_numpy(history[key]), rtol=1e-5, atol=1e-6
            )


# GN and packing differ in the last bit (6e-8): their per-member shapes pick other matmul blockings.
@pytest.mark.parametrize(
    "variant", [v for v in VARIANTS if v.name not in ("GN", "pack")], ids=lambda v: v.name
)
def test_a_member_does_not_depend_on_the_other_members(variant):
    three = _ensemble(variant, [0, 1, 2])
    three.fit(BENCH.data())
    alone = _ensemble(variant, [1])
    alone.fit(BENCH.data())
    for a, b in zip(_params(alone.gans[0]), _params(three.gans[1]), strict=True):
        assert torch.equal(a, b)  # bit for bit


def test_resuming_gives_the_same_run():
    whole = _ensemble(VARIANTS[1], [0, 1])
    whole.fit(BENCH.data())
    parts = _ensemble(VARIANTS[1], [0, 1])
    parts.fit(BENCH.data(), stop_at=2)
    histories = parts.fit(BENCH.data())
    assert len(histories[0]) == 5
    for a, b in zip(_params(whole.gans[1]), _params(parts.gans[1]), strict=True):
        assert torch.equal(a, b)


def test_member_rng_gives_each_member_its_own_stream_and_restores_the_global_one():
    torch.manual_seed(123)
    before = torch.get_rng_state()
    rng = MemberRNG([4, 4, 5])
    draws = rng.each(lambda e: torch.randn(3))
    assert torch.equal(draws[0], draws[1]) and not torch.equal(draws[0], draws[2])
    torch.manual_seed(4)
    assert torch.equal(draws[0], torch.randn(3))
    torch.manual_seed(123)
    MemberRNG([1]).each(lambda e: torch.randn(5))
    assert torch.equal(torch.get_rng_state(), before)


def test_stacked_mlp_matches_its_members():
    gc.seed_everything(0)
    members = [gc.models.MLPDiscriminator(3, width=8, depth=2) for _ in range(4)]
    stack = StackedMLP(members, MemberRNG(range(4)))
    x = torch.randn(4, 10, 3)
    out = stack(x)  # (E, N)
    assert out.shape == (4, 10)
    for e, D in enumerate(members):
        torch.testing.assert_close(out[e], D(x[e]), rtol=1e-6, atol=1e-6)
        torch.testing.assert_close(stack.member(e)(x[e]), D(x[e]), rtol=0, atol=0)


def test_hooks_edit_their_own_member_through_a_view():
    gc.seed_everything(0)
    members = [gc.models.MLPGenerator(2, 2, width=4) for _ in range(2)]
    stack = StackedMLP(members, MemberRNG([0, 1]))
    T.ClipWeights(c=1e-3).after_d_step(stack.view(1), gc.Step(0, gc.losses.wasserstein))
    assert stack.stacked[0][1].abs().max() <= 1e-3 and stack.stacked[0][0].abs().max() > 1e-3


@pytest.mark.parametrize(
    "variant, match",
    [
        (Variant("latent", techniques=[T.LatentNoise(std=0.5)]), "wraps G or D"),
        (Variant("relu D", d_kwargs={"activation": torch.nn.PReLU}), "PReLU"),
        (Variant("SN", techniques=[T.SpectralNorm()]), "wraps G or D"),
        (Variant("EMA", techniques=[T.EMA()]), "sampler"),
        (Variant("unrolled", techniques=[T.Unrolled(k=1)]), "look-ahead"),
    ],
)
def test_what_cannot_be_batched_says_so_and_compare_falls_back(variant, match):
    with pytest.raises(NotBatchableError, match=match):
        _ensemble(variant, [0, 1])
    df = gc.bench.compare([variant], BENCH, seeds=(0, 1), progress=False)
    plain = gc.bench.run(variant, BENCH, seed=1)
    assert df.iloc[1]["loss_d"] == plain["loss_d"]  # the fallback is the plain Trainer


def test_snapshots_and_devices_are_refused():
    variant = VARIANTS[0]
    built = [gc.bench.comparison._build(variant, BENCH, 0)]
    config = dataclasses.replace(BENCH.config, sample_every=2)
    with pytest.raises(NotBatchableError, match="snapshots"):
        EnsembleTrainer([built[0][0]], variant.loss, config, [0], [[]])
    with pytest.raises(ValueError, match="one entry per member"):
        EnsembleTrainer([built[0][0]], variant.loss, BENCH.config, [0, 1], [[]])
