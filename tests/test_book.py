"""The book's structure: the table of contents, executed notebooks, sizes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
NOTEBOOKS = sorted(p for p in BOOK.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def _toc_files(node: object) -> list[str]:
    files: list[str] = []
    if isinstance(node, dict):
        if "file" in node:
            files.append(node["file"])
        for value in node.values():
            files += _toc_files(value)
    elif isinstance(node, list):
        for item in node:
            files += _toc_files(item)
    return files


def _code_cells(path: Path) -> list[dict]:
    nb = json.loads(path.read_text())
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def test_toc_and_book_list_the_same_notebooks():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    entries = [toc["root"], *_toc_files(toc)]
    in_toc = {e for e in entries if (ROOT / f"{e}.ipynb").exists()}
    on_disk = {str(p.relative_to(ROOT).with_suffix("")) for p in NOTEBOOKS}
    assert in_toc == on_disk
    missing = [e for e in entries if not any((ROOT / f"{e}{s}").exists() for s in (".ipynb", ".md"))]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_there_are_chapters():
    assert len(NOTEBOOKS) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_executed_without_errors(path):
    cells = _code_cells(path)
    assert cells, f"{path.name} has no code"
    unexecuted = [i for i, c in enumerate(cells) if c.get("execution_count") is None]
    assert not unexecuted, f"{path.name}: code cells {unexecuted} were not executed"
    counts = [c["execution_count"] for c in cells]
    assert counts == sorted(counts), f"{path.name} was not executed top to bottom"
    errors = [o for c in cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"{path.name} holds error outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_small(path):
    assert path.stat().st_size <= 3 * 2**20


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_follows_the_skeleton(path):
    nb = json.loads(path.read_text())
    markdown = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    assert markdown[0].startswith("# "), "a chapter opens with its # title"
    headings = [line for m in markdown for line in m.splitlines() if line.startswith("## ")]
    assert "## Summary" in headings and "## Exercises" in headings
    assert any("import gancore as gc" in "".join(c["source"]) for c in _code_cells(path))
    hidden = [c for c in _code_cells(path) if "remove-cell" in c.get("metadata", {}).get("tags", [])]
    assert any("assert" in "".join(c["source"]) for c in hidden), "numbers are asserted in hidden cells"
