"""The wheel: `python -m build` packages the classifier weights, and the README example runs from it.

The wheel is built from a copy of the sources and installed (without dependencies) into a fresh
venv that sees this venv's site-packages for torch and friends; the example then runs with that
venv's Python, outside the repository, and must import gancore from the fresh venv.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ASSET = "gancore/assets/mnist_classifier.pt"


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "gancore", src / "gancore", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp_path_factory.mktemp("dist")
    # No isolation: setuptools from this venv, nothing to download.
    _run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, src, cwd=src)
    (found,) = dist.glob("gancore-*.whl")
    return found


def test_the_wheel_ships_the_classifier_weights(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert ASSET in names
    with zipfile.ZipFile(wheel).open(ASSET) as f:
        assert f.read() == (ROOT / ASSET).read_bytes()
    assert not [n for n in names if n.startswith(("tests/", "book/", "scripts/"))]


def test_the_readme_example_runs_from_the_installed_wheel(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    site = Path(
        _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp_path).strip()
    )
    # Dependencies (torch is gigabytes) come from this venv: a path line, not a site dir, so this
    # venv's editable gancore is not activated there.
    (site / "_deps_from_project_venv.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--quiet",
        "--no-deps",
        wheel,
        cwd=tmp_path,
    )

    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    assert len(blocks) == 1, "the README has exactly one Python example"
    script = tmp_path / "example.py"
    script.write_text(
        blocks[0]
        + textwrap.dedent("""
        import gancore, gancore.classifier
        print("FROM", gancore.__file__)
        print("WEIGHTS", gancore.classifier.load_classifier().head[1].weight.shape[1])
    """)
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(OMP_NUM_THREADS="1", MPLBACKEND="Agg")
    out = _run(python, "-I", script, cwd=tmp_path, env=env).splitlines()
    assert re.fullmatch(r"\d/8 modes, \d+% high quality, KL \d\.\d{3}", out[0]), out
    assert Path(out[1].removeprefix("FROM ")).is_relative_to(site), out[1]
    assert out[2] == "WEIGHTS 128"
