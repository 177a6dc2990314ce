"""Spreadsheet cells that must stay text: the one rule for every CSV and XLSX the system writes.

A cell starting with = + - @, tab or CR would be run as a formula by Excel or WPS (CSV injection);
it gets a leading apostrophe, which spreadsheets show as text.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def as_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value
