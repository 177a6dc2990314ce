"""The public API over HTTP: JSON and no-JS form posts, the one error shape, limits, CORS, idempotency."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from enforcewatch.api import MAX_BODY
from support.api import ORIGIN, assert_error_shape, public_client
from support.submitting import add_point, complaint, report


@pytest.fixture
def client(moto_table) -> TestClient:
    return public_client(moto_table)


def _stored(table, prefix: str) -> list:
    return [i for i in table.client.scan(TableName=table.name)["Items"] if i["pk"]["S"].startswith(prefix)]


def _form(data: dict) -> list[tuple[str, str]]:
    """A report or complaint dict as a browser would post it (inspections-N-field, checkboxes as 1)."""
    pairs: list[tuple[str, str]] = []
    for key, value in data.items():
        if key == "inspections":
            for i, row in enumerate(value):
                for field, v in row.items():
                    for item in (v if isinstance(v, list) else [v]):
                        pairs.append((f"inspections-{i}-{field}", str(item)))
        elif isinstance(value, bool):
            if value:
                pairs.append((key, "1"))
        else:
            pairs.append((key, str(value)))
    return pairs


def _post_form(client, path: str, pairs, headers=None):
    from urllib.parse import urlencode

    return client.post(path, content=urlencode(pairs), headers={
        "content-type": "application/x-www-form-urlencoded", **(headers or {})})


# -- JSON ------------------------------------------------------------------------------------------------

def test_report_json_is_stored(client, moto_table):
    code = add_point(moto_table)
    r = client.post("/api/reports", json=report("XX-0001", code))
    assert r.status_code == 201 and r.json()["seq"] == 0
    assert len(_stored(moto_table, "POINT#XX-0001")) == 2


def test_complaint_json_and_receipt_lookup(client, moto_table):
    r = client.post("/api/complaints", json=complaint())
    assert r.status_code == 201
    code = r.json()["receipt"]
    got = client.get(f"/api/receipts/{code}")
    assert got.status_code == 200 and got.json() == {"ok": True, "status": "收到", "reply": None}
    assert client.post("/api/receipts", json={"code": code}).json()["status"] == "收到"


def test_health_and_openapi(client):
    assert client.get("/api/health").json() == {"ok": True}
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/reports", "/api/complaints", "/api/receipts/{code}", "/api/health"} <= set(paths)


# -- every bad-input class gets 4xx in one shape, and nothing is stored -------------------------------------

def test_wrong_access_code_401_says_nothing_about_existence(client, moto_table):
    add_point(moto_table)
    wrong = assert_error_shape(client.post("/api/reports", json=report("XX-0001", "ABCD-EFGH-JKMN-PQRS-TVWX")), 401)
    unknown = assert_error_shape(client.post("/api/reports", json=report("ZZ-9", "ABCD-EFGH-JKMN-PQRS-TVWX")), 401)
    assert wrong == unknown
    assert len(_stored(moto_table, "POINT#")) == 1


def test_validation_error_names_fields_in_chinese(client, moto_table):
    body = assert_error_shape(client.post("/api/complaints", json=complaint(uscc="91410700MA44XTBU0P", agency="")), 422)
    msgs = {tuple(e["loc"]): e["msg"] for e in body["errors"]}
    assert msgs[("uscc",)].startswith("统一社会信用代码：") and msgs[("agency",)].startswith("被投诉单位：")
    assert _stored(moto_table, "COMPLAINT#") == []


@pytest.mark.parametrize("body, ctype, status", [
    (b"{not json", "application/json", 422),
    (b"[1, 2]", "application/json", 422),
    (b"\xff\xfe", "application/x-www-form-urlencoded", 422),
    (b"<xml/>", "text/xml", 415),
])
def test_unparseable_bodies(client, moto_table, body, ctype, status):
    assert_error_shape(client.post("/api/complaints", content=body, headers={"content-type": ctype}), status)
    assert _stored(moto_table, "COMPLAINT#") == []


def test_body_over_64kb_is_413_by_header_and_by_actual_size(client, moto_table):
    big = json.dumps(complaint(description="很" * MAX_BODY)).encode()
    assert_error_shape(client.post("/api/complaints", content=big, headers={"content-type": "application/json"}), 413)

    def chunks():  # no Content-Length: the limit applies while reading
        for i in range(0, len(big), 8192):
            yield big[i:i + 8192]

    assert_error_shape(client.post("/api/complaints", content=chunks(), headers={"content-type": "application/json"}), 413)
    assert _stored(moto_table, "COMPLAINT#") == []


def test_honeypot_is_refused_and_nothing_stored(client, moto_table):
    assert_error_shape(client.post("/api/complaints", json=complaint(website="http://spam.example")), 422)
    r = _post_form(client, "/api/complaints", _form(complaint()) + [("website", "spam")])
    assert r.status_code == 422 and "提交未通过校验" in r.text
    assert _stored(moto_table, "COMPLAINT#") == []


def test_unknown_receipt_404_and_unknown_route_404(client):
    assert_error_shape(client.get("/api/receipts/ABCD-EFGH-JKMN-PQRS-TVWX"), 404)
    assert_error_shape(client.get("/api/receipts/nonsense"), 404)
    assert_error_shape(client.get("/api/nowhere"), 404)
    assert_error_shape(client.put("/api/complaints"), 405)


def test_store_down_is_503_and_the_form_keeps_what_was_typed(moto_table):
    from botocore.exceptions import EndpointConnectionError

    class Down:
        name = moto_table.name

        def __getattr__(self, _name):
            def fail(*a, **k):
                raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")
            return fail

    from enforcewatch.store.dynamo import DynamoTable

    down = public_client(DynamoTable(Down(), moto_table.name))
    assert_error_shape(down.post("/api/complaints", json=complaint()), 503)
    r = _post_form(down, "/api/complaints", _form(complaint(description="请保留我写的这段话，不要丢失。")))
    assert r.status_code == 503
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.find("textarea", {"name": "description"}).text == "请保留我写的这段话，不要丢失。"
    assert "请稍后重试" in soup.find(id="error-summary").text


# -- idempotency ---------------------------------------------------------------------------------------

def test_same_idempotency_key_returns_first_answer(client, moto_table):
    headers = {"Idempotency-Key": "0123456789abcdef-retry"}
    first = client.post("/api/complaints", json=complaint(), headers=headers)
    again = client.post("/api/complaints", json=complaint(), headers=headers)
    assert first.json() == again.json()
    assert len(_stored(moto_table, "COMPLAINT#")) == 1
    assert_error_shape(client.post("/api/complaints", json=complaint(request="不同的请求"), headers=headers), 409)


def test_hidden_form_field_idempotency_key(client, moto_table):
    pairs = _form(complaint()) + [("idempotency_key", "form-key-0123456789")]
    first = _post_form(client, "/api/complaints", pairs)
    again = _post_form(client, "/api/complaints", pairs)
    code = BeautifulSoup(first.text, "html.parser").find(id="receipt-code").text
    assert code in again.text and len(_stored(moto_table, "COMPLAINT#")) == 1


# -- CORS ----------------------------------------------------------------------------------------------

def test_cors_only_for_the_site_origin(client):
    ok = client.options("/api/complaints", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
    assert ok.headers.get("access-control-allow-origin") == ORIGIN
    bad = client.options("/api/complaints", headers={"Origin": "https://evil.example",
                                                     "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in bad.headers
    r = client.post("/api/complaints", json=complaint(), headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


# -- no-JS forms ----------------------------------------------------------------------------------------

def test_complaint_form_post_answers_with_the_receipt_page(client, moto_table):
    r = _post_form(client, "/api/complaints", _form(complaint()))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    soup = BeautifulSoup(r.text, "html.parser")
    code = soup.find(id="receipt-code").text
    assert client.get(f"/api/receipts/{code}").status_code == 200
    assert soup.find(attrs={"data-saved-confirm": True}).find("input", {"type": "checkbox"})
    assert "2026年03月03日 10:00:00" in soup.find(id="proof").text  # Beijing time
    page = _post_form(client, "/api/receipts", [("code", code.lower())])
    assert BeautifulSoup(page.text, "html.parser").find(attrs={"data-status": True}).text == "收到"


def test_report_form_errors_rerender_with_values_but_never_the_access_code(client, moto_table):
    code = add_point(moto_table)
    data = report("XX-0001", code, contact_phone="x", suggestions="<script>alert(1)</script>")
    data["inspections"][0]["officer_count"] = 0
    r = _post_form(client, "/api/reports", _form(data))
    assert r.status_code == 422
    soup = BeautifulSoup(r.text, "html.parser")
    summary = soup.find(id="error-summary").text
    assert "联系电话：格式不正确" in summary and "检查记录（第1条）·执法人员人数：不能小于1" in summary
    assert soup.find("input", {"name": "point_id"})["value"] == "XX-0001"
    assert soup.find("input", {"name": "inspections-0-agency"})["value"] == "示范市市场监督管理局"
    assert soup.find("textarea", {"name": "suggestions"}).text == "<script>alert(1)</script>"
    assert "<script>alert(1)" not in r.text  # escaped
    assert code not in r.text and soup.find("input", {"name": "access_code"})["value"] == ""
    assert soup.find("input", {"name": "idempotency_key"})["value"]
    assert _stored(moto_table, "POINT#XX-0001") and len(_stored(moto_table, "POINT#XX-0001")) == 1


def test_report_form_no_inspections_box(client, moto_table):
    code = add_point(moto_table)
    neither = _form(report("XX-0001", code, inspections=[]))
    r = _post_form(client, "/api/reports", neither)
    assert r.status_code == 422 and "勾选“本月未接受行政执法检查”" in r.text
    both = _form(report("XX-0001", code)) + [("no_inspections", "1")]
    assert _post_form(client, "/api/reports", both).status_code == 422
    blank_rows = neither + [("no_inspections", "1"), ("inspections-1-agency", ""), ("inspections-2-date", "")]
    ok = _post_form(client, "/api/reports", blank_rows)
    assert ok.status_code == 200 and "首次报送" in ok.text
    assert len(_stored(moto_table, "POINT#XX-0001")) == 2


def test_report_form_with_inspections_and_misconduct(client, moto_table):
    code = add_point(moto_table)
    data = report("XX-0001", code)
    data["inspections"].append({**data["inspections"][0], "misconduct": ["重复检查", "多头检查"], "comment": "一月三次"})
    pairs = [(k.replace("inspections-1-", "inspections-2-"), v) for k, v in _form(data)]  # row 1 left blank
    r = _post_form(client, "/api/reports", pairs)
    assert r.status_code == 200, r.text
    (item,) = [i for i in moto_table.query("POINT#XX-0001", "REPORT#")]
    assert [i["misconduct"] for i in item["inspections"]] == [[], ["重复检查", "多头检查"]]


def test_form_post_without_templates_gets_a_bare_page(moto_table, tmp_path):
    bare = public_client(moto_table, templates_dir=tmp_path, content_dir=tmp_path)
    r = _post_form(bare, "/api/complaints", _form(complaint()))
    assert r.status_code == 200 and "回执码" in r.text
    bad = _post_form(bare, "/api/complaints", _form(complaint(agency="")))
    assert bad.status_code == 422 and "被投诉单位：" in bad.text
