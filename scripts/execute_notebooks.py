"""Execute the book's notebooks in place (outputs and widget state stored) and clean metadata.

Usage: python scripts/execute_notebooks.py [NOTEBOOK ...]   (default: every notebook in book/)
Prints each notebook's wall time and size; exits non-zero if one fails or exceeds the budget.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
BUDGET_S = 120
MAX_BYTES = 3 * 2**20
KEEP_CELL_METADATA = ("tags",)


def clean(nb: nbformat.NotebookNode) -> None:
    """Drop noisy metadata (timings, widths, ids of the executing machine)."""
    nb.metadata = nbformat.from_dict(
        {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            **({"widgets": nb.metadata["widgets"]} if "widgets" in nb.metadata else {}),
        }
    )
    for cell in nb.cells:
        cell.metadata = nbformat.from_dict(
            {k: v for k, v in cell.metadata.items() if k in KEEP_CELL_METADATA}
        )


def execute(path: Path) -> float:
    """Run ``path`` top to bottom in its own folder and write it back; return seconds."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    clean(nb)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=lambda p: Path(p).resolve())
    args = parser.parse_args()
    # A kernel that inherits MPLBACKEND=Agg (set for the test run) would record no figures.
    os.environ.pop("MPLBACKEND", None)
    paths = args.notebooks or sorted(
        p for p in (ROOT / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
    )
    failed = False
    for path in paths:
        seconds = execute(path)
        size = path.stat().st_size
        over = seconds > BUDGET_S or size > MAX_BYTES
        failed |= over
        flag = "  OVER BUDGET" if over else ""
        print(f"{seconds:7.1f} s {size / 2**20:6.2f} MB  {path.relative_to(ROOT)}{flag}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
