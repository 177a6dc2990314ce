"""infra/template.yaml declares exactly the table that `enforcewatch.store.schema` defines.

The local stack and the tests create their table from `schema.create_table_request`; this test is
what keeps the deployed table from drifting away from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from enforcewatch.store import schema
from support.infra import TEMPLATE, TemplateLoader, load_template, resources_of_type


@pytest.fixture(scope="module")
def table() -> dict[str, Any]:
    tables = resources_of_type(load_template(), "AWS::DynamoDB::Table")
    assert len(tables) == 1, f"exactly one table expected, found {sorted(tables)}"
    return next(iter(tables.values()))["Properties"]


def _by(items: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {item[key]: item for item in items}


def test_loader_reads_short_form_tags() -> None:
    text = "a: !Ref X\nb: !GetAtt T.Arn\nc: !If [Cond, !Sub 'x-${Y}', !Ref AWS::NoValue]\nd: !GetAZs ''\n"
    assert yaml.load(text, Loader=TemplateLoader) == {
        "a": {"Ref": "X"},
        "b": {"Fn::GetAtt": ["T", "Arn"]},
        "c": {"Fn::If": ["Cond", {"Fn::Sub": "x-${Y}"}, {"Ref": "AWS::NoValue"}]},
        "d": {"Fn::GetAZs": ""},
    }


def test_key_schema_matches_code(table: dict[str, Any]) -> None:
    assert table["KeySchema"] == schema.key_schema()


def test_attribute_definitions_match_code(table: dict[str, Any]) -> None:
    assert _by(table["AttributeDefinitions"], "AttributeName") == _by(
        schema.attribute_definitions(), "AttributeName"
    )


def test_global_secondary_indexes_match_code(table: dict[str, Any]) -> None:
    declared = _by(table["GlobalSecondaryIndexes"], "IndexName")
    expected = _by(schema.global_secondary_indexes(), "IndexName")
    assert declared == expected


def test_billing_mode_matches_the_local_table(table: dict[str, Any]) -> None:
    request = schema.create_table_request("any")
    assert table["BillingMode"] == request["BillingMode"] == "PAY_PER_REQUEST"
    # Every key of the local CreateTable request is declared in the template with the same value.
    for key in ("KeySchema", "GlobalSecondaryIndexes"):
        assert table[key] == request[key]


def test_ttl_attribute_matches_code(table: dict[str, Any]) -> None:
    assert table["TimeToLiveSpecification"] == {"AttributeName": schema.TTL_ATTRIBUTE, "Enabled": True}


def test_table_is_protected_and_encrypted_with_its_own_key(table: dict[str, Any]) -> None:
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["DeletionProtectionEnabled"] is True
    sse = table["SSESpecification"]
    assert sse["SSEEnabled"] is True and sse["SSEType"] == "KMS"
    key_ref = sse["KMSMasterKeyId"]
    key_name = key_ref["Fn::GetAtt"][0] if "Fn::GetAtt" in key_ref else key_ref["Ref"]
    key = load_template()["Resources"][key_name]
    assert key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["EnableKeyRotation"] is True


def test_table_survives_stack_deletion() -> None:
    template = load_template()
    for name in resources_of_type(template, "AWS::DynamoDB::Table"):
        assert template["Resources"][name]["DeletionPolicy"] == "Retain"
        assert template["Resources"][name]["UpdateReplacePolicy"] == "Retain"


def test_a_drifted_definition_is_caught(tmp_path: Path) -> None:
    """The comparison is not vacuous: a template with another GSI key fails it."""
    drifted = TEMPLATE.read_text(encoding="utf-8").replace("AttributeName: gsi2sk, KeyType: RANGE",
                                                           "AttributeName: gsi2pk, KeyType: RANGE")
    path = tmp_path / "template.yaml"
    path.write_text(drifted, encoding="utf-8")
    props = next(iter(resources_of_type(load_template(path), "AWS::DynamoDB::Table").values()))["Properties"]
    assert _by(props["GlobalSecondaryIndexes"], "IndexName") != _by(
        schema.global_secondary_indexes(), "IndexName"
    )
