"""Pydantic's validation errors as a content editor reads them: a Chinese message for each error type
and the field named from where the item's line already points (`basis[0].law`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Chinese messages for the pydantic error types a content editor meets.
MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（是否拼写错误？）",
    "string_type": "应为文本",
    "string_too_short": "不能为空",
    "string_pattern_mismatch": "只能使用小写字母、数字和连字符（-），以字母或数字开头，最长 80 个字符",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "date_type": "应为日期，格式 YYYY-MM-DD",
    "date_parsing": "应为日期，格式 YYYY-MM-DD",
    "date_from_datetime_parsing": "应为日期，格式 YYYY-MM-DD",
    "date_from_datetime_inexact": "应为日期，格式 YYYY-MM-DD（不含时间）",
    "list_type": "应为列表",
    "dict_type": "应为键值映射",
    "model_type": "应为键值映射",
    "model_attributes_type": "应为键值映射",
}


def problem_message(error: Any) -> str:
    kind = error["type"]
    if kind == "too_short":
        return f"至少需要 {error.get('ctx', {}).get('min_length', 1)} 项"
    if kind == "value_error":  # a model's own check: its Chinese message without pydantic's prefix
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return str(MESSAGES.get(kind, error["msg"]))


def field_name(loc: Sequence[str | int]) -> str:
    """`basis[0].law` for ("items", 3, "basis", 0, "law"): the line already places the item."""
    parts = list(loc)
    if len(parts) >= 2 and parts[0] == "items" and isinstance(parts[1], int):
        parts = parts[2:]
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
