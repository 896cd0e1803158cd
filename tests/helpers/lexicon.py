"""Breaking the shipped word lists one line at a time, for the loader's checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from matcher.engine.lexicon import FOLDER, LexiconError, load
from matcher.errors import Problem


def copy_lexicon(tmp_path: Path) -> Path:
    """A copy of the shipped data files, to break one at a time."""
    return Path(shutil.copytree(FOLDER, tmp_path / "lexicon", ignore=shutil.ignore_patterns("*.py", "*.md", "__*")))


def append(path: Path, *lines: str) -> int:
    """Add lines at the end of a file; the number of the last one."""
    with path.open("a", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in lines))
    return len(path.read_text(encoding="utf-8").split("\n")) - 1


def problems(folder: Path) -> list[Problem]:
    """Every problem the loader reports for ``folder`` (it must refuse it)."""
    with pytest.raises(LexiconError) as e:
        load(folder)
    return e.value.problems
