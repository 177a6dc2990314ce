"""DynamoDB attribute values and the plain Python values the store's callers use.

Items are plain dicts of Python values (str, int, bool, None, list, dict); numbers are stored as
DynamoDB numbers and come back as int (floats are not used in stored items: store money, ratios
and scores as strings or integers).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import DYNAMODB_CONTEXT, TypeDeserializer, TypeSerializer

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def serialize(value: Any) -> dict[str, Any]:
    """One Python value as a DynamoDB attribute value (expression values, update fields)."""
    attr: dict[str, Any] = _serializer.serialize(value)
    return attr


def to_attr(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, set):
        return sorted(plain(v) for v in value)
    return value


def _number(text: str) -> int | float:
    """A DynamoDB number as `plain` makes it: int when integral, else float (exactly, by way of Decimal)."""
    if len(text) < 19 and text.isascii() and (text.isdigit() or (text[:1] == "-" and text[1:].isdigit())):
        return int(text)  # the common case: a plain integer, without building a Decimal
    number: int | float = plain(DYNAMODB_CONTEXT.create_decimal(text))  # what TypeDeserializer does (and raises on)
    return number


def _decode(value: Mapping[str, Any]) -> Any:
    """One attribute value, as `plain(TypeDeserializer().deserialize(value))` gives it, without the
    per-value method dispatch and Decimal of boto3's deserializer (most of the read's own CPU time)."""
    if "S" in value:
        return value["S"]
    if "N" in value:
        return _number(value["N"])
    if "M" in value:
        return {k: _decode(v) for k, v in value["M"].items()}
    if "L" in value:
        return [_decode(v) for v in value["L"]]
    if "BOOL" in value:
        return value["BOOL"]
    if "NULL" in value:
        return None
    if "SS" in value:
        return sorted(value["SS"])
    if "NS" in value:
        return sorted(_number(v) for v in value["NS"])
    return plain(_deserializer.deserialize(value))  # binary (B, BS): boto3's own types


def from_attr(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _decode(v) for k, v in item.items()}
