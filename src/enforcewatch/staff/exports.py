"""Staff downloads of submissions: CSV (UTF-8 with BOM), XLSX and JSON, streamed in constant memory.

Reports give one row per inspection (a report without inspections gives one row), so the office
can count by agency. Every cell a spreadsheet would run as a formula is neutralised, and XLSX
cells are always written as text (inline strings: nothing accumulates in a shared-string table).
The rows come from a generator over the store's pages; nothing holds the whole export.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from enforcewatch.cells import FORMULA_IN_ROW, as_text
from enforcewatch.errors import FieldError, InputError
from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable

KINDS = ("report", "complaint")
FORMATS = ("csv", "xlsx", "json")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# Characters XML 1.0 cannot carry (openpyxl refuses them); they have no business in a cell.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CHUNK = 64 * 1024

# (header, source). Report sources: "r.<field>" from the report, "i.<field>" from one inspection.
REPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("监测点编号", "r.point_id"), ("县（市、区）", "r.district"), ("报送月份", "r.month"),
    ("版本(0=首次报送)", "r.seq"), ("接收时间(UTC)", "r.received_at"), ("本月未接受检查", "r.no_inspections"),
    ("检查序号", "i.#"), ("检查日期", "i.date"), ("执法单位", "i.agency"), ("执法人员人数", "i.officer_count"),
    ("是否亮证", "i.credentials_shown"), ("检查类型", "i.inspection_type"), ("是否提前告知", "i.notice_given"),
    ("是否备案/扫码入企", "i.filed_or_scanned"), ("是否联合检查", "i.joint"), ("检查事项", "i.items_checked"),
    ("检查结果", "i.outcome"), ("结果说明", "i.outcome_note"), ("存在问题", "i.misconduct"),
    ("满意度", "i.satisfaction"), ("具体说明", "i.comment"), ("意见建议", "r.suggestions"),
    ("联系人", "r.contact_name"), ("联系电话", "r.contact_phone"), ("联系人信息", "r.contact"),
)
COMPLAINT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("投诉编号", "complaint_id"), ("接收时间(UTC)", "received_at"), ("投诉人类型", "complainant_type"),
    ("姓名(名称)", "name"), ("统一社会信用代码", "uscc"), ("联系电话", "phone"), ("邮箱", "email"),
    ("是否要求回复", "wants_reply"), ("被投诉单位", "agency"), ("被投诉人员", "officers"),
    ("发生日期", "incident_date"), ("地点", "place"), ("投诉类别", "category"), ("事实和理由", "description"),
    ("投诉请求", "request"), ("状态", "status"), ("答复", "reply"), ("答复时间(UTC)", "replied_at"),
)


@dataclass(frozen=True)
class ExportRequest:
    kind: str
    fmt: str
    month_from: str
    month_to: str
    district: str | None = None

    @classmethod
    def parse(cls, kind: str, fmt: str, month_from: str, month_to: str, district: str | None) -> ExportRequest:
        problems = []
        if kind not in KINDS:
            problems.append(FieldError(("kind",), "类型须为 report（月报）或 complaint（投诉）"))
        if fmt not in FORMATS:
            problems.append(FieldError(("format",), "格式须为 csv、xlsx 或 json"))
        for name, value in (("from", month_from), ("to", month_to)):
            if not MONTH_RE.match(value or ""):
                problems.append(FieldError((name,), "月份格式应为 YYYY-MM，例如 2026-03"))
        if not problems and month_from > month_to:
            problems.append(FieldError(("to",), "结束月份不能早于开始月份"))
        if problems:
            raise InputError("；".join(p.msg for p in problems), problems)
        return cls(kind, fmt, month_from, month_to, district or None)

    @property
    def filename(self) -> str:
        name = {"report": "监测信息月报", "complaint": "投诉"}[self.kind]
        where = f"_{self.district}" if self.district else ""
        return f"{name}{where}_{self.month_from}_{self.month_to}.{self.fmt}"


def neutralise(value: str) -> str:
    """A cell value a spreadsheet shows as text: one starting like a formula (enforcewatch.cells) gets a `'`."""
    value = _ILLEGAL_XML.sub("", value)
    return as_text(value)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(cell_text(v) for v in value)
    if isinstance(value, Mapping):
        return "；".join(f"{k}：{cell_text(v)}" for k, v in value.items())
    return str(value)


def report_rows(reports: Iterable[Mapping[str, Any]]) -> Iterator[list[Any]]:
    """One row per inspection of each report; a report without inspections still gives one row."""
    for report in reports:
        inspections = report.get("inspections") or [None]
        for number, inspection in enumerate(inspections, start=1):
            row = []
            for _, source in REPORT_COLUMNS:
                scope, _, name = source.partition(".")
                if scope == "r":
                    row.append(report.get(name))
                elif inspection is None:
                    row.append(None)
                else:
                    row.append(number if name == "#" else inspection.get(name))
            yield row


def complaint_rows(complaints: Iterable[Mapping[str, Any]]) -> Iterator[list[Any]]:
    for complaint in complaints:
        yield [complaint.get(name) for _, name in COMPLAINT_COLUMNS]


def stored_reports(table: DynamoTable, districts: Iterable[str], month_from: str, month_to: str
                   ) -> Iterator[dict[str, Any]]:
    """Reports (every filing and amendment) of these districts and months, page by page (gsi2)."""
    for district in districts:
        yield from table.query(f"REPORTS#{district}", index=schema.GSI2,
                               sk_between=(f"{month_from}#", f"{month_to}#\uffff"))


def stored_complaints(table: DynamoTable, month_from: str, month_to: str) -> Iterator[dict[str, Any]]:
    yield from table.query("COMPLAINTS", index=schema.GSI2, sk_between=(f"{month_from}#", f"{month_to}#\uffff"))


@dataclass
class Counter:
    """Counts rows as they stream past, for the audit log."""

    rows: int = 0

    def wrap(self, rows: Iterable[list[Any]]) -> Iterator[list[Any]]:
        for row in rows:
            self.rows += 1
            yield row


def csv_chunks(headers: list[str], rows: Iterable[list[Any]]) -> Iterator[bytes]:
    """UTF-8 with BOM (so Excel opens it as Unicode), CRLF rows, neutralised cells.

    The same bytes as writing `neutralise(cell_text(v))` for every cell, but row by row: strings pass
    through, and two searches over the joined row decide whether any cell needs `neutralise` at all
    (the rare row that does gets it cell by cell).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(headers)
    illegal, formula = _ILLEGAL_XML.search, FORMULA_IN_ROW.search
    for row in rows:
        cells = [v if type(v) is str else "" if v is None else str(v) if type(v) is int else cell_text(v)
                 for v in row]
        joined = "\n".join(cells)
        if formula(joined) or illegal(joined):
            cells = [neutralise(c) for c in cells]
        writer.writerow(cells)
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


