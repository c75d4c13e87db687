"""The stored studies match the code: same definition (fingerprint) and the same numbers (replay)."""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest

import gancore as gc

STUDIES = sorted(gc.studies.STUDIES)


@pytest.mark.parametrize("name", STUDIES)
def test_every_study_is_stored_complete_and_current(name):
    study = gc.studies.STUDIES[name]
    table = gc.studies.load(name)  # raises StaleStudyError if the definition changed
    provenance = table.attrs["provenance"]
    for key in ("fingerprint", "spec", "gancore_version", "git_commit", "torch_version", "wall_seconds"):
        assert key in provenance, key
    steps = list(range(study.every, study.steps + 1, study.every))
    for variant in study.variants:
        for seed in study.seeds:
            run = table[(table["variant"] == variant.name) & (table["seed"] == seed)]
            assert list(run["step"]) == steps, (variant.name, seed)


def _needs_mnist(study: gc.studies.Study) -> bool:
    return isinstance(study.benchmark, (gc.bench.MNISTBenchmark, gc.bench.StackedMNISTBenchmark))


def _mnist_available() -> bool:
    try:
        gc.data.mnist(download=False)
    except (FileNotFoundError, RuntimeError, PermissionError):
        return False
    return True


@pytest.mark.parametrize("name", STUDIES)
def test_the_code_still_produces_the_stored_numbers(name):
    study = gc.studies.STUDIES[name]
    if _needs_mnist(study) and not _mnist_available():
        pytest.skip("MNIST is not available offline (set GANCORE_DATA)")
    if not gc.studies.replayable(name):
        kernels = gc.studies.load(name).attrs["provenance"].get("cpu_kernels")
        pytest.skip(
            f"{name} was stored with {kernels} CPU kernels; this machine runs {gc.studies.cpu_kernels()}"
        )
    both = gc.studies.verify(name, study.variants[0].name, study.seeds[0], study.every)
    assert both is not None and list(both.index) == ["stored", "replayed"]


@pytest.mark.parametrize(
    ("column", "replayed", "passes"),
    [("modes", 7.0, False), ("hq", 0.503, True), ("hq", 0.505, False), ("loss_d", 1.3, False)],
)
def test_verify_compares_modes_exactly_hq_to_ten_samples_and_the_rest_to_1e4(
    monkeypatch, column, replayed, passes
):
    stored = {"modes": 8.0, "hq": 0.5, "kl": 0.1, "loss_d": 1.2, "loss_g": 0.9}
    both = pd.DataFrame([stored, {**stored, column: replayed}], index=["stored", "replayed"])
    monkeypatch.setattr(gc.studies.store, "replayable", lambda *args: True)
    monkeypatch.setattr(gc.studies.store, "replay", lambda *args: both)
    if passes:
        assert gc.studies.verify("protocol_ring_lr", "lr 2e-4 (protocol)", 0, 500) is both
    else:
        with pytest.raises(AssertionError, match=f"{column} differs"):
            gc.studies.verify("protocol_ring_lr", "lr 2e-4 (protocol)", 0, 500)


def test_verify_does_not_train_on_other_cpu_kernels(monkeypatch):
    monkeypatch.setattr(gc.studies.store, "cpu_kernels", lambda: "a kernel set no study used")
    monkeypatch.setattr(gc.studies.store, "replay", lambda *args, **kwargs: pytest.fail("replayed"))
    assert gc.studies.verify("protocol_ring_lr", "lr 2e-4 (protocol)", 0, 500) is None
    with pytest.raises(gc.studies.StaleStudyError, match="CPU kernels"):
        gc.studies.rehash("protocol_ring_lr")


def test_a_changed_definition_makes_the_stored_file_stale(tmp_path, monkeypatch):
    name = STUDIES[0]
    study = gc.studies.STUDIES[name]
    (tmp_path / f"{name}.json").write_text((gc.studies.results_folder() / f"{name}.json").read_text())
    changed = dataclasses.replace(study, steps=study.steps + 1)
    assert changed.fingerprint() != study.fingerprint()
    monkeypatch.setitem(gc.studies.STUDIES, name, changed)
    with pytest.raises(gc.studies.StaleStudyError, match=r"run_study\.py"):
        gc.studies.load(name, tmp_path)


def test_the_fingerprint_covers_techniques_and_their_arguments():
    study = gc.studies.STUDIES[STUDIES[0]]
    spec = json.dumps(study.spec())
    assert "gancore.techniques.instance_noise.InstanceNoise(std=0.1, anneal_steps=None)" in spec
    first = study.variants[1]
    tweaked = dataclasses.replace(
        study,
        variants=(
            study.variants[0],
            dataclasses.replace(first, overrides={"lr_d": 1e-4}),
            *study.variants[2:],
        ),
    )
    assert tweaked.fingerprint() != study.fingerprint()


def test_unknown_studies_and_rows_are_refused():
    with pytest.raises(KeyError, match="known"):
        gc.studies.load("no such study")
    with pytest.raises(ValueError, match="stores no row"):
        gc.studies.replay(STUDIES[0], "baseline", 0, 7)


def test_toolkit_effects_pairs_every_technique_with_the_baseline_on_both_benchmarks():
    table = gc.studies.toolkit_effects()
    assert list(table.columns.levels[0]) == ["grid", "ring"] or set(table.columns.get_level_values(0)) == {
        "ring",
        "grid",
    }
    ring = gc.bench.effects(gc.studies.toolkit("ring"), "baseline", ["modes", "hq"])
    assert table["ring"].equals(ring) and "baseline" not in table.index and len(table) == len(ring)
