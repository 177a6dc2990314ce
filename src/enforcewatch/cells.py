"""Spreadsheet cells that must stay text: the one rule for every CSV and XLSX the system writes.

A cell starting with = + - @, tab or CR would be run as a formula by Excel or WPS (CSV injection);
it gets a leading apostrophe, which spreadsheets show as text.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_CHARS = frozenset(FORMULA_START)  # each is one character
# Over a row's cells joined by "\n": a cell after the first can start like a formula only where this
# matches (so a writer can skip the cell-by-cell check when it does not; a line break inside a cell
# may match too: then the writer checks each cell). The first cell: `joined[:1] in FORMULA_CHARS`.
FORMULA_AFTER_LINE_BREAK = re.compile("\n[" + re.escape("".join(FORMULA_START)) + "]")


def as_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value
