"""The comparison harness: tidy results, seeding, parallel workers and the summary table."""

from __future__ import annotations

import math
import sys
import time

import pandas as pd
import pytest
import torch
from torch import nn

import gancore as gc
from gancore.bench import Variant

NOISE = gc.techniques.InstanceNoise(std=0.1)
TOY_COLUMNS = ["variant", "seed", "step", "modes", "hq", "kl", "seconds_per_step", "loss_d", "loss_g"]


def _numbers(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns="seconds_per_step")


def test_compare_returns_one_row_per_run_in_variant_then_seed_order():
    variants = [Variant("baseline"), Variant("noise", techniques=[NOISE])]
    df = gc.bench.compare(variants, gc.bench.RING, seeds=(0, 1), steps=3, progress=False)
    assert list(df.columns) == TOY_COLUMNS
    assert list(zip(df["variant"], df["seed"], strict=True)) == [
        ("baseline", 0),
        ("baseline", 1),
        ("noise", 0),
        ("noise", 1),
    ]
    assert df["modes"].between(0, 8).all() and df["hq"].between(0, 1).all()
    assert (df["seconds_per_step"] > 0).all()
    assert df[["loss_d", "loss_g"]].map(math.isfinite).all().all()


def test_a_run_is_a_deterministic_function_of_its_seed():
    variant = Variant("noise", techniques=[NOISE])
    first = gc.bench.run(variant, gc.bench.RING, seed=1, steps=3)
    again = gc.bench.run(variant, gc.bench.RING, seed=1, steps=3)
    other = gc.bench.run(variant, gc.bench.RING, seed=2, steps=3)
    for row in (first, again, other):
        del row["seconds_per_step"]
    assert first == again
    assert first["loss_d"] != other["loss_d"]


def test_workers_give_the_same_numbers_as_serial_runs():
    variants = [Variant("baseline"), Variant("noise", techniques=[NOISE], overrides={"batch_size": 64})]
    serial = gc.bench.compare(variants, gc.bench.RING, seeds=(0,), steps=3, progress=False)
    parallel = gc.bench.compare(variants, gc.bench.RING, seeds=(0,), steps=3, workers=2, progress=False)
    pd.testing.assert_frame_equal(_numbers(serial), _numbers(parallel))


def test_workers_are_kept_between_calls_and_reused_runs_are_unchanged():
    variants = [Variant("baseline")]
    gc.bench.shutdown_workers()
    first = gc.bench.compare(variants, gc.bench.RING, seeds=(0, 1), steps=3, workers=2, progress=False)
    pool = gc.bench.pool._POOL
    assert pool is not None
    again = gc.bench.compare(variants, gc.bench.RING, seeds=(1, 0), steps=3, workers=2, progress=False)
    assert gc.bench.pool._POOL is pool  # no new processes were started
    pd.testing.assert_frame_equal(_numbers(first), _numbers(again.iloc[[1, 0]].reset_index(drop=True)))
    gc.bench.compare(variants, gc.bench.RING, seeds=(0,), steps=1, workers=1, progress=False)
    assert gc.bench.pool._POOL is pool  # serial runs leave the workers alone
    gc.bench.shutdown_workers()
    assert gc.bench.pool._POOL is None
    gc.bench.shutdown_workers()  # idempotent


def test_a_failing_run_keeps_the_workers_usable():
    bad = [Variant("bad", overrides={"lr_d": -1.0})]  # TrainConfig rejects it inside the worker
    with pytest.raises(ValueError, match="lr_d"):
        gc.bench.compare(bad, gc.bench.RING, seeds=(0, 1, 2), steps=1, workers=2, progress=False)
    good = [Variant("baseline")]
    df = gc.bench.compare(good, gc.bench.RING, seeds=(0,), steps=1, workers=2, progress=False)
    assert len(df) == 1
    gc.bench.shutdown_workers()


