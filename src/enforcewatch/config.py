"""Typed settings, built once from the environment and passed explicitly.

Every environment variable the system reads is named here and nowhere else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# Environment variable names (one place).
ENV_TABLE = "EW_TABLE_NAME"
ENV_DDB_ENDPOINT = "EW_DYNAMODB_ENDPOINT"  # set locally (DynamoDB Local); unset in AWS
ENV_REGION = "AWS_REGION"
ENV_SITE_ORIGIN = "EW_SITE_ORIGIN"  # CORS: the only origin allowed to post forms
ENV_TOKEN_SECRET = "EW_TOKEN_SECRET"  # signs staff tokens
ENV_RECEIPT_SECRET = "EW_RECEIPT_SECRET"  # derives complaint receipt codes from idempotency keys
ENV_CONTENT_DIR = "EW_CONTENT_DIR"  # site/content, for the calendar data and settings
ENV_SNS_TOPIC = "EW_SUMMARY_TOPIC_ARN"  # optional: per-district summaries of the daily check
ENV_EXPORT_BUCKET = "EW_EXPORT_BUCKET"  # optional: large staff downloads go through S3
ENV_ATTACHMENT_DIR = "EW_ATTACHMENT_DIR"  # local attachment storage
ENV_ATTACHMENT_BUCKET = "EW_ATTACHMENT_BUCKET"  # in AWS: private bucket for verification attachments
ENV_IDEMPOTENCY_TTL_HOURS = "EW_IDEMPOTENCY_TTL_HOURS"  # retention of idempotency records (infra parameter)
ENV_SUBMISSION_RETENTION_DAYS = "EW_SUBMISSION_RETENTION_DAYS"  # 0/unset: reports and complaints kept
ENV_COMPLAINT_REPLY_DAYS = "EW_COMPLAINT_REPLY_WORKING_DAYS"  # complaints unanswered longer are flagged
ENV_JOINT_WINDOW_DAYS = "EW_JOINT_WINDOW_DAYS"  # inspections by 2+ agencies this close are a joint-inspection candidate
ENV_REPEAT_MAX = "EW_REPEAT_MAX_INSPECTIONS"  # 重复检查: more inspections than this by one agency at one point …
ENV_REPEAT_DAYS = "EW_REPEAT_WINDOW_DAYS"  # … within this many days is a finding (seed 002 (八))
ENV_STORE = "EW_STORE"  # CLI: "aws" = the deployed table (EW_TABLE_NAME, AWS_REGION, AWS credentials)

DEFAULT_TABLE = "enforcewatch"
DEFAULT_REGION = "cn-north-1"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Settings:
    """A frozen dataclass rather than a pydantic model: `from_env` checks every value itself, and the
    deadline-check function, which needs nothing else from pydantic, is spared its import at cold
    start (issue #8). Unknown fields are refused (TypeError), as with `extra="forbid"`."""

    table_name: str = DEFAULT_TABLE
    dynamodb_endpoint: str | None = None
    region: str = DEFAULT_REGION
    site_origin: str | None = None
    token_secret: str | None = dataclasses.field(default=None, repr=False)
    receipt_secret: str | None = dataclasses.field(default=None, repr=False)  # None: the app draws one per process
    content_dir: Path = Path("site/content")
    summary_topic_arn: str | None = None
    export_bucket: str | None = None
    attachment_dir: Path | None = None
    attachment_bucket: str | None = None
    idempotency_ttl_hours: int = 24
    submission_retention_days: int | None = None  # None: kept until the office deletes them
    complaint_reply_working_days: int = 15
    joint_window_days: int = 30
    repeat_max_inspections: int = 2
    repeat_window_days: int = 60

    def __post_init__(self) -> None:
        for name in ("content_dir", "attachment_dir"):  # accept str as pydantic did
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, Path(value))

    def model_copy(self, *, update: Mapping[str, Any]) -> Settings:
        """A copy with some fields changed (the name pydantic models use, kept for callers)."""
        return dataclasses.replace(self, **update)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        def get(name: str) -> str | None:
            value = environ.get(name, "").strip()
            return value or None

        def count(name: str, minimum: int) -> int | None:
            value = get(name)
            if value is None:
                return None
            if not value.isdigit() or int(value) < minimum:
                raise ValueError(f"{name} must be a whole number of at least {minimum}, not {value!r}")
            return int(value)

        secret, receipt_secret = get(ENV_TOKEN_SECRET), get(ENV_RECEIPT_SECRET)
        for name, value in ((ENV_TOKEN_SECRET, secret), (ENV_RECEIPT_SECRET, receipt_secret)):
            if value is not None and len(value) < 32:
                raise ValueError(f"{name} must be at least 32 characters")
        return cls(
            table_name=get(ENV_TABLE) or DEFAULT_TABLE,
            dynamodb_endpoint=get(ENV_DDB_ENDPOINT),
            region=get(ENV_REGION) or DEFAULT_REGION,
            site_origin=get(ENV_SITE_ORIGIN),
            token_secret=secret,
            receipt_secret=receipt_secret,
            content_dir=Path(get(ENV_CONTENT_DIR) or "site/content"),
            summary_topic_arn=get(ENV_SNS_TOPIC),
            export_bucket=get(ENV_EXPORT_BUCKET),
            attachment_dir=Path(p) if (p := get(ENV_ATTACHMENT_DIR)) else None,
            attachment_bucket=get(ENV_ATTACHMENT_BUCKET),
            idempotency_ttl_hours=count(ENV_IDEMPOTENCY_TTL_HOURS, 1) or 24,
            submission_retention_days=count(ENV_SUBMISSION_RETENTION_DAYS, 0) or None,
            complaint_reply_working_days=count(ENV_COMPLAINT_REPLY_DAYS, 1) or 15,
            joint_window_days=count(ENV_JOINT_WINDOW_DAYS, 1) or 30,
            repeat_max_inspections=count(ENV_REPEAT_MAX, 1) or 2,
            repeat_window_days=count(ENV_REPEAT_DAYS, 1) or 60,
        )
