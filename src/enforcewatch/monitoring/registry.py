"""The registry of monitoring points (confidential) and the districts they belong to.

`points import` reads a CSV or XLSX file, validates every row first (统一社会信用代码 check
character, dates, district) and stores nothing if any row is bad; new points get an access code,
handed out once in a codes file and stored only as its hash (`enforcewatch.codes`). Writing is all
or nothing (`enforcewatch.monitoring.importjournal`); the codes file gets its name only once the import committed.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from enforcewatch import cells, codes
from enforcewatch.clock import iso_utc
from enforcewatch.errors import ContentError, ContentProblem, ImportRowsError, InputError, RowProblem
from enforcewatch.monitoring import flagkeys, importjournal, registry_sheet
from enforcewatch.monitoring.registry_sheet import PointRow
from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable

DISTRICTS_FILE = "districts.yaml"
_DISTRICT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")

@dataclass(frozen=True)
class District:
    id: str
    name: str


def load_districts(content_dir: Path) -> list[District]:
    """`site/content/districts.yaml`: a list of {id, name}; problems as PATH:LINE: field: message."""
    path = content_dir / DISTRICTS_FILE
    where = str(path)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContentError([ContentProblem(where, None, "", "找不到县（市、区）列表文件")]) from None
    except yaml.YAMLError as exc:
        raise ContentError([ContentProblem(where, None, "", f"YAML格式错误：{exc}")]) from None
    problems: list[ContentProblem] = []
    out: list[District] = []
    if not isinstance(root, yaml.SequenceNode):
        raise ContentError([ContentProblem(where, 1, "", "应为 {id, name} 的列表")])
    for node in root.value:
        line = node.start_mark.line + 1
        fields = {k.value: v.value for k, v in node.value} if isinstance(node, yaml.MappingNode) else {}
        did, name = str(fields.get("id", "")), str(fields.get("name", "")).strip()
        if not _DISTRICT_ID.match(did):
            problems.append(ContentProblem(where, line, "id", "应为小写字母、数字或连字符"))
        elif any(d.id == did for d in out):
            problems.append(ContentProblem(where, line, "id", f"重复的编号 {did}"))
        if not name:
            problems.append(ContentProblem(where, line, "name", "缺少名称"))
        out.append(District(did, name))
    if problems:
        raise ContentError(problems)
    return out


# -- storing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeLine:
    """One line of the codes file: the code with what the office needs to hand it out."""

    point_id: str
    code: str  # shown once, never stored
    enterprise_name: str = ""
    district: str = ""  # the district's name


CODES_HEADER = ("监测点编号", "访问码", "企业名称", "所在县（市、区）")


@dataclass
class ImportResult:
    new: list[str]
    updated: list[str]
    codes: list[tuple[str, str]]  # (point_id, access code): shown once, never stored
    recipients: dict[str, tuple[str, str]] = field(default_factory=dict)  # point_id → (enterprise, district name)
    prior: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # pk → the point as read (None: new)
    notes: list[str] = field(default_factory=list)  # what the sheet reader read past (title rows, 序号, footer)

    def code_lines(self) -> list[CodeLine]:
        return [CodeLine(pid, code, *self.recipients.get(pid, ("", ""))) for pid, code in self.codes]


def point_index_keys(district: str, point_id: str) -> dict[str, str]:
    """gsi2 of a point: the registry of one district, in point order (`POINTS#{district}` / id)."""
    return {schema.GSI2PK: f"POINTS#{district}", schema.GSI2SK: point_id}


def point_item(row: PointRow, existing: dict[str, Any] | None, code_hash: str | None,
               now: dt.datetime) -> dict[str, Any]:
    item = dict(existing or {})
    item.update({
        "pk": f"POINT#{row.point_id}", "sk": "POINT", "kind": "point",
        "point_id": row.point_id, "enterprise_name": row.enterprise_name, "uscc": row.uscc,
        "district": row.district, "industry": row.industry, "designated_on": row.designated_on.isoformat(),
        "reporting_from": row.reporting_from, "plaque_no": row.plaque_no, "contact": row.contact,
        schema.GSI1PK: f"DISTRICT#{row.district}", schema.GSI1SK: f"POINT#{row.point_id}#POINT",
        **point_index_keys(row.district, row.point_id),
        "updated_at": iso_utc(now),
    })
    item.setdefault("status", "active")
    if code_hash:
        item["access_code_hash"] = code_hash
    return {k: v for k, v in item.items() if v is not None}


def import_points(table: DynamoTable, path: Path, districts: Sequence[District], *, rng: random.Random,
                  now: dt.datetime, reissue: bool = False, data: bytes | None = None
                  ) -> tuple[ImportResult, list[dict[str, Any]]]:
    """Validate the file (or `data`, an uploaded file's bytes named `path`) against the store; return
    the result and the items to write (nothing written)."""
    sheet = registry_sheet.read(path, data=data, name=str(path) if data is not None else None)
    rows = registry_sheet.validate(sheet, districts)
    names = {d.id: d.name for d in districts}
    result = ImportResult([], [], [], notes=sheet.notes())
    items: list[dict[str, Any]] = []
    problems: list[RowProblem] = []
    for row in rows:
        existing = table.get(f"POINT#{row.point_id}", "POINT")
        if existing and existing.get("district") != row.district:
            # Reports and events are filed under the district: a move needs the office, not an import.
            problems.append(sheet.problem(row.row, "district",
                                          f"该监测点已登记在“{existing.get('district')}”，不能通过导入更改辖区"))
            continue
        code = None
        if existing is None or reissue or not existing.get("access_code_hash"):
            code = codes.new_code(rng)
            result.codes.append((row.point_id, code))
            result.recipients[row.point_id] = (row.enterprise_name, names.get(row.district, row.district))
        (result.updated if existing else result.new).append(row.point_id)
        result.prior[f"POINT#{row.point_id}"] = existing
        items.append(point_item(row, existing, codes.hash_code(code) if code else None, now))
    if problems:
        raise ImportRowsError(problems)
    return result, items


@dataclass
class ImportRun:
    result: ImportResult
    recovered: importjournal.Recovery | None  # an unfinished earlier import, settled first


def pending_codes(codes_out: Path) -> Path:
    """Where an import's codes wait until it has committed (only then renamed to `codes_out`)."""
    return codes_out.with_name(codes_out.name + ".pending")


def run_import(table: DynamoTable, path: Path, districts: Sequence[District], codes_out: Path, *,
               rng: random.Random, now: dt.datetime, reissue: bool = False,
               announce: Callable[[importjournal.Recovery], None] | None = None, data: bytes | None = None,
               progress: Callable[[int, int], None] | None = None) -> ImportRun:
    """The whole import, all or nothing: an unfinished earlier import is rolled back first; the file is
    validated against the store; the codes are written to `CODES.pending`; the points are written
    (importjournal.apply); only then is the codes file renamed to `codes_out`. On failure the pending
    file is removed (its codes never worked), except when the outcome is unknown: then it stays until
    `recover` tells whether that import committed."""
    pending = pending_codes(codes_out)
    for target in (codes_out, pending):
        if target.exists():
            write_codes(target, [])  # refuses with the file named, before anything is read
    recovered = importjournal.recover(table, now)
    if recovered and announce:
        announce(recovered)
    result, items = import_points(table, path, districts, rng=rng, now=now, reissue=reissue, data=data)
    write_codes(pending, result.code_lines())  # before the store: every stored hash has its code on paper
    try:
        importjournal.apply(table, items, result.prior, import_id=importjournal.new_import_id(now, rng), now=now,
                            source=path.name, codes_file=codes_out.name,
                            progress=(lambda done: progress(done, len(items))) if progress else None)
    except importjournal.ImportNotRolledBack as exc:
        raise importjournal.ImportNotRolledBack(
            f"{exc.message}；在此之前不要发放 {pending} 中的访问码") from exc
    except BaseException:
        pending.unlink()
        raise
    refresh_flags(table, items, result.prior)
    publish_codes(pending, codes_out)
    return ImportRun(result, recovered)


def refresh_flags(table: DynamoTable, items: Sequence[dict[str, Any]], prior: dict[str, Any]) -> int:
    """After a committed import: the open flags of each point whose name (or status) changed carry
    the new one (`flagkeys.refresh_open`; new points have no flags yet). Returns flags changed."""
    changed = 0
    for item in items:
        before = prior.get(item["pk"])
        fields = flagkeys.point_fields(item)
        if before is not None and flagkeys.point_fields(before) != fields:
            changed += flagkeys.refresh_open(table, str(item["point_id"]), fields)
    return changed


def publish_codes(pending: Path, codes_out: Path) -> None:
    """Give the committed import's codes their final name, never replacing a file."""
    taken = InputError(f"{codes_out}: 文件已存在；本次导入已完成，访问码在 {pending} 中，请将其改名后保管")
    try:
        os.link(pending, codes_out)
    except FileExistsError:
        raise taken from None
    except OSError:  # a file system without hard links
        if codes_out.exists():
            raise taken from None
        pending.rename(codes_out)
        return
    pending.unlink()


def write_codes(codes_out: Path, lines: Sequence[CodeLine]) -> None:
    """The codes file (CSV, UTF-8 with BOM: opens in Excel), created once (never overwritten) and
    readable by its owner only: point id, code, enterprise name and district, to mail the codes out by."""
    try:
        fd = os.open(codes_out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InputError(f"{codes_out}: 文件已存在；访问码只写一次，请指定新的文件名") from None
    with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CODES_HEADER)
        writer.writerows([cells.as_text(v) for v in (c.point_id, c.code, c.enterprise_name, c.district)]
                         for c in lines)
