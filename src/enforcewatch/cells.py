"""Spreadsheet cells that must stay text: the one rule for every CSV and XLSX the system writes.

A cell starting with = + - @, tab or CR would be run as a formula by Excel or WPS (CSV injection);
so would their full-width and small forms (＝ ﹦ ＋ …), which spreadsheets in Chinese locales may
read as the ASCII ones, and any of them behind characters nobody sees (zero-width, BOM, soft
hyphen, bidi marks, blank-looking spaces: issue 19). Such a cell gets a leading apostrophe, which
spreadsheets show as text.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r",
                 "\uff1d", "\ufe66",  # ＝ full-width, ﹦ small equals
                 "\uff0b", "\ufe62", "\uff0d", "\ufe63", "\uff20", "\ufe6b")  # ＋ ﹢ － ﹣ ＠ ﹫
FORMULA_CHARS = frozenset(FORMULA_START)  # each is one character
# Invisible or blank-looking characters a formula can hide behind.
INVISIBLE = ("\u00a0\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2000-\u200f\u2028-\u202f"
             "\u205f-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0 ")
_START = "[" + INVISIBLE + "]*[" + re.escape("".join(FORMULA_START)) + "]"
FORMULA_AT_START = re.compile(_START)
# Over a row's cells joined by "\n": a cell can start like a formula only where this matches (so a
# writer can skip the cell-by-cell check when it does not; a line break inside a cell may match too:
# then the writer checks each cell).
FORMULA_IN_ROW = re.compile(r"(?:\A|\n)" + _START)


def as_text(value: str) -> str:
    return "'" + value if FORMULA_AT_START.match(value) else value
