"""EW_STORE=aws points the office's CLI tools at the deployed table (infra/README.md, step 9)."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from enforcewatch.config import ENV_STORE, ENV_TABLE
from enforcewatch.store import schema
from enforcewatch.store.ddblocal import open_table


@mock_aws
def test_open_table_uses_the_deployed_table_and_starts_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = boto3.client("dynamodb", region_name="cn-north-1")
    client.create_table(**schema.create_table_request("enforcewatch-prod"))
    monkeypatch.setenv(ENV_STORE, "aws")
    monkeypatch.setenv(ENV_TABLE, "enforcewatch-prod")
    monkeypatch.setenv("EW_DYNAMODB_ENDPOINT", "http://127.0.0.1:1")  # ignored in aws mode
    data_dir = tmp_path / "data"

    with open_table(data_dir) as table:
        assert table.name == "enforcewatch-prod"
        table.put({"pk": "USER#a", "sk": "USER", "role": "office"})

    item = client.get_item(TableName="enforcewatch-prod", Key={"pk": {"S": "USER#a"}, "sk": {"S": "USER"}})
    assert item["Item"]["role"] == {"S": "office"}
    assert not data_dir.exists()  # no DynamoDB Local was started for it
    assert client.list_tables()["TableNames"] == ["enforcewatch-prod"]  # nothing created