def test_an_interrupt_stops_the_workers(monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(gc.bench.comparison, "as_completed", interrupted)
    variants = [Variant("baseline")]
    with pytest.raises(KeyboardInterrupt):
        gc.bench.compare(variants, gc.bench.RING, seeds=(0,), steps=200, workers=2, progress=False)
    assert gc.bench.pool._POOL is None
    monkeypatch.undo()
    df = gc.bench.compare(variants, gc.bench.RING, seeds=(0,), steps=1, workers=2, progress=False)
    assert len(df) == 1  # fresh workers start on the next call
    gc.bench.shutdown_workers()


class Unpicklable(gc.techniques.Technique):
    def __init__(self):
        self.hook = lambda x: x  # a lambda cannot be pickled


def test_unpicklable_techniques_fail_early_only_with_workers():
    variants = [Variant("lambda", techniques=[Unpicklable()])]
    with pytest.raises(TypeError, match="picklable"):
        gc.bench.compare(variants, gc.bench.RING, seeds=(0,), steps=1, workers=2, progress=False)
    df = gc.bench.compare(variants, gc.bench.RING, seeds=(0,), steps=1, progress=False)
    assert len(df) == 1


def test_techniques_defined_in_a_notebook_fail_early_with_workers(monkeypatch):
    monkeypatch.delattr(sys.modules["__main__"], "__file__", raising=False)  # as in a Jupyter kernel
    notebook_technique = type("MyTechnique", (gc.techniques.Technique,), {"__module__": "__main__"})
    variants = [Variant("mine", techniques=[notebook_technique()])]
    with pytest.raises(TypeError, match="notebook"):
        gc.bench.compare(variants, gc.bench.RING, seeds=(0,), steps=1, workers=2, progress=False)


def test_the_grid_benchmark_scores_25_modes():
    df = gc.bench.compare([Variant("baseline")], gc.bench.GRID, seeds=(0,), steps=2, progress=False)
    assert list(df.columns) == TOY_COLUMNS and 0 <= df["modes"].item() <= 25


def test_build_trainer_applies_variant_overrides_and_fresh_techniques():
    variant = Variant(
        "small",
        loss=gc.losses.hinge,
        techniques=[gc.techniques.ClipWeights(), NOISE],
        g_kwargs={"width": 8},
        d_kwargs={"width": 4, "depth": 1},
        overrides={"batch_size": 32, "lr_d": 1e-4},
    )
    trainer = gc.bench.build_trainer(variant, gc.bench.RING, seed=3, steps=7)
    cfg = trainer.config
    assert (cfg.seed, cfg.steps, cfg.batch_size, cfg.lr_d) == (3, 7, 32, 1e-4)
    assert cfg.lr_g == gc.bench.RING.config.lr_g and not cfg.progress and cfg.sample_every is None
    assert trainer.loss is gc.losses.hinge
    assert gc.models.count_parameters(trainer.gan.D) == (2 * 4 + 4) + (4 + 1)
    assert trainer.gan.G.net[0].out_features == 8
    assert [type(t) for t in trainer.techniques] == [gc.techniques.ClipWeights, gc.techniques.InstanceNoise]
    again = gc.bench.build_trainer(variant, gc.bench.RING, seed=3)
    assert again.techniques[0] is not trainer.techniques[0]
    assert all(
        torch.equal(a, b) for a, b in zip(again.gan.parameters(), trainer.gan.parameters(), strict=True)
    )


def test_variant_rejects_bad_input():
    with pytest.raises(TypeError, match="instances"):
        Variant("instance", techniques=[gc.techniques.InstanceNoise])  # the class, not an instance
    with pytest.raises(ValueError, match="unknown TrainConfig"):
        Variant("typo", overrides={"n_critics": 5})
    with pytest.raises(ValueError, match="name"):
        Variant("")
    with pytest.raises(TypeError, match="loss"):
        Variant("string loss", loss="hinge")


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"variants": [Variant("a"), Variant("a")]}, ValueError),
        ({"variants": []}, TypeError),
        ({"benchmark": "ring"}, TypeError),
        ({"seeds": ()}, ValueError),
        ({"seeds": (-1,)}, ValueError),
        ({"steps": 0}, ValueError),
        ({"workers": 0}, ValueError),
        ({"every": 0}, ValueError),
        ({"seeds": (1, 1)}, ValueError),
    ],
)
def test_compare_rejects_bad_input(kwargs, error):
    args = {"variants": [Variant("a")], "benchmark": gc.bench.RING, "steps": 1, "progress": False, **kwargs}
    with pytest.raises(error):
        gc.bench.compare(**args)


def test_progress_shows_one_bar_or_nothing(capsys):
    gc.bench.compare([Variant("a")], gc.bench.RING, seeds=(0,), steps=1, progress=False)
    assert capsys.readouterr().err == ""
    gc.bench.compare([Variant("a")], gc.bench.RING, seeds=(0, 1), steps=1)
    err = capsys.readouterr().err
    assert "ring: jobs" in err and "1/1" in err and "training" not in err


