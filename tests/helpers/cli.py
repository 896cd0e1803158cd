"""Running the real CLI in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers.paths import FIXTURES

# `matcher index` of the mini corpus (8 innovations, 3 gaps).
INDEX_MINI = ["index", "--innovations", str(FIXTURES / "mini_innovations.jsonl"),
              "--gaps", str(FIXTURES / "mini_gaps.jsonl")]


def run(args: list[str], home: Path, timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
    """``python -m matcher.cli *args`` with MATCHER_HOME=home (and ``env``); output captured as text."""
    environ = {**os.environ, "MATCHER_HOME": str(home), **env}
    return subprocess.run([sys.executable, "-m", "matcher.cli", *args], capture_output=True, text=True,
                          env=environ, timeout=timeout)
