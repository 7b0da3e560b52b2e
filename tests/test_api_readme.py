"""The README's "Python API" section runs: every ```python block, in order, in one namespace.

The blocks run in a scratch folder that holds a link to the repository's ``samples/``, so their relative
paths work and what they write stays out of the repository.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT

pytest.importorskip("pandas")


def api_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## Python API\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def python_blocks(section: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", section, flags=re.S | re.M)


def test_readme_has_python_api_examples():
    blocks = python_blocks(api_section())
    assert len(blocks) >= 3
    assert all("cchc_xl." in b for b in blocks)


def test_readme_python_api_examples_run(tmp_path, monkeypatch, capsys):
    (tmp_path / "samples").symlink_to(ROOT / "samples", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__readme__"}
    for n, block in enumerate(python_blocks(api_section()), 1):
        exec(compile(block, f"README.md Python API block {n}", "exec"), namespace)
    out = capsys.readouterr().out
    assert "Quang Khải" in out and "Ứng Hòe" in out
    assert not any(p.name.endswith(".xlsx") for p in (ROOT / "samples").glob("gui-xa*"))