def test_summarize_gives_mean_interval_and_sd_in_variant_order():
    df = pd.DataFrame(
        {
            "variant": ["b", "b", "a", "a"],
            "seed": [0, 1, 0, 1],
            "modes": [6, 8, 3, 3],
            "hq": [0.5, 0.7, 0.1, 0.3],
        }
    )
    summary = gc.bench.summarize(df)
    assert list(summary.mean.index) == ["b", "a"] and list(summary.mean.columns) == ["modes", "hq"]
    assert summary.mean.loc["b", "modes"] == 7.0
    assert summary.sd.loc["b", "modes"] == pytest.approx(math.sqrt(2))
    # two runs: the bootstrap means are 6, 7 or 8, so the 95 % interval is [6, 8]
    assert (summary.low.loc["b", "modes"], summary.high.loc["b", "modes"]) == (6.0, 8.0)
    assert summary.sd.loc["a", "modes"] == 0.0 and summary.mean.loc["a", "hq"] == pytest.approx(0.2)
    assert summary.table.loc["b", "modes"] == "7.0 [6.0, 8.0]"
    assert summary.table.loc["a", "modes"] == "3.0 [3.0, 3.0]"
    assert "7.0 [6.0, 8.0]" in repr(summary) and "<table" in summary._repr_html_()
    one_seed = gc.bench.summarize(df[df["seed"] == 0], columns=["modes"])
    assert list(one_seed.mean.columns) == ["modes"] and one_seed.sd["modes"].isna().all()
    with pytest.raises(ValueError, match="fd"):
        gc.bench.summarize(df, columns=["fd"])


def test_summarize_says_when_a_metric_is_undefined_instead_of_nan():
    df = pd.DataFrame(
        {"variant": ["a", "a", "b", "b"], "seed": [0, 1, 0, 1], "kl": [0.5, math.nan, math.nan, math.nan]}
    )
    table = gc.bench.summarize(df).table
    assert table.loc["a", "kl"] == "0.50 [0.50, 0.50] (1 of 2 runs)"
    assert table.loc["b", "kl"] == "undefined on every run"
    assert "nan" not in repr(gc.bench.summarize(df))


def test_summarize_uses_the_last_checkpoint_of_every_run():
    df = pd.DataFrame(
        {"variant": ["a"] * 4, "seed": [0, 0, 1, 1], "step": [5, 10, 5, 10], "hq": [0.0, 0.4, 0.0, 0.6]}
    )
    assert gc.bench.summarize(df).mean.loc["a", "hq"] == pytest.approx(0.5)


def test_bootstrap_ci_is_deterministic_and_brackets_the_mean():
    values = [0.1, 0.4, 0.35, 0.2, 0.3]
    mean, low, high = gc.bench.bootstrap_ci(values)
    assert mean == pytest.approx(0.27) and min(values) <= low < mean < high <= max(values)
    assert gc.bench.bootstrap_ci(values) == (mean, low, high)
    assert gc.bench.bootstrap_ci([2.0, 2.0, 2.0]) == (2.0, 2.0, 2.0)
    assert all(math.isnan(v) for v in gc.bench.bootstrap_ci([math.nan]))
    wide = gc.bench.bootstrap_ci(values, level=0.99)
    assert wide[1] <= low and wide[2] >= high
    with pytest.raises(ValueError, match="level"):
        gc.bench.bootstrap_ci(values, level=95)


def test_paired_difference_pairs_runs_by_seed():
    df = pd.DataFrame(
        {
            "variant": ["base"] * 3 + ["new"] * 3,
            "seed": [0, 1, 2, 2, 1, 0],
            "hq": [0.1, 0.5, 0.9, 1.0, 0.6, 0.2],  # new = base + 0.1 on every seed
        }
    )
    mean, low, high = gc.bench.paired_difference(df, "new", "base", "hq")
    assert (mean, low, high) == pytest.approx((0.1, 0.1, 0.1))
    with pytest.raises(ValueError, match="nope"):
        gc.bench.paired_difference(df, "nope", "base", "hq")


