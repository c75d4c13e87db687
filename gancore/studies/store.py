"""Stored studies: long comparisons run once, saved as JSON with their provenance, checked when loaded.

A chapter that needs more training than it can afford under CI (the protocol budgets of
``book/appendix/protocol.ipynb``) loads a study instead of training: ``scripts/run_study.py NAME``
runs it and writes ``book/results/NAME.json`` (the study's specification and its fingerprint,
every run's scores at every checkpoint, the gancore version, the git commit, torch's version and
the wall time). :func:`load` refuses a file whose fingerprint no longer matches the study as the
code defines it, and :func:`replay` re-trains one run up to a checkpoint to check that the code
still produces the stored numbers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import os
import platform
import subprocess
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from ..bench import MNISTBenchmark, StackedMNISTBenchmark, ToyBenchmark, Variant, compare, run

__all__ = [
    "Study",
    "StaleStudyError",
    "results_folder",
    "load",
    "replay",
    "verify",
    "replayable",
    "cpu_kernels",
    "run_study",
    "rehash",
]


class StaleStudyError(RuntimeError):
    """A stored study no longer matches its definition: re-run ``scripts/run_study.py NAME``."""


@dataclass(frozen=True)
class Study:
    """A named comparison at a fixed budget, stored once and loaded by chapters.

    Args:
        name: The file name (``book/results/NAME.json``).
        benchmark: The setting.
        variants: The arms (the first is the baseline).
        seeds: One run per seed and variant.
        steps: Generator steps per run.
        every: Checkpoint interval: every run is also scored every ``every`` steps.
        description: One sentence for the JSON file and the docs.
    """

    name: str
    benchmark: ToyBenchmark | MNISTBenchmark | StackedMNISTBenchmark
    variants: tuple[Variant, ...]
    seeds: tuple[int, ...]
    steps: int
    every: int
    description: str

    def spec(self) -> dict[str, Any]:
        """Everything that determines the numbers, as plain JSON-able values."""
        return {
            "benchmark": _benchmark_spec(self.benchmark),
            "variants": [
                {
                    "name": v.name,
                    "loss": repr(v.loss),
                    "techniques": [f"{type(t).__module__}.{t!r}" for t in v.techniques],
                    "g_kwargs": _jsonable(dict(v.g_kwargs)),
                    "d_kwargs": _jsonable(dict(v.d_kwargs)),
                    "overrides": _jsonable(dict(v.overrides)),
                }
                for v in self.variants
            ],
            "seeds": list(self.seeds),
            "steps": self.steps,
            "every": self.every,
        }

    def fingerprint(self) -> str:
        """A hash of :meth:`spec`: it changes whenever the study's definition changes."""
        return hashlib.sha256(json.dumps(self.spec(), sort_keys=True).encode()).hexdigest()[:16]

    def variant(self, name: str) -> Variant:
        """The variant called ``name``."""
        for v in self.variants:
            if v.name == name:
                return v
        raise KeyError(
            f"study {self.name!r} has no variant {name!r}; it has {[v.name for v in self.variants]}"
        )


def _benchmark_spec(b: ToyBenchmark | MNISTBenchmark | StackedMNISTBenchmark) -> dict[str, Any]:
    if isinstance(b, MNISTBenchmark):
        settings = {"width": b.width, "train": b.train}  # the data: the split of GANCORE_DATA
        if b.labels:  # only when set, so the fingerprints of unlabelled studies stay as they were
            settings["labels"] = True
    elif isinstance(b, StackedMNISTBenchmark):
        settings = {"width": b.width, "train": b.train, "n_train": b.n_train}
    else:
        settings = {
            "mixture": _describe(b.mixture),
            "g_kwargs": _jsonable(b.g_kwargs),
            "d_kwargs": _jsonable(b.d_kwargs),
        }
    return {
        "name": b.name,
        **settings,
        "config": _jsonable(dataclasses.asdict(b.config)),
        "latent_dim": b.latent_dim,
        "n_samples": b.n_samples,
    }


def _describe(obj: Any) -> str:
    """A stable text for a factory or a benchmark setting (a partial's function and arguments).

    Functions and classes are named by their public path (``gancore.data.ring``, not the
    submodule that defines it), so moving code between gancore's files changes no fingerprint.
    """
    if isinstance(obj, partial):
        args = [repr(a) for a in obj.args] + [f"{k}={v!r}" for k, v in sorted(obj.keywords.items())]
        return f"{_describe(obj.func)}({', '.join(args)})"
    module = getattr(obj, "__module__", "") or ""
    name = getattr(obj, "__qualname__", repr(obj))
    public = module.rsplit(".", 1)[0]  # gancore.data.toy -> gancore.data
    if module.startswith("gancore.") and getattr(importlib.import_module(public), name, None) is obj:
        if public != "gancore.techniques":  # technique classes keep their file, as first stored
            module = public
    return f"{module}.{name}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    return _describe(value)


