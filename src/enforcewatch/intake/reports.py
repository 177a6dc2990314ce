"""The monthly monitoring report (监测信息月报) of a monitoring point: validate, authenticate, store.

seed 000 §七: a point reports the previous month's enforcement it received, by the 5th. One report
per point and month: the first filing is `REPORT#{month}#0000` and is never overwritten; a later
filing is stored as amendment 0001, 0002 … (the deadline check judges the first filing).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from enforcewatch import codes
from enforcewatch.clock import china_date, iso_utc
from enforcewatch.errors import Conflict, FieldError, Forbidden, InputError, Unauthorized
from enforcewatch.intake import idempotency
from enforcewatch.intake.submissions import (
    DISSATISFIED,
    choice,
    choice_schema,
    fingerprint,
    parse,
)

if TYPE_CHECKING:  # pragma: no cover
    from enforcewatch.store.dynamo import DynamoTable

ACTIVE = "active"
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
PHONE_PATTERN = r"^[0-9+\-() ]{7,20}$"
# Verified when the point does not exist, so a wrong id costs the same work as a wrong code.
_DUMMY_HASH = codes.hash_code("0000-0000-0000-0000-0000")
BAD_CREDENTIALS = "监测点编号或访问码不正确"

class InspectionIn(BaseModel):
    """One inspection the point received in the month (lists-and-forms §7.1)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    date: Annotated[date, Field(title="检查日期")]
    agency: Annotated[str, Field(title="执法单位", min_length=1, max_length=100)]
    officer_count: Annotated[int, Field(title="执法人员人数", ge=1, le=99)]
    credentials_shown: Annotated[str, Field(title="是否出示执法证件", json_schema_extra=choice_schema("credentials_shown"))]
    credential_nos: Annotated[str | None, Field(title="执法证号", max_length=200)] = None
    inspection_type: Annotated[str, Field(title="检查类型", json_schema_extra=choice_schema("inspection_type"))]
    notice_given: Annotated[str | None, Field(title="是否提前告知",
                                              json_schema_extra=choice_schema("yes_no_unknown", optional=True))] = None
    filed_or_scanned: Annotated[str, Field(title="是否备案或扫码入企", json_schema_extra=choice_schema("yes_no_unknown"))]
    items_checked: Annotated[str, Field(title="检查事项", min_length=1, max_length=500)]
    # The published list item checked (enforcement or spot-check item id), when the point picks one.
    item_id: Annotated[str | None, Field(title="清单事项编号", max_length=80, pattern=r"^[a-z0-9][a-z0-9-]*$")] = None
    outcome: Annotated[str, Field(title="检查结果", json_schema_extra=choice_schema("outcome"))]
    outcome_note: Annotated[str | None, Field(title="结果说明", max_length=500)] = None
    misconduct: Annotated[list[str], Field(title="存在问题", max_length=20,
                                           json_schema_extra=choice_schema("misconduct", many=True))] = []
    satisfaction: Annotated[str, Field(title="满意度", json_schema_extra=choice_schema("satisfaction"))]
    comment: Annotated[str | None, Field(title="具体说明", max_length=2000)] = None

    @field_validator("credentials_shown", "inspection_type", "filed_or_scanned", "outcome", "satisfaction",
                     "notice_given")
    @classmethod
    def check_choice(cls, v: str | None, info: ValidationInfo) -> str | None:
        return None if v is None else choice(_CHOICES[info.field_name or ""], v)

    @field_validator("misconduct")
    @classmethod
    def check_misconduct(cls, v: list[str]) -> list[str]:
        return [choice("misconduct", item) for item in dict.fromkeys(v)]


_CHOICES = {
    "credentials_shown": "credentials_shown",
    "inspection_type": "inspection_type",
    "filed_or_scanned": "yes_no_unknown",
    "notice_given": "yes_no_unknown",
    "outcome": "outcome",
    "satisfaction": "satisfaction",
}


