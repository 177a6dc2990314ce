"""Complaints about enforcement conduct (投诉), anonymous allowed, and their receipt codes.

seed 000 §六: the office replies with the result. The complainant gets a receipt code once; the
store keeps only its hash, and the look-up shows the status and the office's reply, nothing else.
Who complains is confidential (seed 000 §八): it never leaves the store except through the staff API.

A complaint is one self-contained item, written by one conditional PutItem:
- its receipt code is derived from the idempotency key: the first 100 bits of
  HMAC-SHA256(receipt secret, key). Without a key the code is drawn at random instead.
- its id is the first 80 bits of the code's SHA-256 (`complaint_id_for`), so the look-up is one
  GetItem of `COMPLAINT#{id}` followed by a constant-time check of the full hash stored with it;
- a retry with the same key derives the same code and lands on the same item: the refused write
  returns the earlier item (ALL_OLD), whose body fingerprint decides between the first answer and 409.
The idempotency window still ends `idempotency_ttl` after the first filing: a key used again after
that derives its next generation's code, and so files a new complaint, as an expired record did.
Complaints filed before this design keep their `RECEIPT#{sha256}` item, which the look-up still reads.
"""

from __future__ import annotations

import hmac
import random
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from enforcewatch import codes, uscc
from enforcewatch.clock import china_date, china_time_text, iso_utc, parse_aware
from enforcewatch.errors import ConditionFailed, Conflict, FieldError, InputError, NotFound
from enforcewatch.intake import idempotency
from enforcewatch.intake.submissions import choice, choice_schema, fingerprint, parse

if TYPE_CHECKING:  # pragma: no cover
    from enforcewatch.store.dynamo import DynamoTable

RECEIVED = "收到"  # first status; staff move it on (处理中, 已办结 …) and add the reply
ANONYMOUS = "匿名"
SCOPE = "complaint"
RECEIPT_NOT_FOUND = "未找到该回执码，请核对后重新输入"
ID_LENGTH = 16  # Crockford base32 characters of the receipt code's hash: 80 bits, no collision in practice
GENERATIONS = 8  # how many idempotency windows one key can span before it must be replaced
# `receipt_hash` and `fingerprint` are stored for the look-up and retries; staff views leave them out
# (staffing.COMPLAINT_INTERNAL, kept there so the staff function need not import this module).


USCC_PATTERN = uscc.PATTERN  # (the field named uscc hides the module inside the class)


class ComplaintIn(BaseModel):
    """What anyone submits (lists-and-forms §7.2)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    complainant_type: Annotated[str, Field(title="投诉人类型", json_schema_extra=choice_schema("complainant_type"))]
    name: Annotated[str | None, Field(title="姓名或名称", max_length=100)] = None
    uscc: Annotated[str | None, Field(title="统一社会信用代码",
                                                json_schema_extra={"pattern": USCC_PATTERN})] = None
    phone: Annotated[str | None, Field(title="联系电话", pattern=r"^[0-9+\-() ]{7,20}$")] = None
    email: Annotated[str | None, Field(title="电子邮箱", max_length=100, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] = None
    wants_reply: Annotated[bool, Field(title="是否要求回复")] = False
    agency: Annotated[str, Field(title="被投诉单位", min_length=2, max_length=100)]
    officers: Annotated[str | None, Field(title="被投诉人员", max_length=200)] = None
    incident_date: Annotated[date, Field(title="发生日期")]
    place: Annotated[str | None, Field(title="发生地点", max_length=200)] = None
    category: Annotated[str, Field(title="投诉类别", json_schema_extra=choice_schema("complaint_category"))]
    description: Annotated[str, Field(title="事实和理由", min_length=10, max_length=5000)]
    request: Annotated[str, Field(title="投诉请求", min_length=2, max_length=1000)]
    other_proceedings: Annotated[bool, Field(title="是否已申请行政复议或提起诉讼")] = False
    attest: Annotated[bool, Field(title="承诺属实", json_schema_extra={"const": True})]  # cross_check refuses false

    @field_validator("complainant_type")
    @classmethod
    def check_type(cls, v: str) -> str:
        return choice("complainant_type", v)

    @field_validator("category")
    @classmethod
    def check_category(cls, v: str) -> str:
        return choice("complaint_category", v)

    @field_validator("uscc")
    @classmethod
    def check_uscc(cls, v: str | None) -> str | None:
        if v is None:
            return None
        code = v.upper()
        if (problem := uscc.problem(code)) is not None:
            raise ValueError(problem)
        return code


class ComplaintStored(BaseModel):
    """A stored complaint. `status` and `reply` are the office's; the rest is what was submitted."""

    complaint_id: str
    received_at: str
    status: str = RECEIVED
    reply: str | None = None
    replied_at: str | None = None
    submission: dict[str, Any]

    def item(self) -> dict[str, Any]:
        month = china_time_text(parse_aware(self.received_at), "%Y-%m")
        return {
            "pk": f"COMPLAINT#{self.complaint_id}",
            "sk": "COMPLAINT",
            "gsi2pk": "COMPLAINTS",
            "gsi2sk": f"{month}#{self.received_at}#{self.complaint_id}",
            "kind": "complaint",
            "complaint_id": self.complaint_id,
            "received_at": self.received_at,
            "status": self.status,
            "reply": self.reply,
            "replied_at": self.replied_at,
            **self.submission,
        }


