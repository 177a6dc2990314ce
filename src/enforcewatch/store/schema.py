"""The table's definition: the single source of truth for the local stack, the tests and infra/.

`tests/infra/test_infra_table.py` proves that infra/template.yaml declares exactly this.
"""

from __future__ import annotations

from typing import Any

PK, SK = "pk", "sk"
GSI1, GSI1PK, GSI1SK = "gsi1", "gsi1pk", "gsi1sk"  # by district: points, reports, events, flags
GSI2, GSI2PK, GSI2SK = "gsi2", "gsi2pk", "gsi2sk"  # by kind then month: exports of reports, complaints
TTL_ATTRIBUTE = "expires_at"  # epoch seconds; idempotency records and other expiring items


def key_schema() -> list[dict[str, str]]:
    return [{"AttributeName": PK, "KeyType": "HASH"}, {"AttributeName": SK, "KeyType": "RANGE"}]


def attribute_definitions() -> list[dict[str, str]]:
    return [
        {"AttributeName": name, "AttributeType": "S"}
        for name in (PK, SK, GSI1PK, GSI1SK, GSI2PK, GSI2SK)
    ]


def global_secondary_indexes() -> list[dict[str, Any]]:
    return [
        {
            "IndexName": index,
            "KeySchema": [
                {"AttributeName": hash_key, "KeyType": "HASH"},
                {"AttributeName": range_key, "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
        for index, hash_key, range_key in ((GSI1, GSI1PK, GSI1SK), (GSI2, GSI2PK, GSI2SK))
    ]


def create_table_request(table_name: str) -> dict[str, Any]:
    """Arguments for `CreateTable` (on-demand billing, as in infra/template.yaml)."""
    return {
        "TableName": table_name,
        "KeySchema": key_schema(),
        "AttributeDefinitions": attribute_definitions(),
        "GlobalSecondaryIndexes": global_secondary_indexes(),
        "BillingMode": "PAY_PER_REQUEST",
    }