def results_folder() -> Path:
    """Where studies are stored: ``$GANCORE_RESULTS``, else ``book/results`` of this checkout."""
    env = os.environ.get("GANCORE_RESULTS")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "book" / "results"


def _study(name: str) -> Study:
    from .book import STUDIES  # the registry imports this module, so not at the top

    if name not in STUDIES:
        raise KeyError(f"unknown study {name!r}; known: {sorted(STUDIES)}")
    return STUDIES[name]


def load(name: str, folder: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The stored table of study ``name`` (``compare``'s columns, every checkpoint).

    Raises:
        FileNotFoundError: If the study was never run.
        StaleStudyError: If the file's fingerprint differs from the study's current definition.
    """
    study = _study(name)
    path = Path(folder or results_folder()) / f"{name}.json"
    stored = json.loads(path.read_text())
    if stored["fingerprint"] != study.fingerprint():
        raise StaleStudyError(
            f"{path} was made from another definition of study {name!r} (fingerprint "
            f"{stored['fingerprint']}, now {study.fingerprint()}): run scripts/run_study.py {name}"
        )
    table = pd.DataFrame(stored["rows"])
    table.attrs["provenance"] = {k: v for k, v in stored.items() if k != "rows"}
    return table


def replay(
    name: str, variant: str, seed: int, step: int, folder: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """Re-train one stored run up to checkpoint ``step`` and put it beside the stored row.

    The run goes through the same batched code as the study (one member), so on the same kind of
    CPU its numbers match bit for bit; elsewhere rounding may differ in the last digits.

    Returns:
        A two-row table, ``stored`` and ``replayed``, with the metric and loss columns.
    """
    study = _study(name)
    table = load(name, folder)
    stored = table[(table["variant"] == variant) & (table["seed"] == seed) & (table["step"] == step)]
    if len(stored) != 1:
        raise ValueError(f"study {name!r} stores no row for ({variant!r}, seed {seed}, step {step})")
    fresh = run(study.variant(variant), study.benchmark, seed, steps=step, batch=True)
    row, skip = stored.iloc[0], ("variant", "seed", "step", "seconds_per_step")
    # a column the run does not score (conditional metrics of an unconditional run) is NaN in the table
    columns = [c for c in stored.columns if c not in skip and (c in fresh or pd.notna(row[c]))]
    return pd.DataFrame([row[columns], pd.Series(fresh)[columns]], index=["stored", "replayed"])


def cpu_kernels() -> str:
    """The vector instruction set of torch's CPU kernels on this machine (``"AVX2"``, ``"AVX512"``, ...).

    Training a GAN is chaotic: two runs whose kernels round differently agree in their first
    steps, then drift apart, and after a few hundred steps their scores differ. So a stored run
    is reproduced bit for bit only by the kernels it was made with; studies record theirs.
    """
    return torch.backends.cpu.get_cpu_capability()


def replayable(name: str, folder: str | os.PathLike[str] | None = None) -> bool:
    """Whether this machine runs the CPU kernels that study ``name`` was stored with."""
    return load(name, folder).attrs["provenance"].get("cpu_kernels") == cpu_kernels()


def verify(
    name: str, variant: str, seed: int, step: int, folder: str | os.PathLike[str] | None = None
) -> pd.DataFrame | None:
    """Check that the code still produces a stored run: :func:`replay` it and compare.

    Modes must be equal, HQ within 10 of 2,500 samples, every other score and loss within a
    relative 1e-4 (the stored decimals). On a machine whose CPU kernels differ from the study's
    (:func:`cpu_kernels`) a replay cannot match, so nothing is trained and ``None`` is returned.

    Returns:
        The :func:`replay` table, or ``None`` when the kernels differ.

    Raises:
        AssertionError: If the replay differs from the stored row.
    """
    if not replayable(name, folder):
        return None
    both = replay(name, variant, seed, step, folder)
    stored, fresh = both.loc["stored"], both.loc["replayed"]
    for column in both.columns:
        a, b = float(stored[column]), float(fresh[column])
        if column == "modes":
            same = a == b
        elif column == "hq":
            same = abs(a - b) <= 0.004
        else:
            same = bool(np.isclose(a, b, rtol=1e-4, atol=1e-6, equal_nan=True))
        if not same:
            raise AssertionError(
                f"study {name!r}, {variant!r} seed {seed} step {step}: {column} differs\n{both}"
            )
    return both


def _git_commit() -> str:
    """The checkout's commit, marked when gancore has uncommitted changes."""
    here = Path(__file__).resolve().parents[1]  # the gancore package

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], capture_output=True, text=True, check=True, cwd=here
        ).stdout.strip()

    try:
        dirty = git("status", "--porcelain", "--", str(here))
        return git("rev-parse", "HEAD") + ("+uncommitted gancore changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def run_study(
    name: str, workers: int = 2, folder: str | os.PathLike[str] | None = None, progress: bool = True
) -> Path:
    """Run study ``name`` and write ``NAME.json`` with its provenance; returns the path."""
    from .. import __version__

    study = _study(name)
    commit = _git_commit()  # before training: the code that runs is the code checked out now
    start = time.perf_counter()
    table = compare(list(study.variants), study.benchmark, seeds=study.seeds, steps=study.steps,
                    workers=workers, progress=progress, every=study.every)  # fmt: skip
    payload = {
        "name": name,
        "description": study.description,
        "fingerprint": study.fingerprint(),
        "spec": study.spec(),
        "gancore_version": __version__,
        "git_commit": commit,
        "torch_version": torch.__version__,
        "machine": f"{platform.machine()} {platform.processor() or ''} ({os.cpu_count()} cores)".strip(),
        "cpu_kernels": cpu_kernels(),
        "workers": workers,
        "wall_seconds": round(time.perf_counter() - start, 1),
        "created": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "rows": json.loads(table.to_json(orient="records", double_precision=15)),
    }
    path = Path(folder or results_folder()) / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1) + "\n")
    return path


