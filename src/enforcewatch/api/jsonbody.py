"""JSON request bodies, parsed only when they are no deeper than any real submission.

Python's parser recurses once per level: a body of a few KB nested a thousand deep would end in a
RecursionError (a 500) or cost every validator after it (issue 19). The depth is measured on the raw
bytes first, skipping strings, and a deeper body is refused with the form's own error shape.
"""

from __future__ import annotations

import json
import re
from typing import Any

from enforcewatch.errors import FieldError, InputError

MAX_DEPTH = 16  # a report is 4 deep (report → inspections → inspection → misconduct)
TOO_DEEP = "提交内容嵌套层数过多，请按表单格式提交"
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in `raw` (brackets inside strings do not count)."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return raw.count(b"[") + raw.count(b"{")  # an upper bound, enough to accept: the usual case
    deepest = level = 0
    for match in _TOKENS.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            level += 1
            deepest = max(deepest, level)
        elif token in (b"]", b"}"):
            level -= 1
    return deepest


def loads(raw: bytes) -> Any:
    """`json.loads`, refusing bodies nested deeper than MAX_DEPTH (InputError, 422); ValueError as json's."""
    if depth(raw) > MAX_DEPTH:
        raise InputError(TOO_DEEP, [FieldError((), TOO_DEEP)])
    return json.loads(raw)
