"""functions/deadline_check/app.py as Lambda runs it: loaded by path, fed a recorded EventBridge event,
against moto DynamoDB and SNS."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from enforcewatch.config import ENV_CONTENT_DIR, ENV_SNS_TOPIC, ENV_TABLE
from support.items import point_item
from support.lambda_context import context_for

ROOT = Path(__file__).resolve().parents[2]
EVENT = json.loads((ROOT / "tests" / "events" / "eventbridge_daily.json").read_text(encoding="utf-8"))


CONTEXT = context_for("deadline_check", remaining_ms=300_000)


def _load(monkeypatch: pytest.MonkeyPatch, topic: str | None):
    monkeypatch.setenv(ENV_TABLE, "ew-deadlines")
    monkeypatch.setenv(ENV_CONTENT_DIR, str(ROOT / "site" / "content"))
    if topic:
        monkeypatch.setenv(ENV_SNS_TOPIC, topic)
    spec = importlib.util.spec_from_file_location("deadline_check_app", ROOT / "functions/deadline_check/app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.table.ensure_exists()
    t = module.table
    t.put(point_item("A", "dongshan", reporting_from="2026-10", enterprise_name="保密企业有限公司"))
    return module


def test_daily_check_publishes_counts_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3
    from moto import mock_aws

    with mock_aws():
        sns = boto3.client("sns", region_name="cn-north-1")
        topic = sns.create_topic(Name="summaries")["TopicArn"]
        sqs = boto3.client("sqs", region_name="cn-north-1")
        queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        module = _load(monkeypatch, topic)

        out = module.handler(EVENT, CONTEXT)
        assert out["as_of"] == "2026-11-23"  # 01:00 UTC is 09:00 China time
        assert out["districts"]["dongshan"] == {"new": {"overdue": 1}, "all": {"overdue": 1}}
        assert module.table.get("POINT#A", "FLAG#overdue#2026-10")["raised_on"] == "2026-11-06"

        again = module.handler(EVENT, CONTEXT)  # the same event again: nothing new stored
        assert again["districts"]["dongshan"]["new"] == {}

        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
        body = json.loads(messages[0]["Body"])
        assert body["Subject"] == "EnforceWatch deadline check 2026-11-23"
        assert "东山县：逾期未报 1（新增 1）" in body["Message"]
        assert "保密企业" not in body["Message"] and "POINT" not in body["Message"] and "A" not in body["Message"]


def test_event_time_is_read_in_china_time_and_topic_is_optional(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto import mock_aws

    with mock_aws():
        module = _load(monkeypatch, None)
        late_utc = {**EVENT, "time": "2026-11-05T16:30:00Z"}  # 00:30 on 11-06 in China: October now due
        assert module.handler(late_utc, CONTEXT)["districts"]["dongshan"]["new"] == {"overdue": 1}
        early = {**EVENT, "time": "2026-11-05T15:30:00Z"}  # still 11-05 in China: not due yet
        assert module.handler(early, CONTEXT)["districts"]["dongshan"]["all"] == {}
