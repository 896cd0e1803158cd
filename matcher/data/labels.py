"""Codes as people read them, for reports, plans and charts."""

from __future__ import annotations


def label(sector: str | None) -> str:
    """A sector code as people read it: 'air_bersih_sanitasi' -> 'air bersih sanitasi'."""
    return (sector or "tanpa sektor").replace("_", " ")
