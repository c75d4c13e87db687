"""The README's "use gancore in your own notebook" example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_runs(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) == 1, "the README has exactly one Python example"
    code = blocks[0]
    assert len(code.strip().splitlines()) <= 12
    exec(compile(code, str(README), "exec"), {})
    out = capsys.readouterr().out
    assert re.fullmatch(r"\d/8 modes, \d+% high quality, KL \d\.\d{3}\n", out), out


def test_readme_names_the_two_commands():
    text = README.read_text()
    assert "make book" in text and "make test" in text
