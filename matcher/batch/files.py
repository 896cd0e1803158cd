"""Writing output files safely: atomic replacement, byte-stable Office files, and spreadsheet-safe cells.

A batch run may be killed at any moment and then resumed, and a resumed run must end with the very bytes of an
uninterrupted one. So every file is written to a temporary sibling and moved into place with ``os.replace``
(readers never see half a file), and Office files (XLSX, DOCX) get fixed timestamps: both openpyxl and
python-docx stamp "now" into ``docProps/core.xml`` and into every ZIP entry.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import zipfile
from pathlib import Path
from typing import Any

# Cells a spreadsheet would run as a formula (CSV/formula injection); tab and CR start one in some programs too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 forbids (tab, LF and CR are allowed): no XLSX or DOCX file can hold them.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_CORE_TIME = "2000-01-01T00:00:00Z"
_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and ``os.replace``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as fh:  # plain open: the file gets the usual umask permissions, unlike mkstemp's 0600
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


_TEMPORARY = re.compile(r"^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$")  # the names atomic_write_bytes writes to


def remove_temporaries(folder: Path) -> int:
    """Delete the temporary files that ``atomic_write_bytes`` calls in ``folder`` left behind when killed between
    writing and renaming (SIGKILL, power loss); returns how many. Those of a process still running are kept."""
    removed = 0
    for path in Path(folder).glob(".*.tmp"):
        match = _TEMPORARY.match(path.name)
        if match is None or not path.is_file() or _running(int(match.group(1))):
            continue
        path.unlink(missing_ok=True)
        removed += 1
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. another user's process
        return True
    return True


def atomic_write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """``atomic_write_bytes`` for text; newlines are written as given (no platform translation)."""
    return atomic_write_bytes(path, text.encode(encoding))


def safe_cell(value: Any) -> Any:
    """A value a spreadsheet shows as text: strings that would start a formula get a leading apostrophe.

    Numbers pass unchanged (a negative score is a number, not a formula); only text can smuggle a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def office_text(value: Any) -> Any:
    """Text an XLSX or DOCX file can hold: the characters XML 1.0 forbids are dropped, anything else passes.

    openpyxl and python-docx refuse those characters outright, so one control character in a catalogue title
    would otherwise stop a whole batch export. Tab, line feed and carriage return are allowed and kept."""
    return _XML_ILLEGAL.sub("", value) if isinstance(value, str) else value


def unsafe_cell(value: str) -> str:
    """Inverse of ``safe_cell`` for text read back from our own CSV files."""
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def stable_ooxml(data: bytes) -> bytes:
    """The same XLSX/DOCX package with fixed timestamps, so equal content gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            blob = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                blob = _CORE_DATES.sub(rb"\g<1>" + FIXED_CORE_TIME.encode() + rb"\g<3>", blob)
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, blob)
    return out.getvalue()


def safe_filename(text: str) -> str:
    """A file-name-safe form of an id ("INO-1001" stays, "a/b c" becomes "a_b_c")."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "_"
