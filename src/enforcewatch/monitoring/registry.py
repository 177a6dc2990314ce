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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from enforcewatch import codes, uscc
from enforcewatch.clock import iso_utc
from enforcewatch.errors import ContentError, ContentProblem, ImportRowsError, InputError, RowProblem
from enforcewatch.monitoring import importjournal
from enforcewatch.monitoring.duedates import parse_month
from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable

DISTRICTS_FILE = "districts.yaml"
_DISTRICT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
_POINT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,31}$")

# Column → accepted headers (English, then Chinese as the office's spreadsheets write them).
COLUMNS: dict[str, tuple[str, ...]] = {
    "point_id": ("point_id", "监测点编号", "编号"),
    "enterprise_name": ("enterprise_name", "企业名称", "单位名称"),
    "uscc": ("uscc", "统一社会信用代码", "信用代码"),
    "district": ("district", "所在县（市、区）", "所在县(市、区)", "县市区", "所在辖区", "辖区"),
    "industry": ("industry", "行业", "所属行业"),
    "designated_on": ("designated_on", "选定日期", "命名日期", "授牌日期"),
    "reporting_from": ("reporting_from", "起报月份", "首次报送月份"),
    "plaque_no": ("plaque_no", "牌匾编号"),
    "contact": ("contact", "联系人及电话", "联系人"),
}
REQUIRED = ("point_id", "enterprise_name", "uscc", "district", "industry", "designated_on", "reporting_from")
LABELS = {"point_id": "监测点编号", "enterprise_name": "企业名称", "uscc": "统一社会信用代码",
          "district": "所在县（市、区）", "industry": "行业", "designated_on": "选定日期",
          "reporting_from": "起报月份", "plaque_no": "牌匾编号", "contact": "联系人"}


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


