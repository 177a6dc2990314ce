"""Rows of plain text and whole numbers appended to a one-sheet workbook, byte for byte as
openpyxl's write-only mode writes them, without its per-cell element tree.

The site publishes a sheet per list and per department (60-odd workbooks for the shipped content
times ten); openpyxl spends about 2 ms a row building and serialising an element per cell, most of
the build's time before search. Here the workbook is written by openpyxl once with its header
row only (the `skeleton`, from `stable_xlsx`), and each row is the text openpyxl would have
serialised for it. A value whose cell openpyxl treats specially (a formula, an error code, a
bool, a float, a date, a control character, a text too long for a cell) is not handled here:
`append_rows` returns None and the caller writes the workbook with openpyxl as before.
tests/tabular/test_fastrows.py compares the bytes with openpyxl's on the shipped lists and on
awkward values.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence

from enforcewatch.tabular.writer import ZIP_TIME

SHEET = "xl/worksheets/sheet1.xml"
END_OF_DATA = b"</sheetData>"
MAX_TEXT = 32767  # openpyxl cuts a longer text; left to it
# openpyxl refuses these (IllegalCharacterError) or treats the text as a formula or an error code.
_SPECIAL = re.compile(r"[\000-\010\013\014\016-\037]")
_ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))


def _letters(count: int) -> list[str]:
    """Column letters A, B, …, Z, AA, … for `count` columns."""
    letters = []
    for index in range(1, count + 1):
        name = ""
        while index:
            index, rest = divmod(index - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell(ref: str, value: object) -> str | None:
    """One cell as openpyxl serialises it, or None for a value it treats specially."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    if isinstance(value, int):
        return f'<c r="{ref}" t="n"><v>{value}</v></c>'
    if not value:
        return f'<c r="{ref}" t="inlineStr" />'
    if (len(value) > MAX_TEXT or (len(value) > 1 and value[0] == "=") or value in _ERROR_CODES
            or _SPECIAL.search(value)):
        return None
    stripped = value.strip()
    space = ' xml:space="preserve"' if stripped and stripped != value else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>'


def _rows_xml(rows: Sequence[Sequence[object]], first_row: int) -> bytes | None:
    width = max((len(row) for row in rows), default=0)
    letters = _letters(width)
    parts = []
    for number, row in enumerate(rows, start=first_row):
        cells = []
        for letter, value in zip(letters, row, strict=False):
            cell = _cell(f"{letter}{number}", value)
            if cell is None:
                return None
            cells.append(cell)
        parts.append(f'<row r="{number}">{"".join(cells)}</row>')
    return "".join(parts).encode("utf-8")


def append_rows(skeleton: bytes, rows: Sequence[Sequence[object]], first_row: int = 2) -> bytes | None:
    """The workbook `skeleton` (one sheet, written by openpyxl in write-only mode, then
    `stable_xlsx`) with `rows` appended from row `first_row`; None when a value needs openpyxl."""
    body = _rows_xml(rows, first_row)
    if body is None:
        return None
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(skeleton)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == SHEET:
                if data.count(END_OF_DATA) != 1:
                    return None
                data = data.replace(END_OF_DATA, body + END_OF_DATA)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, data)
    return out.getvalue()
