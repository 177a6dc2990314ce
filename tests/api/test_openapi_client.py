"""A client that knows only /api/openapi.json files a report and a complaint on its first try, and the
forms mark as required exactly what the server requires (issue 19 §9)."""

from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup

from enforcewatch.clock import CHINA
from enforcewatch.intake.contract import required_fields
from enforcewatch.intake.submissions import VOCABULARY
from support.api import public_client as _client
from support.submitting import NOW, add_point


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def example(doc: dict[str, Any], schema: dict[str, Any], known: dict[str, Any], today: str) -> Any:
    """A value from the schema alone: its const, first enum value, example, or the least its type allows.
    `known` holds what the submitter brings (its point id, access code and the month it reports on)."""
    schema = resolve(doc, schema)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return next(v for v in schema["enum"] if v is not None)
    kind = schema.get("type")
    if kind == "object":
        return {name: known[name] if name in known else example(doc, schema["properties"][name], known, today)
                for name in schema.get("required", [])}
    if kind == "array":
        return [example(doc, schema["items"], known, today) for _ in range(max(schema.get("minItems", 0), 1))]
    if kind == "boolean":
        return False
    if kind == "integer":
        return schema.get("minimum", 0)
    if schema.get("format") == "date":
        return known.get("day", today)
    if "pattern" in schema:
        value = schema["examples"][0]
        assert re.search(schema["pattern"], value), (schema, value)
        return value
    return "测" * max(schema.get("minLength", 1), 1)


def body_schema(doc: dict[str, Any], path: str) -> dict[str, Any]:
    return doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]


def test_a_client_built_from_the_schema_files_on_its_first_try(moto_table) -> None:
    client = _client(moto_table)
    doc = client.get("/api/openapi.json").json()
    today = NOW.astimezone(CHINA).date().isoformat()
    complaint = example(doc, body_schema(doc, "/api/complaints"), {}, today)
    r = client.post("/api/complaints", json=complaint)
    assert r.status_code == 201, (complaint, r.text)
    code = add_point(moto_table)
    known = {"point_id": "XX-0001", "access_code": code, "month": "2026-02", "day": "2026-02-10"}
    report = example(doc, body_schema(doc, "/api/reports"), known, today)
    assert report["inspections"] and report["attest"] is True
    r = client.post("/api/reports", json=report)
    assert r.status_code == 201, (report, r.text)


def test_the_schema_lists_the_choices_the_validation_accepts(moto_table) -> None:
    doc = _client(moto_table).get("/api/openapi.json").json()
    schemas = doc["components"]["schemas"]
    complaint, inspection = schemas["ComplaintIn"]["properties"], schemas["InspectionIn"]["properties"]
    assert complaint["complainant_type"]["enum"] == list(VOCABULARY["complainant_type"])
    assert complaint["category"]["enum"] == list(VOCABULARY["complaint_category"])
    assert complaint["attest"]["const"] is True and schemas["ReportIn"]["properties"]["attest"]["const"] is True
    for field, kind in (("credentials_shown", "credentials_shown"), ("inspection_type", "inspection_type"),
                        ("filed_or_scanned", "yes_no_unknown"), ("outcome", "outcome"),
                        ("satisfaction", "satisfaction")):
        assert inspection[field]["enum"] == list(VOCABULARY[kind]), field
    assert inspection["misconduct"]["items"]["enum"] == list(VOCABULARY["misconduct"])


def marks(html: str) -> dict[str, bool]:
    """Field name → marked required (*), from the labels of a rendered form."""
    out = {}
    for label in BeautifulSoup(html, "html.parser").find_all("label"):
        target = str(label.get("for", ""))
        if label.find(class_="req") or label.find(class_="opt"):
            out[target.removeprefix("f-")] = label.find(class_="req") is not None
    return out


def test_the_forms_mark_required_exactly_what_the_server_requires(moto_table) -> None:
    client = _client(moto_table)
    need = required_fields()
    report = marks(client.post("/api/reports", data={"point_id": ""}).text)
    for field, required in report.items():
        name = field.removeprefix("inspections-0-") if field.startswith("inspections-0-") else field
        if field.startswith("inspections-"):
            if field.startswith("inspections-0-"):
                assert required == (name in need["inspection"]), field
        else:
            assert required == (name in need["report"]), field
    assert report["inspections-0-filed_or_scanned"] and report["inspections-0-satisfaction"]
    complaint = marks(client.post("/api/complaints", data={"agency": ""}).text)
    assert complaint and all(required == (f in need["complaint"]) for f, required in complaint.items())
