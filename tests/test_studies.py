"""The stored studies match the code: same definition (fingerprint) and the same numbers (replay)."""

from __future__ import annotations

import dataclasses
import json

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
    return isinstance(study.benchmark, gc.bench.MNISTBenchmark)


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
    both = gc.studies.replay(name, study.variants[0].name, study.seeds[0], study.every)
    stored, replayed = both.loc["stored"], both.loc["replayed"]
    assert replayed["modes"] == stored["modes"]
    if "hq" in both:
        assert replayed["hq"] == pytest.approx(stored["hq"], abs=0.004)  # 10 of 2,500 samples
    for column in ("loss_d", "loss_g", "fd"):
        if column in both:
            assert replayed[column] == pytest.approx(stored[column], rel=1e-4)


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
