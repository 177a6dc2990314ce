"""Staff downloads of submissions: CSV (UTF-8 with BOM), XLSX and JSON, streamed in constant memory.

Reports give one row per inspection (a report without inspections gives one row), so the office
can count by agency. Every cell a spreadsheet would run as a formula is neutralised, and XLSX
cells are always written as text (inline strings: nothing accumulates in a shared-string table).
The rows come from a generator over the store's pages; nothing holds the whole export.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from enforcewatch.cells import FORMULA_AFTER_LINE_BREAK, FORMULA_CHARS, as_text
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

# (header, source). Report sources: "r.<field>" from the report, "i.<field>" from one inspection,
# "p.<field>" from the point's registry entry, "c.<field>" from the report's contact ({name, phone}).
# `r.district` is written as the district's name.
REPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("监测点编号", "r.point_id"), ("企业名称", "p.enterprise_name"), ("县（市、区）", "r.district"),
    ("报送月份", "r.month"), ("版本(0=首次报送)", "r.seq"), ("接收时间(北京时间)", "r.received_at"),
    ("本月未接受检查", "r.no_inspections"),
    ("检查序号", "i.#"), ("检查日期", "i.date"), ("执法单位", "i.agency"), ("执法人员人数", "i.officer_count"),
    ("是否亮证", "i.credentials_shown"), ("检查类型", "i.inspection_type"), ("是否提前告知", "i.notice_given"),
    ("是否备案/扫码入企", "i.filed_or_scanned"), ("是否联合检查", "i.joint"), ("检查事项", "i.items_checked"),
    ("检查结果", "i.outcome"), ("结果说明", "i.outcome_note"), ("存在问题", "i.misconduct"),
    ("满意度", "i.satisfaction"), ("具体说明", "i.comment"), ("意见建议", "r.suggestions"),
    ("联系人", "c.name"), ("联系电话", "c.phone"),
)
COMPLAINT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("投诉编号", "complaint_id"), ("接收时间(北京时间)", "received_at"), ("投诉人类型", "complainant_type"),
    ("姓名(名称)", "name"), ("统一社会信用代码", "uscc"), ("联系电话", "phone"), ("邮箱", "email"),
    ("是否要求回复", "wants_reply"), ("被投诉单位", "agency"), ("被投诉人员", "officers"),
    ("发生日期", "incident_date"), ("地点", "place"), ("投诉类别", "category"), ("事实和理由", "description"),
    ("投诉请求", "request"), ("状态", "status"), ("答复", "reply"), ("答复时间(北京时间)", "replied_at"),
)
# Cells written as spreadsheet values in XLSX (numbers, dates, times: nothing a formula can hide in);
# every other cell is formula-safe text. Times are stored in UTC and written in Beijing time.
COUNTS = {"r.seq", "i.#", "i.officer_count"}
DATES = {"i.date", "incident_date"}
TIMES = {"r.received_at", "received_at", "replied_at"}
CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")  # no daylight saving


class Count(int):
    """A count: a number cell in XLSX (a plain int stays text, as every other cell)."""


def typed(source: str, value: Any) -> Any:
    """The cell value of `source`: a Count, a date, a Beijing-time datetime (naive), or as stored when it
    is not what the column expects (it is then written as text, so nothing is lost)."""
    if value is None or isinstance(value, bool):
        return value
    try:
        if source in COUNTS and isinstance(value, int):
            return Count(value)
        if source in DATES and isinstance(value, str):
            return dt.date.fromisoformat(value)
        if source in TIMES and isinstance(value, str):
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is not None:
                return moment.astimezone(CHINA).replace(tzinfo=None, microsecond=0)
    except ValueError:
        pass
    return value


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
    """A cell value a spreadsheet shows as text: a leading = + - @ tab or CR gets a `'` in front."""
    value = _ILLEGAL_XML.sub("", value)
    return as_text(value)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "、".join(cell_text(v) for v in value)
    if isinstance(value, Mapping):
        return "；".join(f"{k}：{cell_text(v)}" for k, v in value.items())
    return str(value)


PointLookup = Callable[[str, str], Mapping[str, Any] | None]


def report_rows(reports: Iterable[Mapping[str, Any]], points: PointLookup | None = None,
                district_names: Mapping[str, str] | None = None) -> Iterator[list[Any]]:
    """One row per inspection of each report; a report without inspections still gives one row. With
    `points` (point_id, district → registry entry) every row carries the enterprise's name; the district
    is written by its name from `district_names`."""
    names = district_names or {}
    for report in reports:
        point = points(str(report.get("point_id")), str(report.get("district"))) if points else None
        contact = _contact(report)
        inspections = report.get("inspections") or [None]
        for number, inspection in enumerate(inspections, start=1):
            row = []
            for _, source in REPORT_COLUMNS:
                scope, _, name = source.partition(".")
                if scope == "r":
                    value = report.get(name)
                    row.append(names.get(value, value) if name == "district" else typed(source, value))
                elif scope == "p":
                    row.append((point or {}).get(name))
                elif scope == "c":
                    row.append(contact.get(name))
                elif inspection is None:
                    row.append(None)
                else:
                    row.append(typed(source, number if name == "#" else inspection.get(name)))
            yield row


def _contact(report: Mapping[str, Any]) -> Mapping[str, Any]:
    """The report's contact as {name, phone}: stored as one map (`contact`), or, in reports stored
    before, as `contact_name` and `contact_phone`."""
    contact = report.get("contact")
    if isinstance(contact, Mapping):
        return contact
    return {"name": report.get("contact_name"), "phone": report.get("contact_phone")}


def complaint_rows(complaints: Iterable[Mapping[str, Any]]) -> Iterator[list[Any]]:
    for complaint in complaints:
        yield [typed(name, complaint.get(name)) for _, name in COMPLAINT_COLUMNS]


class PointNames:
    """Registry entries for report rows: one query of a district's points (gsi2 `POINTS#{district}`)
    the first time the district is seen, then a GetItem for a point that query did not list."""

    def __init__(self, table: DynamoTable) -> None:
        self.table = table
        self.known: dict[str, Mapping[str, Any] | None] = {}
        self.read: set[str] = set()

    def __call__(self, point_id: str, district: str) -> Mapping[str, Any] | None:
        if district not in self.read:
            self.read.add(district)
            for item in self.table.query(f"POINTS#{district}", index=schema.GSI2):
                self.known[str(item["point_id"])] = {"enterprise_name": item.get("enterprise_name")}
        if point_id not in self.known:
            item = self.table.get(f"POINT#{point_id}", "POINT", consistent=False)
            self.known[point_id] = {"enterprise_name": item.get("enterprise_name")} if item else None
        return self.known[point_id]


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
    illegal, after_break = _ILLEGAL_XML.search, FORMULA_AFTER_LINE_BREAK.search
    for row in rows:
        cells = [v if type(v) is str else "" if v is None else str(v) if type(v) is int else cell_text(v)
                 for v in row]
        joined = "\n".join(cells)
        if joined[:1] in FORMULA_CHARS or after_break(joined) or illegal(joined):
            cells = [neutralise(c) for c in cells]
        writer.writerow(cells)
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


CELL_MAX = 32767  # characters Excel keeps in a cell; openpyxl cuts longer text there too
SHEET_PART = "xl/worksheets/sheet1.xml"


def _sheet_rows(rows: Iterable[list[Any]], first: int, styles: tuple[str, str] | None = None) -> Iterator[str]:
    """Rows as the <row> elements openpyxl's write-only worksheet writes for all-text rows (inline
    strings; `xml:space` where it keeps outer whitespace), without a Cell and an element per cell.
    With `styles` (the workbook's date and date-time style ids), a Count is a number cell and a date or
    datetime a date cell, as openpyxl writes them."""
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.datetime import to_excel

    letters: list[str] = []
    for number, row in enumerate(rows, start=first):
        while len(letters) < len(row):
            letters.append(get_column_letter(len(letters) + 1))
        parts = [f'<row r="{number}">']
        for letter, value in zip(letters, row, strict=False):
            if styles is not None and isinstance(value, (Count, dt.date)):
                if isinstance(value, Count):
                    parts.append(f'<c r="{letter}{number}" t="n"><v>{int(value)}</v></c>')
                else:
                    style = styles[1] if isinstance(value, dt.datetime) else styles[0]
                    parts.append(f'<c r="{letter}{number}" s="{style}" t="n"><v>{to_excel(value)}</v></c>')
                continue
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


DATE_FORMAT, TIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
_STYLED_ROW = re.compile(r'<row r="2">.*?</row>', re.S)
_STYLE = re.compile(r' s="(\d+)"')


def _style_row(worksheet: Any) -> None:
    """A row with one date and one date-time cell, so the workbook's styles hold both formats (the row
    itself is taken out of the sheet again; its style ids are read from it)."""
    from openpyxl.cell import WriteOnlyCell

    day = WriteOnlyCell(worksheet, value=dt.date(2000, 1, 1))
    day.number_format = DATE_FORMAT
    moment = WriteOnlyCell(worksheet, value=dt.datetime(2000, 1, 1))
    moment.number_format = TIME_FORMAT
    worksheet.append([day, moment])


def xlsx_chunks(headers: list[str], rows: Iterable[list[Any]], sheet: str = "导出", typed: bool = False
                ) -> Iterator[bytes]:
    """A workbook streamed from a temporary file. openpyxl (write-only mode) writes the workbook with
    the header row; the data rows go straight into its sheet part as XML text, the same elements
    openpyxl writes for text cells (per-cell objects made 100,000 rows take about a minute). With
    `typed`, counts, dates and times are spreadsheet values (`_sheet_rows`)."""
    import zipfile

    from openpyxl import Workbook  # heavy import: only when a workbook is asked for

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    # Plain strings: openpyxl writes a str as text unless it starts with "=", and `neutralise` has put
    # a quote before every leading "=" (tests check every cell's type and that no <f> element exists).
    worksheet.append([neutralise(h) for h in headers])
    if typed:
        _style_row(worksheet)
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
                styles = None
                if typed:
                    text = head.decode("utf-8")
                    styled = _STYLED_ROW.search(text)
                    assert styled is not None
                    day_style, time_style = _STYLE.findall(styled.group(0))
                    styles = (day_style, time_style)
                    head = (text[:styled.start()] + text[styled.end():]).encode("utf-8")
                with target.open(SHEET_PART, "w", force_zip64=True) as part:
                    part.write(head)
                    batch: list[str] = []
                    for row_xml in _sheet_rows(rows, first=2, styles=styles):
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


def open_export(table: DynamoTable, request: ExportRequest, districts: list[str],
                district_names: Mapping[str, str] | None = None) -> Export:
    """The export of `request` over `districts` (already scoped by the caller); rows stream lazily.
    Report rows carry the enterprise's name and the district's name (`district_names`: id → name)."""
    counter = Counter()
    if request.kind == "report":
        headers = [h for h, _ in REPORT_COLUMNS]
        rows = report_rows(stored_reports(table, districts, request.month_from, request.month_to),
                           PointNames(table), district_names)
    else:
        headers = [h for h, _ in COMPLAINT_COLUMNS]
        rows = complaint_rows(stored_complaints(table, request.month_from, request.month_to))
    if request.fmt == "xlsx":
        return Export(request, xlsx_chunks(headers, counter.wrap(rows), typed=True), counter)
    return Export(request, WRITERS[request.fmt](headers, counter.wrap(rows)), counter)
