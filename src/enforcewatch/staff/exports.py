"""Staff downloads of submissions: CSV (UTF-8 with BOM), XLSX and JSON, streamed in constant memory.

Reports give one row per inspection (a report without inspections gives one row), so the office
can count by agency; the rows and their columns are `enforcewatch.staff.exportrows`. Every cell a
spreadsheet would run as a formula is neutralised; XLSX text cells are inline strings (nothing
accumulates in a shared-string table), and in the staff downloads counts, dates and times are
number and date cells. The rows come from a generator over the store's pages; nothing holds the
whole export.
"""

from __future__ import annotations

import csv
import datetime as dt
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
from enforcewatch.staff.exportrows import (
    COMPLAINT_COLUMNS,
    REPORT_COLUMNS,
    Count,
    PointNames,
    complaint_rows,
    report_rows,
    stored_complaints,
    stored_reports,
)
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
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "、".join(cell_text(v) for v in value)
    if isinstance(value, Mapping):
        return "；".join(f"{k}：{cell_text(v)}" for k, v in value.items())
    return str(value)


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


def _typed_cell(ref: str, value: Count | dt.date, styles: tuple[str, str], to_excel: Callable[..., object]) -> str:
    """A Count as a number cell, a date or datetime as a date cell with the workbook's date or date-time style."""
    if isinstance(value, Count):
        return f'<c r="{ref}" t="n"><v>{int(value)}</v></c>'
    style = styles[1] if isinstance(value, dt.datetime) else styles[0]
    return f'<c r="{ref}" s="{style}" t="n"><v>{to_excel(value)}</v></c>'


def _text_cell(ref: str, value: Any) -> str:
    """An inline-string cell with the value's neutralised text (`xml:space` where it keeps outer whitespace)."""
    text = neutralise(cell_text(value))[:CELL_MAX]
    if not text:
        return f'<c r="{ref}" t="inlineStr" />'
    stripped = text.strip()
    space = ' xml:space="preserve"' if stripped and stripped != text else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _sheet_rows(rows: Iterable[list[Any]], first: int, styles: tuple[str, str] | None = None) -> Iterator[str]:
    """Rows as the <row> elements openpyxl's write-only worksheet writes for all-text rows (inline
    strings; `xml:space` where it keeps outer whitespace), without a Cell and an element per cell.
    With `styles` (the workbook's date and date-time style ids), a Count is a number cell and a date or
    datetime a date cell, as openpyxl writes them."""
    # cold start: openpyxl is heavy, loaded only when a workbook is asked for
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.datetime import to_excel

    letters: list[str] = []
    for number, row in enumerate(rows, start=first):
        while len(letters) < len(row):
            letters.append(get_column_letter(len(letters) + 1))
        parts = [f'<row r="{number}">']
        for letter, value in zip(letters, row, strict=False):
            ref = f"{letter}{number}"
            if styles is not None and isinstance(value, (Count, dt.date)):
                parts.append(_typed_cell(ref, value, styles, to_excel))
            else:
                parts.append(_text_cell(ref, value))
        parts.append("</row>")
        yield "".join(parts)


DATE_FORMAT, TIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
_STYLED_ROW = re.compile(r'<row r="2">.*?</row>', re.S)
_STYLE = re.compile(r' s="(\d+)"')


def _style_row(worksheet: Any) -> None:
    """A row with one date and one date-time cell, so the workbook's styles hold both formats (the row
    itself is taken out of the sheet again; its style ids are read from it)."""
    # cold start: openpyxl is ~200 modules and the staff function loads this module at cold start:
    # only an .xlsx download loads it
    from openpyxl.cell import WriteOnlyCell

    day = WriteOnlyCell(worksheet, value=dt.date(2000, 1, 1))  # type: ignore[arg-type]  # openpyxl takes dates
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
    # cold start: only when a workbook is asked for

    from openpyxl import Workbook  # cold start: openpyxl is heavy, loaded only when a workbook is asked for

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
