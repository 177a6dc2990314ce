"""Hostile input, schema-driven: Schemathesis against the served stack (`enforcewatch serve`).

Every public operation from /api/openapi.json, and every staff operation with a signed-in office
token, gets generated valid and invalid requests. No answer may be a 5xx; every answer must be one
of the documented statuses, with the documented content type and schema. The number of examples is
bounded so the run takes a few minutes on two cores.
"""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from enforcewatch.api import openapi_doc
from enforcewatch.api.staff.app import create_staff_app
from enforcewatch.config import Settings
from enforcewatch.staff.accounts import Accounts
from enforcewatch.store.ddblocal import running_endpoint
from enforcewatch.store.dynamo import DynamoTable
from support.paths import ROOT
from support.stack import Stack
from support.submitting import add_point

pytestmark = pytest.mark.ddb_local
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
PASSWORD = "schema-fuzz-password"
BOUNDED = settings(max_examples=30, deadline=None, derandomize=True,
                   suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def served(tmp_path_factory, ddb_local_server):
    data = tmp_path_factory.mktemp("schema-data")
    stack = Stack(data).start()
    table = DynamoTable.from_settings(Settings(dynamodb_endpoint=running_endpoint(data)))
    add_point(table)
    Accounts(table).add("fuzzcity", "office", None, PASSWORD, dt.datetime.now(dt.UTC))
    token = httpx.post(stack.url + "/api/staff/login", json={"username": "fuzzcity", "password": PASSWORD}).json()
    yield stack, token["token"]
    stack.stop()


@pytest.fixture(scope="module")
def public_schema(served):
    stack, _ = served
    return schemathesis.openapi.from_url(stack.url + "/api/openapi.json")


@pytest.fixture(scope="module")
def staff_schema(served):
    stack, _ = served
    app = create_staff_app(Settings(token_secret="x" * 32, content_dir=ROOT / "site" / "content"), None)
    openapi_doc.describe(app, {})  # the staff app serves no schema; its routes' own description is used
    schema = schemathesis.openapi.from_dict(app.openapi())
    schema.config.update(base_url=stack.url)
    return schema


public = schemathesis.pytest.from_fixture("public_schema")
staff = schemathesis.pytest.from_fixture("staff_schema")


@public.parametrize()
@BOUNDED
def test_public_api_answers_every_generated_request_as_documented(case) -> None:
    case.call_and_validate(checks=CHECKS)


@staff.parametrize()
@BOUNDED
def test_staff_api_answers_every_generated_request_as_documented(case, served) -> None:
    _, token = served
    case.call_and_validate(checks=CHECKS, headers={"Authorization": f"Bearer {token}"})
