"""Trainer.save is atomic: a process killed mid-save leaves the previous checkpoint loadable."""

from __future__ import annotations

import hashlib
import importlib.util
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import gancore as gc

CHILD = Path(__file__).parent / "helpers" / "save_and_die.py"


def _child_module():
    spec = importlib.util.spec_from_file_location("save_and_die", CHILD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sigkill_mid_save_keeps_the_previous_checkpoint(tmp_path):
    build = _child_module().build
    ring = gc.data.ring()
    first = build()
    first.fit(ring, stop_at=5)
    first.save(tmp_path / "run.pt")
    before = _digest(tmp_path / "run.pt")

    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        line = child.stdout.readline()
        assert line.strip() == "WRITING", (line, child.stderr.read() if child.poll() is not None else "")
        temps = [p for p in tmp_path.iterdir() if gc.checkpoint.is_temp_file(p)]
        assert len(temps) == 1 and temps[0].stat().st_size > 0  # the new file is half written
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=60)
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL

    assert _digest(tmp_path / "run.pt") == before
    assert sorted(p.name for p in tmp_path.glob("*.pt")) == ["run.pt"]  # the leftover temp is hidden
    torch.load(tmp_path / "run.pt", map_location="cpu", weights_only=True)
    resumed = build()
    resumed.load(tmp_path / "run.pt")
    assert resumed.step == 5
    resumed.fit(ring)
    straight = build()
    straight.fit(ring)
    for key, value in straight.state_dict()["gan"].items():
        assert torch.equal(value, resumed.state_dict()["gan"][key]), key
    assert torch.equal(torch.as_tensor(straight.history.table()), torch.as_tensor(resumed.history.table()))


def test_save_replaces_atomically_and_leaves_no_temp_file(tmp_path):
    trainer = _child_module().build()
    trainer.save(tmp_path / "run.pt")
    trainer.fit(gc.data.ring(), stop_at=2)
    trainer.save(tmp_path / "run.pt")
    assert [p.name for p in tmp_path.iterdir()] == ["run.pt"]
    assert torch.load(tmp_path / "run.pt", weights_only=True)["step"] == 2


def test_a_failed_save_leaves_nothing_behind(tmp_path, monkeypatch):
    trainer = _child_module().build()

    def broken(obj, f):
        f.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", broken)
    with pytest.raises(OSError, match="disk full"):
        trainer.save(tmp_path / "run.pt")
    assert list(tmp_path.iterdir()) == []