def test_compare_scores_checkpoints_and_keeps_models_in_eval_mode():
    variants = [
        Variant("baseline"),
        Variant("latent", techniques=[gc.techniques.LatentNoise(std=0.5)]),
    ]
    df, gans = gc.bench.compare(
        variants, gc.bench.RING, seeds=(0, 1), steps=6, every=3, keep=True, progress=False
    )
    assert list(df["step"]) == [3, 6] * 4
    assert set(gans) == {("baseline", 0), ("baseline", 1), ("latent", 0), ("latent", 1)}
    assert all(not gan.training for gan in gans.values())
    final = df[df["step"] == 6].set_index(["variant", "seed"])
    for (name, seed), gan in gans.items():  # the kept model is the one that was scored
        score = gc.bench.RING.score(gan, gc.bench.RING.data(), seed)
        assert score["hq"] == final.loc[(name, seed), "hq"]
    prefix = gc.bench.compare(variants, gc.bench.RING, seeds=(0, 1), steps=3, progress=False)
    pd.testing.assert_frame_equal(_numbers(prefix), _numbers(df[df["step"] == 3].reset_index(drop=True)))


def test_batched_and_plain_runs_agree_to_rounding():
    variant = Variant("noise", techniques=[NOISE])
    batched = gc.bench.run(variant, gc.bench.RING, seed=1, steps=3, batch=True)
    plain = gc.bench.run(variant, gc.bench.RING, seed=1, steps=3)
    assert batched["loss_d"] == pytest.approx(plain["loss_d"], rel=1e-5)
    assert batched["loss_g"] == pytest.approx(plain["loss_g"], rel=1e-5)


def test_time_per_step_times_a_plain_run():
    seconds = gc.bench.time_per_step(Variant("baseline"), gc.bench.RING, steps=6, warmup=1)
    assert 0 < seconds < 1
    with pytest.raises(ValueError, match="steps"):
        gc.bench.time_per_step(Variant("baseline"), gc.bench.RING, steps=2)


class _Sleepy(gc.techniques.Technique):
    """Makes every G forward pass wait 50 ms without using the CPU, as a busy machine would."""

    def wrap_g(self, G: nn.Module) -> nn.Module:
        return _SleepThen(G)


class _SleepThen(nn.Module):
    def __init__(self, inner: nn.Module):
        super().__init__()
        self.inner = inner

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        time.sleep(0.05)
        return self.inner(z)


def test_time_call_counts_cpu_time_per_call():
    assert gc.bench.time_call(lambda: time.sleep(0.01), calls=2, blocks=2) < 0.005  # waiting is not CPU time
    busy = gc.bench.time_call(lambda: sum(range(20_000)), calls=5, blocks=3)
    assert 0 < busy < 0.1
    with pytest.raises(ValueError, match="calls"):
        gc.bench.time_call(lambda: None, calls=0)


def test_time_per_step_counts_cpu_time_not_waiting():
    sleepy = Variant("sleepy", techniques=[_Sleepy()])
    seconds = gc.bench.time_per_step(sleepy, gc.bench.RING, steps=3, warmup=1)
    assert seconds < 0.05  # each step waits at least 50 ms; a ring step takes a few ms of CPU


def _mnist_metrics_ready() -> bool:
    names = ("classifier_features", "class_coverage", "frechet_distance")
    if not hasattr(gc.data, "mnist") or not all(hasattr(gc.metrics, name) for name in names):
        return False
    try:  # the shipped classifier's weights and the offline data may not exist yet
        gc.metrics.classifier_features(torch.zeros(2, 1, 28, 28))
        gc.data.mnist(download=False)
    except (FileNotFoundError, PermissionError, RuntimeError):
        return False
    return True


@pytest.mark.skipif(
    not _mnist_metrics_ready(), reason="MNIST data, metrics or classifier weights not available"
)
def test_mnist_benchmark_scores_fd_and_classes():
    bench = gc.bench.mnist(steps=2, batch_size=8, latent_dim=8, width=4, n_samples=64)
    df = gc.bench.compare([Variant("baseline")], bench, seeds=(0,), progress=False)
    assert list(df.columns) == [
        "variant",
        "seed",
        "step",
        "fd",
        "modes",
        "class_kl",
        "confidence",
        "precision",
        "recall",
        "seconds_per_step",
        "loss_d",
        "loss_g",
    ]
    assert 1 <= df["modes"].item() <= 10 and df["fd"].item() > 0 and math.isfinite(df["class_kl"].item())
    assert (
        0.1 <= df["confidence"].item() <= 1
        and 0 <= df["precision"].item() <= 1
        and 0 <= df["recall"].item() <= 1
    )