def rehash(name: str, folder: str | os.PathLike[str] | None = None, progress: bool = False) -> Path:
    """Carry a stored study over to a new *description* of the same runs, after checking them.

    When the code that describes a study changes but the runs do not (a renamed argument, a
    new ``TrainConfig`` field at a neutral default), the stored fingerprint no longer matches.
    Rather than re-running hours of training, this re-trains every variant, all seeds batched as
    in the study, up to the first checkpoint, and requires every score and loss to equal the
    stored row (to the decimals stored). Only then are the new spec and fingerprint written,
    with a ``rehashed`` record (old fingerprint, commit, what was checked). Anything else raises.

    Returns:
        The path of the updated JSON file.
    """
    study = _study(name)
    path = Path(folder or results_folder()) / f"{name}.json"
    stored = json.loads(path.read_text())
    if stored.get("cpu_kernels") != cpu_kernels():
        raise StaleStudyError(
            f"{path} was made with {stored.get('cpu_kernels')} CPU kernels and this machine runs "
            f"{cpu_kernels()}: a replay cannot match; rehash it on such a machine or re-run it"
        )
    table = pd.DataFrame(stored["rows"])
    if [v["name"] for v in stored["spec"]["variants"]] != [v.name for v in study.variants]:
        raise StaleStudyError(
            f"study {name!r} has other variants than {path}: run scripts/run_study.py {name}"
        )
    fresh = compare(list(study.variants), study.benchmark, seeds=study.seeds, steps=study.every,
                    workers=1, progress=progress)  # fmt: skip
    old = table[table["step"] == study.every].reset_index(drop=True)
    columns = [c for c in fresh.columns if c not in ("variant", "seconds_per_step")]
    same = np.isclose(
        old[columns].to_numpy(float), fresh[columns].to_numpy(float), rtol=0, atol=1e-9, equal_nan=True
    )
    mismatch = ~same.all(axis=1) | (old["variant"] != fresh["variant"]).to_numpy()
    if mismatch.any():
        rows = old.loc[mismatch, ["variant", "seed"]].to_records(index=False).tolist()
        raise StaleStudyError(f"the code no longer reproduces {path} at step {study.every} for {rows}")
    stored["rehashed"] = [
        *stored.get("rehashed", []),
        {
            "from": stored["fingerprint"],
            "git_commit": _git_commit(),
            "checked": f"every variant and seed replayed to step {study.every}: scores and losses equal "
            "to the stored decimals",
            "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        },
    ]
    stored["spec"], stored["fingerprint"] = study.spec(), study.fingerprint()
    path.write_text(json.dumps(stored, indent=1) + "\n")
    return path