# -- reading files ------------------------------------------------------------------------------


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number as the office sees it, {column: text}) for each non-empty data row."""
    if path.suffix.lower() == ".xlsx":
        yield from _xlsx_rows(path)
    elif path.suffix.lower() == ".csv":
        yield from _csv_rows(path)
    else:
        raise InputError(f"{path}: 只支持 .csv 或 .xlsx 文件")


def _header_map(path: Path, header: Sequence[Any]) -> dict[int, str]:
    lookup = {alias: col for col, aliases in COLUMNS.items() for alias in aliases}
    mapping: dict[int, str] = {}
    for i, cell in enumerate(header):
        name = str(cell or "").strip()
        if name in lookup:
            mapping[i] = lookup[name]
        elif name:
            raise ImportRowsError([RowProblem(str(path), 1, name, "无法识别的列名")])
    missing = [c for c in REQUIRED if c not in mapping.values()]
    if missing:
        raise ImportRowsError([RowProblem(str(path), 1, c, f"缺少“{LABELS[c]}”列") for c in missing])
    return mapping


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except UnicodeDecodeError:
        raise InputError(f"{path}: 文件不是 UTF-8 编码（在 Excel 中另存为“CSV UTF-8”）") from None
    except OSError as exc:
        raise InputError(f"{path}: 无法读取：{exc.strerror}") from None
    if not rows:
        raise InputError(f"{path}: 文件为空")
    mapping = _header_map(path, rows[0])
    for number, row in enumerate(rows[1:], start=2):
        if any(cell.strip() for cell in row):
            yield number, {mapping[i]: cell.strip() for i, cell in enumerate(row) if i in mapping}


def _xlsx_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    # cold start: openpyxl is heavy, loaded only when importing a spreadsheet
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(f"{path}: 无法作为 XLSX 打开：{exc}") from None
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise InputError(f"{path}: 工作表为空")
        mapping = _header_map(path, header)
        for number, row in enumerate(rows, start=2):
            values = {mapping[i]: _cell_text(v) for i, v in enumerate(row) if i in mapping}
            if any(values.values()):
                yield number, values
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# -- validating ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PointRow:
    row: int
    point_id: str
    enterprise_name: str
    uscc: str
    district: str
    industry: str
    designated_on: dt.date
    reporting_from: str
    plaque_no: str | None
    contact: str | None


def validate_rows(path: Path, rows: Sequence[tuple[int, dict[str, str]]], districts: Sequence[District]
                  ) -> list[PointRow]:
    """Every row checked; all problems raised together, nothing returned if any."""
    by_name = {d.name: d.id for d in districts} | {d.id: d.id for d in districts}
    problems: list[RowProblem] = []
    out: list[PointRow] = []
    seen_ids: dict[str, int] = {}
    seen_uscc: dict[str, int] = {}

    for number, raw in rows:
        def bad(col: str, msg: str, number: int = number) -> None:
            problems.append(RowProblem(str(path), number, col, msg))

        before = len(problems)
        for col in REQUIRED:
            if not raw.get(col):
                bad(col, f"“{LABELS[col]}”不能为空")
        pid, code = raw.get("point_id", ""), raw.get("uscc", "").upper()
        _check_identity(pid, code, seen_ids, seen_uscc, bad)
        district = by_name.get(raw.get("district", ""))
        if raw.get("district") and district is None:
            bad("district", f"未知的县（市、区）“{raw['district']}”，应为 {'、'.join(d.name for d in districts)}")
        designated = _date(raw.get("designated_on", ""), "designated_on", bad)
        reporting_from = _month(raw.get("reporting_from", ""), bad)
        if designated and reporting_from and reporting_from < f"{designated:%Y-%m}":
            bad("reporting_from", "起报月份不能早于选定日期所在月份")
        if len(problems) > before:
            continue
        seen_ids[pid], seen_uscc[code] = number, number
        out.append(PointRow(number, pid, raw["enterprise_name"], code, district or "", raw["industry"],
                            designated or dt.date.min, reporting_from or "", raw.get("plaque_no") or None,
                            raw.get("contact") or None))
    if problems:
        raise ImportRowsError(problems)
    return out


def _check_identity(pid: str, code: str, seen_ids: dict[str, int], seen_uscc: dict[str, int], bad: Any) -> None:
    if pid and not _POINT_ID.match(pid):
        bad("point_id", "监测点编号只能含字母、数字和连字符，最长32位")
    elif pid in seen_ids:
        bad("point_id", f"与第{seen_ids[pid]}行编号重复")
    if code and (msg := uscc.problem(code)):
        bad("uscc", msg)
    elif code in seen_uscc:
        bad("uscc", f"与第{seen_uscc[code]}行的统一社会信用代码重复")


def _date(text: str, col: str, bad: Any) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        bad(col, f"日期应写作 YYYY-MM-DD，而不是“{text}”")
        return None


def _month(text: str, bad: Any) -> str | None:
    if not text:
        return None
    try:
        year, month = parse_month(text.replace("/", "-"))
    except ValueError as exc:
        bad("reporting_from", str(exc))
        return None
    return f"{year:04d}-{month:02d}"


# -- storing ------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    new: list[str]
    updated: list[str]
    codes: list[tuple[str, str]]  # (point_id, access code): shown once, never stored
    prior: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # pk → the point as read (None: new)


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
                  now: dt.datetime, reissue: bool = False) -> tuple[ImportResult, list[dict[str, Any]]]:
    """Validate the file against the store; return the result and the items to write (nothing written)."""
    rows = validate_rows(path, list(read_rows(path)), districts)
    result = ImportResult([], [], [])
    items: list[dict[str, Any]] = []
    problems: list[RowProblem] = []
    for row in rows:
        existing = table.get(f"POINT#{row.point_id}", "POINT")
        if existing and existing.get("district") != row.district:
            # Reports and events are filed under the district: a move needs the office, not an import.
            problems.append(RowProblem(str(path), row.row, "district",
                                       f"该监测点已登记在“{existing.get('district')}”，不能通过导入更改辖区"))
            continue
        code = None
        if existing is None or reissue or not existing.get("access_code_hash"):
            code = codes.new_code(rng)
            result.codes.append((row.point_id, code))
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
               announce: Callable[[importjournal.Recovery], None] | None = None) -> ImportRun:
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
    result, items = import_points(table, path, districts, rng=rng, now=now, reissue=reissue)
    write_codes(pending, result.codes)  # before the store: every stored hash has its code on paper
    try:
        importjournal.apply(table, items, result.prior, import_id=importjournal.new_import_id(now, rng), now=now,
                            source=path.name, codes_file=codes_out.name)
    except importjournal.ImportNotRolledBack as exc:
        raise importjournal.ImportNotRolledBack(
            f"{exc.message}；在此之前不要发放 {pending} 中的访问码") from exc
    except BaseException:
        pending.unlink()
        raise
    publish_codes(pending, codes_out)
    return ImportRun(result, recovered)


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


def write_codes(codes_out: Path, pairs: Sequence[tuple[str, str]]) -> None:
    """The codes file, created once (never overwritten) and readable by its owner only."""
    try:
        fd = os.open(codes_out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InputError(f"{codes_out}: 文件已存在；访问码只写一次，请指定新的文件名") from None
    with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["point_id", "access_code"])
        writer.writerows(pairs)
