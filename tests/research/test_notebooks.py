"""The research notebooks: stored without outputs, and they run top to bottom on the demo corpus.

Execution is slow (each notebook indexes the bundled corpus into its own temporary store), so the three run
in parallel kernels, each in its own process, and the executed copies are written to a temporary folder:
the stored notebooks are never rewritten by a test run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).parents[2] / "notebooks").glob("*.ipynb"))
RUNNER = textwrap.dedent("""
    import sys
    import nbformat
    from nbclient import NotebookClient

    source, target = sys.argv[1], sys.argv[2]
    nb = nbformat.read(source, as_version=4)
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(__import__("pathlib").Path(source).parent)}}).execute()
    nbformat.write(nb, target)
""")


def test_the_three_notebooks_exist():
    assert [p.name for p in NOTEBOOKS] == ["01_corpus.ipynb", "02_gap_coverage.ipynb", "03_retrieval_quality.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert all("matcher-nb" in c.source for c in code[:1])  # the first cell moves MATCHER_HOME to a temp folder
    assert ".matcher" not in json.dumps([c.source for c in nb.cells])


def _errors(nb) -> list[str]:
    return [f"{o.get('ename')}: {o.get('evalue')}" for c in nb.cells if c.cell_type == "code"
            for o in c.outputs if o.output_type == "error"]


@pytest.mark.slow
def test_notebooks_run_top_to_bottom(tmp_path):
    runs = {}
    for path in NOTEBOOKS:
        target = tmp_path / path.name
        runs[path.name] = (target, subprocess.Popen([sys.executable, "-c", RUNNER, str(path), str(target)],
                                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    failures = []
    for name, (target, proc) in runs.items():
        _, err = proc.communicate(timeout=1500)
        if proc.returncode != 0:
            failures.append(f"{name}: {err[-3000:]}")
            continue
        nb = nbformat.read(target, as_version=4)
        assert not _errors(nb), (name, _errors(nb))
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.execution_count for c in code), name
        images = sum("image/png" in o.get("data", {}) for c in code for o in c.outputs)
        assert images >= 2, f"{name} drew {images} plots"
    assert not failures, "\n".join(failures)
    for path in NOTEBOOKS:  # running them did not write outputs into the stored files
        assert all(c.outputs == [] for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