@pytest.mark.skipif(
    not _mnist_metrics_ready(), reason="MNIST data, metrics or classifier weights not available"
)
def test_a_conditional_generator_on_labelled_mnist_is_scored_per_requested_class():
    bench = gc.bench.mnist(steps=2, batch_size=8, latent_dim=8, width=4, n_samples=200, labels=True)
    cond = {"num_classes": 10}
    variants = [
        Variant("uncond"),
        Variant("cond", g_kwargs=cond, d_kwargs={**cond, "conditioning": gc.models.ConcatLabels}),
    ]
    df = gc.bench.compare(variants, bench, seeds=(0,), progress=False).set_index("variant")
    assert math.isnan(df.loc["uncond", "cond_acc"])  # an unconditional G cannot be asked for a digit
    assert 0 <= df.loc["cond", "cond_acc"] <= 1
    per_class = [df.loc["cond", f"fd_{c}"] for c in range(10)]
    assert df.loc["cond", "fd_class"] == pytest.approx(sum(per_class) / 10)


@pytest.mark.skipif(
    not _mnist_metrics_ready(), reason="MNIST data, metrics or classifier weights not available"
)
def test_stacked_mnist_benchmark_scores_modes_and_kl():
    bench = gc.bench.stacked_mnist(steps=2, batch_size=8, latent_dim=8, width=4, n_train=64, n_samples=50)
    row = gc.bench.run(Variant("baseline"), bench, seed=0)
    assert 1 <= row["modes"] <= 50 and 0 < row["kl"] <= math.log(1000) + 1e-9
    assert 0.1 <= row["confidence"] <= 1  # a mean of top probabilities over 10 classes
    assert bench.data().shape == (64, 3, 28, 28)


def test_effects_gives_a_verdict_only_when_the_interval_excludes_zero():
    df = pd.DataFrame(
        {
            "variant": ["base"] * 3 + ["better"] * 3 + ["noisy"] * 3,
            "seed": [0, 1, 2] * 3,
            "hq": [0.5, 0.6, 0.7, 0.6, 0.7, 0.9, 0.4, 0.8, 0.6],
        }
    )
    table = gc.bench.effects(df, "base", ["hq"])
    assert list(table.index) == ["better", "noisy"]
    assert (
        table.loc["better", "hq"] == pytest.approx(0.4 / 3) and table.loc["better", "hq verdict"] == "higher"
    )
    assert table.loc["noisy", "hq verdict"] == "no measurable difference"
    assert table.loc["noisy", "hq low"] < 0 < table.loc["noisy", "hq high"]


def test_format_effects_writes_each_difference_with_its_interval():
    df = pd.DataFrame({"variant": ["base"] * 2 + ["new"] * 2, "seed": [0, 1] * 2, "hq": [0.5, 0.6, 0.7, 0.9]})
    shown = gc.bench.format_effects(gc.bench.effects(df, "base", ["hq"]))
    assert list(shown.columns) == ["Δ hq", "hq verdict"]
    assert (
        shown.loc["new", "Δ hq"] == "+0.250 [+0.200, +0.300]" and shown.loc["new", "hq verdict"] == "higher"
    )


def test_step_costs_times_every_variant_in_interleaved_rounds():
    variants = [Variant("baseline"), Variant("noise", techniques=[NOISE])]
    costs = gc.bench.step_costs(variants, gc.bench.RING, rounds=2, steps=3)
    assert list(costs.index) == ["baseline", "noise"] and (costs > 0).all()
    with pytest.raises(ValueError, match="unique"):
        gc.bench.step_costs([Variant("a"), Variant("a")], gc.bench.RING)


def test_the_batchability_check_leaves_every_random_state_alone():
    torch.manual_seed(5)
    state = torch.get_rng_state()
    assert gc.bench.comparison._batchable(Variant("baseline"), gc.bench.RING, 0, 1)
    assert torch.equal(torch.get_rng_state(), state)  # it seeds to build the models, then restores
    assert not gc.bench.comparison._batchable(
        Variant("latent", techniques=[gc.techniques.LatentNoise(0.5)]), gc.bench.RING, 0, 1
    )
