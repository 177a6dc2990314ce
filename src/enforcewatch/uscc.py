"""统一社会信用代码 (unified social credit code), GB 32100-2015.

18 characters: registration authority (1), entity type (1), administrative division (6, digits),
organisation code (9), check character (1). Characters come from 0-9 and 31 capital letters
(no I, O, S, V, Z). The check character is 31 − (Σ value·weight mod 31), with 31 → 0.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
# The shape `problem` accepts (typed in either case), for schemas; the check character is checked by `problem` only.
_ANY = ALPHABET + ALPHABET[10:].lower()
PATTERN = f"^[{_ANY}]{{2}}[0-9]{{6}}[{_ANY}]{{10}}$"


def check_character(first17: str) -> str:
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """None if `code` is a valid 统一社会信用代码, else a message in Chinese saying what is wrong."""
    if len(code) != 18:
        return f"统一社会信用代码应为18位，当前为{len(code)}位"
    bad = sorted({ch for ch in code if ch not in _VALUE})
    if bad:
        return f"统一社会信用代码含有不允许的字符：{''.join(bad)}（字母须大写，且不使用I、O、S、V、Z）"
    if not code[2:8].isdigit():
        return "统一社会信用代码第3至8位（登记管理机关行政区划码）应为数字"
    expected = check_character(code[:17])
    if code[17] != expected:
        return "统一社会信用代码校验位不正确，请核对后重新填写"
    return None


def is_valid(code: str) -> bool:
    return problem(code) is None