class ReportIn(BaseModel):
    """What a point submits. `inspections` may be empty: "no inspections this month" is a report."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    point_id: Annotated[str, Field(title="监测点编号", min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
    access_code: Annotated[str, Field(title="访问码", min_length=1, max_length=64)]
    month: Annotated[str, Field(title="报送月份", pattern=MONTH_PATTERN)]
    inspections: Annotated[list[InspectionIn], Field(title="检查记录", max_length=100)]
    suggestions: Annotated[str | None, Field(title="意见建议", max_length=2000)] = None
    contact_name: Annotated[str, Field(title="联系人", min_length=1, max_length=50)]
    contact_phone: Annotated[str, Field(title="联系电话", pattern=PHONE_PATTERN, examples=["0373-1234567"])]
    attest: Annotated[bool, Field(title="真实性承诺", json_schema_extra={"const": True})]  # cross_check refuses false


class ReportStored(BaseModel):
    """A stored filing: the input without the access code, plus what the server knows."""

    point_id: str
    district: str
    month: str
    seq: int
    received_at: str
    inspections: list[dict[str, Any]]
    suggestions: str | None
    contact: dict[str, str]

    def item(self) -> dict[str, Any]:
        sk = f"REPORT#{self.month}#{self.seq:04d}"
        return {
            "pk": f"POINT#{self.point_id}",
            "sk": sk,
            "gsi1pk": f"DISTRICT#{self.district}",
            "gsi1sk": f"POINT#{self.point_id}#{sk}",
            "gsi2pk": f"REPORTS#{self.district}",
            "gsi2sk": f"{self.month}#{self.point_id}#{self.seq:04d}",
            "kind": "report",
            **self.model_dump(),
        }


def cross_check(report: ReportIn, now: datetime) -> list[FieldError]:
    """Rules between fields: dates inside the month, comments where something went wrong, the month over."""
    problems = []
    if not report.attest:
        problems.append(FieldError(("attest",), "真实性承诺：请确认对报送信息的真实性负责"))
    today = china_date(now)
    if report.month >= f"{today:%Y-%m}":
        problems.append(FieldError(("month",), f"报送月份：{report.month}尚未结束，月报应在次月报送"))
    for i, insp in enumerate(report.inspections):
        where = f"检查记录（第{i + 1}条）"
        if f"{insp.date:%Y-%m}" != report.month:
            problems.append(FieldError(("inspections", i, "date"), f"{where}·检查日期：应在报送月份{report.month}内"))
        if (insp.misconduct or insp.satisfaction in DISSATISFIED) and not insp.comment:
            problems.append(FieldError(
                ("inspections", i, "comment"), f"{where}·具体说明：勾选了存在问题或不满意时，请写明具体情况"
            ))
    return problems


def authenticate(table: DynamoTable, point_id: str, access_code: str) -> dict[str, Any]:
    """The point's registry item if the code matches; the same 401 (and the same work) otherwise."""
    point = table.get(f"POINT#{point_id}", "POINT")
    stored = (point or {}).get("access_code_hash") or _DUMMY_HASH
    if not codes.verify_code(access_code, stored) or point is None:
        raise Unauthorized(BAD_CREDENTIALS, [FieldError(("access_code",), BAD_CREDENTIALS)])
    if point.get("status") != ACTIVE:
        raise Forbidden("该监测点不在报送状态，请联系所在县（市、区）营商环境办",
                        [FieldError(("point_id",), "监测点编号：该监测点不在报送状态")])
    return point


def validate(data: Any, now: datetime) -> ReportIn:
    """Every problem of the input alone (fields and rules between them), before any storage access."""
    report = parse(ReportIn, data)
    problems = cross_check(report, now)
    if problems:
        raise InputError("请按提示修改后重新提交", problems)
    return report


def file_report(
    table: DynamoTable, data: Any, now: datetime, idempotency_key: str | None = None,
    idempotency_ttl: timedelta = idempotency.TTL,
) -> dict[str, Any]:
    """Validate, authenticate and store one filing; returns the answer for the submitter."""
    report = validate(data, now)
    key = idempotency.check_key(idempotency_key)
    point = authenticate(table, report.point_id, report.access_code)
    first = point.get("reporting_from")
    if first and report.month < first:
        raise InputError("报送月份早于首次报送月份",
                         [FieldError(("month",), f"报送月份：本监测点自{first}起报送")])
    scope = f"report:{report.point_id}"
    body = fingerprint(report.model_dump(mode="json"))
    if (answer := idempotency.replay(table, scope, key, body, now)) is not None:
        return answer
    prefix = f"REPORT#{report.month}#"
    seq = sum(1 for _ in table.query(f"POINT#{report.point_id}", prefix, consistent=True))
    for _attempt in range(5):
        stored = _stored(report, point, seq, now)
        answer = {"ok": True, "point_id": report.point_id, "month": report.month, "seq": seq,
                  "amendment": seq > 0, "received_at": stored.received_at}
        try:
            if key is None:
                table.put_new(stored.item())
            else:
                table.transact_put_new([stored.item(), idempotency.record(scope, key, body, answer, now, ttl=idempotency_ttl)])
            return answer
        except Conflict:
            # Another filing took this sequence number, or the same retry won the race.
            if (earlier := idempotency.replay(table, scope, key, body, now)) is not None:
                return earlier
            seq += 1
    raise Conflict("同时提交过多，请稍后重试", [FieldError((), "同时提交过多，请稍后重试")])


def _stored(report: ReportIn, point: dict[str, Any], seq: int, now: datetime) -> ReportStored:
    return ReportStored(
        point_id=report.point_id,
        district=str(point.get("district", "")),
        month=report.month,
        seq=seq,
        received_at=iso_utc(now),
        inspections=[i.model_dump(mode="json") for i in report.inspections],
        suggestions=report.suggestions or None,
        contact={"name": report.contact_name, "phone": report.contact_phone},
    )


def first_month_open(today: date) -> str:
    """The month a point would normally report on `today` (the previous month), as YYYY-MM."""
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"
