from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from enforcewatch import codes, uscc

# Published codes (checked by hand against GB 32100-2015's algorithm).
VALID_USCC = ["91350100M000100Y43", "91110000802100433B", "911100001000079554"]


def test_valid_codes_pass() -> None:
    for code in VALID_USCC:
        assert uscc.problem(code) is None, code


def test_each_kind_of_mistake_is_named() -> None:
    assert "18位" in (uscc.problem("9135010") or "")
    assert "不允许的字符" in (uscc.problem("91350100M000100Y4I") or "")
    assert "校验位" in (uscc.problem("91350100M000100Y44") or "")
    assert "行政区划" in (uscc.problem("91A50100M000100Y43") or "")


@given(st.text(alphabet=uscc.ALPHABET, min_size=17, max_size=17).filter(lambda s: s[2:8].isdigit()))
def test_check_character_round_trip(first17: str) -> None:
    code = first17 + uscc.check_character(first17)
    assert uscc.is_valid(code)
    wrong = next(c for c in uscc.ALPHABET if c != code[17])
    assert not uscc.is_valid(first17 + wrong)


def test_codes_are_readable_and_forgiving() -> None:
    code = codes.new_code(random.Random(1))
    assert len(code) == 24 and code.count("-") == 4
    assert codes.ENTROPY_BITS >= 80
    stored = codes.hash_code(code)
    assert codes.verify_code(code.lower().replace("-", " "), stored)
    assert not codes.verify_code(codes.new_code(random.Random(2)), stored)
    assert not codes.verify_code("nonsense", stored)


@given(st.text(max_size=40))
def test_normalize_never_crashes(text: str) -> None:
    result = codes.normalize(text)
    assert result is None or len(result) == 24


def test_confusable_letters_map_to_digits() -> None:
    assert codes.normalize("OIL0-0000-0000-0000-0000") == "0110-0000-0000-0000-0000"


@given(st.binary(min_size=1, max_size=40), st.data())
def test_crockford_takes_the_leading_bits_in_order(data: bytes, draw: st.DataObject) -> None:
    """The fast encoder equals reading the bits five at a time from the first one."""
    length = draw.draw(st.integers(min_value=1, max_value=len(data) * 8 // 5 or 1))
    if length * 5 > len(data) * 8:
        return
    bits = "".join(f"{byte:08b}" for byte in data)
    expected = "".join(codes.ALPHABET[int(bits[i * 5 : i * 5 + 5], 2)] for i in range(length))
    assert codes.crockford(data, length) == expected


def test_hash_code_is_the_same_for_every_way_of_typing_a_code() -> None:
    code = codes.new_code(random.Random(7))
    typed = [code, code.lower(), code.replace("-", " "), code.replace("-", ""), code.replace("0", "O")]
    assert {codes.hash_code(t) for t in typed} == {codes.hash_code(code)}