class ReceiptView(BaseModel):
    """All a receipt code reveals: the status and the office's reply."""

    status: str
    reply: str | None = None


def cross_check(complaint: ComplaintIn, now: datetime) -> list[FieldError]:
    problems = []
    if not complaint.attest:
        problems.append(FieldError(("attest",), "承诺属实：请确认所填内容属实"))
    if complaint.incident_date > china_date(now):
        problems.append(FieldError(("incident_date",), "发生日期：不能晚于今天"))
    if complaint.complainant_type == ANONYMOUS:
        for name, label in (("name", "姓名或名称"), ("uscc", "统一社会信用代码"), ("phone", "联系电话"),
                            ("email", "电子邮箱")):
            if getattr(complaint, name):
                problems.append(FieldError((name,), f"{label}：选择匿名投诉时请不要填写，或改选投诉人类型"))
    return problems


def complaint_id_for(code_hash: str) -> str:
    """The id of the complaint whose receipt code has this hash (`codes.hash_code`)."""
    return codes.crockford(bytes.fromhex(code_hash), ID_LENGTH)


def receipt_code(secret: str, key: str, generation: int) -> str:
    """The receipt code a complaint filed with this idempotency key gets, in the key's nth window."""
    return codes.derive_code(secret.encode(), f"enforcewatch-receipt\0{SCOPE}\0{generation}\0{key}")


def legacy_receipt_pk(code_hash: str) -> str:
    """Where a complaint filed before receipt codes were derived keeps its receipt (read only)."""
    return f"RECEIPT#{code_hash}"


def file_complaint(
    table: DynamoTable, data: Any, now: datetime, rng: random.Random, idempotency_key: str | None = None,
    idempotency_ttl: timedelta = idempotency.TTL, *, secret: str,
) -> dict[str, Any]:
    """Validate and store a complaint; the answer carries the receipt code (once, and again to a retry).

    `secret` is the receipt secret (`Settings.receipt_secret`); `rng` draws the code when no key is sent.
    """
    complaint = parse(ComplaintIn, data)
    key = idempotency.check_key(idempotency_key)
    problems = cross_check(complaint, now)
    if problems:
        raise InputError("请按提示修改后重新提交", problems)
    submission = complaint.model_dump(mode="json", exclude={"attest"})
    body = fingerprint(submission)
    received_at = iso_utc(now)
    # Write first, read only on conflict: the common case is one PutItem and no read.
    for generation in range(GENERATIONS if key is not None else 3):
        code = receipt_code(secret, key, generation) if key is not None else codes.new_code(rng)
        code_hash = codes.hash_code(code)
        stored = ComplaintStored(complaint_id=complaint_id_for(code_hash), received_at=received_at,
                                 submission=submission)
        item = {**stored.item(), "receipt_hash": code_hash, "fingerprint": body}
        try:
            table.put_new(item)
            return _answer(code, received_at)
        except ConditionFailed as exc:
            if key is None:
                continue  # a random code's id collided: draw another
            earlier = exc.existing or table.get(item["pk"], "COMPLAINT")  # moto may not return ALL_OLD
            if earlier is None or not hmac.compare_digest(str(earlier.get("receipt_hash", "")), code_hash):
                continue  # another code's id collided (or it was deleted meanwhile): the next generation
            if datetime.fromisoformat(earlier["received_at"]) + idempotency_ttl <= now:
                continue  # this key's window has passed: a new complaint under its next generation
            if earlier.get("fingerprint") != body:
                raise idempotency.body_conflict() from None
            return _answer(code, earlier["received_at"])
    raise Conflict("提交未成功，请稍后重试", [FieldError((), "提交未成功，请稍后重试")])


def _answer(code: str, received_at: str) -> dict[str, Any]:
    return {"ok": True, "receipt": code, "status": RECEIVED, "received_at": received_at}


def look_up(table: DynamoTable, code: str) -> ReceiptView:
    """Status and reply for a receipt code; NotFound for anything else (malformed or unknown)."""
    canonical = codes.normalize(code)
    complaint = _complaint_of(table, codes.hash_code(canonical)) if canonical else None
    if complaint is None:
        raise NotFound(RECEIPT_NOT_FOUND, [FieldError(("code",), RECEIPT_NOT_FOUND)])
    return ReceiptView(status=complaint.get("status") or RECEIVED, reply=complaint.get("reply"))


def _complaint_of(table: DynamoTable, code_hash: str) -> dict[str, Any] | None:
    item = table.get(f"COMPLAINT#{complaint_id_for(code_hash)}", "COMPLAINT")
    if item is not None and hmac.compare_digest(str(item.get("receipt_hash", "")), code_hash):
        return item
    receipt = table.get(legacy_receipt_pk(code_hash), "RECEIPT")  # filed before codes were derived
    return table.get(f"COMPLAINT#{receipt['complaint_id']}", "COMPLAINT") if receipt else None
