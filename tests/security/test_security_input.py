"""Hostile input on the public routes (issue 19 §3, §5): guessing through the materials routes,
idempotency keys that are not strings, JSON nested deeper than any real submission."""

from __future__ import annotations

import json

import pytest

from enforcewatch.intake import guesses
from support.api import assert_error_shape
from support.api import public_client as _client
from support.submitting import add_point, complaint, report

WRONG = "ABCD-EFGH-JKMN-PQRS-TVWX"
PUBLIC_POSTS = ("/api/reports", "/api/complaints", "/api/receipts", "/api/verifications/requests",
                "/api/verifications/answer")


@pytest.mark.parametrize("path", ["/api/verifications/requests", "/api/verifications/answer"])
def test_materials_routes_count_wrong_access_codes(moto_table, path) -> None:
    client = _client(moto_table)
    code = add_point(moto_table)
    body = {"point_id": "XX-0001", "verify_id": "V1", "request_id": "R1", "text": "材料"}
    for _ in range(guesses.LIMIT):
        assert_error_shape(client.post(path, json={**body, "access_code": WRONG}), 401)
    assert_error_shape(client.post(path, json={**body, "access_code": code}), 429)
    # the other route and the report share the budget: it is one kind of code
    assert_error_shape(client.post("/api/reports", json=report("XX-0001", code)), 429)


@pytest.mark.parametrize("key", [12345678901234567890, ["k" * 20], {"k": "v" * 20}, True, 1.5])
@pytest.mark.parametrize("kind", ["report", "complaint"])
def test_an_idempotency_key_that_is_not_a_string_is_refused(moto_table, kind, key) -> None:
    client = _client(moto_table)
    code = add_point(moto_table)
    data = report("XX-0001", code) if kind == "report" else complaint()
    body = assert_error_shape(client.post(f"/api/{kind}s", json={**data, "idempotency_key": key}), 422)
    assert body["errors"][0]["loc"] == ["idempotency_key"] and "幂等键" in body["errors"][0]["msg"]


@pytest.mark.parametrize("path", PUBLIC_POSTS)
@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_deeply_nested_json_is_refused_on_every_public_route(moto_table, path, opener) -> None:
    client = _client(moto_table)
    closer = "]" if opener == "[" else "}"
    raw = opener * 1000 + "1" + closer * 1000
    r = client.post(path, content=raw.encode(), headers={"content-type": "application/json"})
    body = assert_error_shape(r, 422)
    assert "嵌套" in body["errors"][0]["msg"]
    nested_value = {**complaint(), "name": json.loads("[" * 50 + "]" * 50)}  # deep inside a real field
    assert "嵌套" in assert_error_shape(client.post(path, json=nested_value), 422)["errors"][0]["msg"]
