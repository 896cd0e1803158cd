"""The ``matcher`` command line: ``main`` is the console script."""

from matcher.cli.main import main

__all__ = ["main"]
