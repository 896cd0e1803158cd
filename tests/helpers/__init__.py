"""Shared test helpers (importable as ``helpers.*`` because pyproject puts tests/ on pytest's pythonpath).

Test modules import from here and never from each other; fixtures shared by several folders live in
tests/conftest.py.
"""