CELL_MAX = 32767  # characters Excel keeps in a cell; openpyxl cuts longer text there too
SHEET_PART = "xl/worksheets/sheet1.xml"


def _sheet_rows(rows: Iterable[list[Any]], first: int) -> Iterator[str]:
    """Rows as the <row> elements openpyxl's write-only worksheet writes for all-text rows (inline
    strings; `xml:space` where it keeps outer whitespace), without a Cell and an element per cell."""
    # cold start: openpyxl is heavy, loaded only when a workbook is asked for
    from openpyxl.utils import get_column_letter

    letters: list[str] = []
    for number, row in enumerate(rows, start=first):
        while len(letters) < len(row):
            letters.append(get_column_letter(len(letters) + 1))
        parts = [f'<row r="{number}">']
        for letter, value in zip(letters, row, strict=False):
            text = neutralise(cell_text(value))[:CELL_MAX]
            if not text:
                parts.append(f'<c r="{letter}{number}" t="inlineStr" />')
                continue
            stripped = text.strip()
            space = ' xml:space="preserve"' if stripped and stripped != text else ""
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            parts.append(f'<c r="{letter}{number}" t="inlineStr"><is><t{space}>{text}</t></is></c>')
        parts.append("</row>")
        yield "".join(parts)


def xlsx_chunks(headers: list[str], rows: Iterable[list[Any]], sheet: str = "导出") -> Iterator[bytes]:
    """A workbook streamed from a temporary file. openpyxl (write-only mode) writes the workbook with
    the header row; the data rows go straight into its sheet part as XML text, the same elements
    openpyxl writes for text cells (per-cell objects made 100,000 rows take about a minute)."""
    from openpyxl import Workbook  # cold start: openpyxl is heavy, loaded only when a workbook is asked for

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    # Plain strings: openpyxl writes a str as text unless it starts with "=", and `neutralise` has put
    # a quote before every leading "=" (tests check every cell's type and that no <f> element exists).
    worksheet.append([neutralise(h) for h in headers])
    handle, template = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        workbook.save(template)
        with zipfile.ZipFile(template) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                if info.filename != SHEET_PART:
                    target.writestr(info, source.read(info))
                    continue
                head, tail = source.read(info).split(b"</sheetData>")
                with target.open(SHEET_PART, "w", force_zip64=True) as part:
                    part.write(head)
                    batch: list[str] = []
                    for row_xml in _sheet_rows(rows, first=2):
                        batch.append(row_xml)
                        if len(batch) == 500:
                            part.write("".join(batch).encode("utf-8"))
                            batch.clear()
                    part.write("".join(batch).encode("utf-8") + b"</sheetData>" + tail)
        with open(path, "rb") as stream:
            while chunk := stream.read(CHUNK):
                yield chunk
    finally:
        os.unlink(template)
        os.unlink(path)


def json_chunks(headers: list[str], rows: Iterable[list[Any]]) -> Iterator[bytes]:
    """A JSON array of objects keyed by the Chinese headers (values as stored, not neutralised)."""
    yield b"["
    first = True
    for row in rows:
        record = dict(zip(headers, (cell_text(v) for v in row), strict=True))
        yield (b"\n" if first else b",\n") + json.dumps(record, ensure_ascii=False).encode("utf-8")
        first = False
    yield b"\n]\n"


WRITERS: dict[str, Callable[[list[str], Iterable[list[Any]]], Iterator[bytes]]] = {
    "csv": csv_chunks, "xlsx": xlsx_chunks, "json": json_chunks,
}


@dataclass
class Export:
    request: ExportRequest
    chunks: Iterator[bytes]
    counter: Counter = field(default_factory=Counter)

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.request.fmt]


def open_export(table: DynamoTable, request: ExportRequest, districts: list[str]) -> Export:
    """The export of `request` over `districts` (already scoped by the caller); rows stream lazily."""
    counter = Counter()
    if request.kind == "report":
        headers = [h for h, _ in REPORT_COLUMNS]
        rows = report_rows(stored_reports(table, districts, request.month_from, request.month_to))
    else:
        headers = [h for h, _ in COMPLAINT_COLUMNS]
        rows = complaint_rows(stored_complaints(table, request.month_from, request.month_to))
    return Export(request, WRITERS[request.fmt](headers, counter.wrap(rows)), counter)
