"""The table's definition: the single source of truth for the local stack, the tests and infra/.

`tests/infra/test_infra_table.py` proves that infra/template.yaml declares exactly this.
"""

from __future__ import annotations

from typing import Any

PK, SK = "pk", "sk"
GSI1, GSI1PK, GSI1SK = "gsi1", "gsi1pk", "gsi1sk"  # by district: points, reports, events, flags
GSI2, GSI2PK, GSI2SK = "gsi2", "gsi2pk", "gsi2sk"  # by kind then month: exports of reports, complaints
GSI3, GSI3PK, GSI3SK = "gsi3", "gsi3pk", "gsi3sk"  # sparse: the open flags of points, city-wide
INDEX_KEYS = {GSI1: (GSI1PK, GSI1SK), GSI2: (GSI2PK, GSI2SK), GSI3: (GSI3PK, GSI3SK)}
TTL_ATTRIBUTE = "expires_at"  # epoch seconds; idempotency records and other expiring items


def key_schema() -> list[dict[str, str]]:
    return [{"AttributeName": PK, "KeyType": "HASH"}, {"AttributeName": SK, "KeyType": "RANGE"}]


def attribute_definitions() -> list[dict[str, str]]:
    return [
        {"AttributeName": name, "AttributeType": "S"}
        for name in (PK, SK, *(name for keys in INDEX_KEYS.values() for name in keys))
    ]


def global_secondary_index(index: str) -> dict[str, Any]:
    hash_key, range_key = INDEX_KEYS[index]
    return {
        "IndexName": index,
        "KeySchema": [
            {"AttributeName": hash_key, "KeyType": "HASH"},
            {"AttributeName": range_key, "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }


def global_secondary_indexes() -> list[dict[str, Any]]:
    return [global_secondary_index(index) for index in INDEX_KEYS]


def index_updates(existing: set[str]) -> list[dict[str, Any]]:
    """`UpdateTable` arguments that add, one at a time (DynamoDB creates one index per call), each
    index of this schema a table described with the indexes `existing` lacks: a local table kept on
    disk from before an index was added (infra/template.yaml adds it to the deployed table)."""
    return [
        {
            "AttributeDefinitions": [d for d in attribute_definitions() if d["AttributeName"] in INDEX_KEYS[index]],
            "GlobalSecondaryIndexUpdates": [{"Create": global_secondary_index(index)}],
        }
        for index in INDEX_KEYS
        if index not in existing
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
