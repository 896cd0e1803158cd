"""The architecture as checks: small modules and classes, declared layers, and a light public API."""

from __future__ import annotations

import ast
import io
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

import matcher

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [ROOT / "matcher", ROOT / "service"]
MAX_CODE_LINES = 400
MAX_PUBLIC_METHODS = 15


def _code_lines(path: Path) -> int:
    """Lines holding code: no blank lines, comments or docstrings."""
    source = path.read_text()
    docstrings = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and \
                isinstance(getattr(body[0], "value", None), ast.Constant) and isinstance(body[0].value.value, str):
            docstrings.update(range(body[0].lineno, body[0].end_lineno + 1))
    lines = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                            tokenize.ENDMARKER):
            lines.update(range(tok.start[0], tok.end[0] + 1))
    return len(lines - docstrings)


def _modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in package.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_too_long(path):
    assert _code_lines(path) <= MAX_CODE_LINES, f"{path.name}: split it by concept"


def _is_property(f: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "property" for d in f.decorator_list)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_class_has_too_many_public_methods(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ClassDef):
            public = [f.name for f in node.body if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
                      and not f.name.startswith("_") and not _is_property(f)]
            assert len(public) <= MAX_PUBLIC_METHODS, f"{node.name} has {len(public)} public methods: {public}"


def test_the_layer_contracts_hold():
    """import-linter's contracts in pyproject.toml: layers, the service on the public surface, no cycles."""
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "0 broken" in done.stdout


def test_every_public_name_resolves():
    assert matcher.__all__ == sorted(matcher._EXPORTS)
    for name in matcher.__all__:
        assert getattr(matcher, name) is not None
    assert matcher.Matcher.__module__ == "matcher.facade"
    with pytest.raises(AttributeError):
        matcher.no_such_name  # noqa: B018


def test_import_matcher_loads_no_engine():
    """``import matcher`` stays cheap (the CLI starts with it): the submodules load on first use."""
    code = ("import sys, matcher; heavy = [m for m in ('numpy', 'faiss', 'matcher.facade', 'fastapi') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
