"""The research notebooks: stored without outputs, and they run top to bottom on the demo corpus.

Execution is slow (each notebook indexes the bundled corpus into its own temporary store), so the three run
in parallel kernels, each in its own process, and the executed copies are written to a temporary folder:
the stored notebooks are never rewritten by a test run. Each kernel talks over Unix sockets in its own folder:
TCP ports picked by three kernels starting at once can collide ("Address already in use").
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import numpy as np
import pytest

import matcher

NOTEBOOKS = sorted((Path(__file__).parents[2] / "notebooks").glob("*.ipynb"))
RUNNER = textwrap.dedent("""
    import sys
    import tempfile
    from pathlib import Path
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    source, target = sys.argv[1], sys.argv[2]
    nb = nbformat.read(source, as_version=4)
    with tempfile.TemporaryDirectory(prefix="nbk-") as sockets:  # short: a socket path has ~100 characters
        kernel = KernelManager(kernel_name="python3", transport="ipc", ip=str(Path(sockets) / "kernel"))
        NotebookClient(nb, km=kernel, timeout=900, resources={"metadata": {"path": str(Path(source).parent)}}).execute()
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


def _internal_names(source: str) -> list[str]:
    """What ``source`` takes from matcher beyond ``import matcher`` and the names in ``matcher.__all__``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("matcher.")]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "matcher":
            found += [f"{node.module}.{a.name}" for a in node.names
                      if node.module != "matcher" or a.name not in matcher.__all__]
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "matcher"
              and node.attr not in matcher.__all__):
            found.append(f"matcher.{node.attr}")
    return found


def test_the_public_api_check_finds_internals():
    source = "import matcher\nimport matcher.facade\nfrom matcher.research import demo\nmatcher.research.x\n"
    assert _internal_names(source) == ["matcher.facade", "matcher.research.demo", "matcher.research"]
    assert _internal_names("import matcher\nfrom matcher import Matcher\nmatcher.to_frame([])") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_only_the_public_api(path):
    """The notebooks teach the library: ``import matcher`` and its public names, never an internal module."""
    nb = nbformat.read(path, as_version=4)
    assert _internal_names("\n".join(c.source for c in nb.cells if c.cell_type == "code")) == []


def test_to_frame_gives_one_row_per_result():
    inv = matcher.Innovation("INO-1", "SIANTRE", "Antrean daring.", region_code="35.15", sector="kesehatan")
    match = matcher.Match(inv, 1, 3.2, 0.8, 7.1, ["antrean"], "Antrean daring.")
    matches = matcher.to_frame([match])
    assert matches.to_dict("records") == [{
        "rank": 1, "innovation_id": "INO-1", "title": "SIANTRE", "sector": "kesehatan", "region_code": "35.15",
        "score": 3.2, "dense": 0.8, "lexical": 7.1, "matched_terms": ["antrean"], "best_sentence": "Antrean daring.",
    }]
    rec = matcher.Recommendation(inv, 1, 5.3, {"relevance": 5.0, "maturity": 0.3}, [], 12.5, "Kota Malang")
    assert list(matcher.to_frame([rec]).columns) == ["rank", "innovation_id", "title", "sector", "region_code",
                                                     "origin", "distance_km", "score", "relevance", "maturity", "gaps"]
    result = matcher.EvalResult(0.5, 0.75, 1.0, 2, 10, {"GAP-1": {"ndcg": 0.25, "recall": 0.5, "mrr": 1.0},
                                                        "GAP-2": {"ndcg": 0.75, "recall": 1.0, "mrr": 1.0}})
    per_gap = matcher.to_frame(result)
    assert list(per_gap.index) == ["GAP-1", "GAP-2"] and per_gap.ndcg.mean() == result.ndcg
    runs = matcher.to_frame({"hybrid": result})
    assert runs.loc["hybrid", "queries"] == 2 and runs.loc["hybrid", "recall"] == 0.75
    table = matcher.to_frame(matcher.CrossTable(["a", "b"], ["x"], np.array([[1.0], [2.0]])))
    assert table.x.tolist() == [1, 2] and table.x.dtype.kind == "i"
    assert matcher.to_frame(matcher.CrossTable(["a"], ["x"], np.array([[np.nan]]))).x.isna().all()
    with pytest.raises(TypeError, match="str"):
        matcher.to_frame(["not a result"])


def test_pandas_loads_only_when_a_frame_is_made():
    code = "import sys, matcher; matcher.to_frame; matcher.Matcher; print('pandas' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_to_frame_names_the_extra_when_pandas_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` raise ImportError
    with pytest.raises(ImportError, match=re.escape("pip install -e '.[notebooks]'")):
        matcher.to_frame([])


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
