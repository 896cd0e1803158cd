"""Reading a batch run's files back as a person's tools would: the Indonesian CSV, numbers, the HTML report."""

from __future__ import annotations

import csv
from html.parser import HTMLParser
from pathlib import Path

from matcher.batch.tables import HEADERS

GORONTALO = ["75.01", "75.02", "75.03", "75.04", "75.05", "75.71"]
K = 3


def read_csv(path: Path, delimiter: str = ";") -> list[dict[str, str]]:
    """Rows as Excel in an Indonesian locale reads the file (';' between cells), keyed back to our column keys;
    a header that is not one of ours, or a row of another length, fails here."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh, delimiter=delimiter))
    keys = {header: key for key, header in HEADERS.items()}
    columns = [keys[h] for h in table[0]]
    assert all(len(row) == len(columns) for row in table), "a row with another number of cells"
    return [dict(zip(columns, row, strict=True)) for row in table[1:]]


def decimal(text: str) -> float:
    """A number as the Indonesian CSV writes it: decimal comma, no thousands mark."""
    assert "." not in text, text
    return float(text.replace(",", "."))


class _Html(HTMLParser):
    """Collects tags, attributes and text, so assertions are about the parsed page, not about substrings."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse_html(path: Path) -> _Html:
    page = _Html()
    page.feed(path.read_text(encoding="utf-8"))
    return page
