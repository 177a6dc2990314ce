"""Read a sheet the way offices keep them: CSV or XLSX, with title rows above the header, blank
rows, a 序号 column, merged (two-row) header cells, and a footer (合计, 填表人, 备注：…) below.

The caller describes what it expects as a `Layout` (its columns with their Chinese names and
synonyms, the extra columns it reads past); `read_sheet` finds the header row, maps the columns,
and returns every data row as text with its row number, plus what it skipped and why, so the
caller can say so. Problems name the file, the sheet, the row and the column (`RowProblem`).
"""

from __future__ import annotations

import csv
import io
import itertools
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from enforcewatch.errors import ImportRowsError, InputError, RowProblem
from enforcewatch.tabular.values import cell_text

HEADER_SCAN = 30  # rows searched for the header (title rows and notes above it)
# A row whose first filled cell starts with one of these ends the table (and everything below).
FOOTER_WORDS = ("合计", "总计", "小计", "填表人", "填报人", "填表日期", "填报日期", "填报单位", "制表",
                "审核", "负责人", "单位负责人", "统计人", "联系人:", "联系电话:")  # compared after NFKC (：→:)
FOOTER_NOTES = ("备注", "注", "说明", "附注")  # only with a colon: 备注：… (a 备注 column is not a footer)
# Columns offices add that no import needs; read past, and reported.
COMMON_EXTRAS = ("序号", "序", "编号序号", "No", "No.")


def header_key(text: Any) -> str:
    """A header cell compared loosely: full-width folded, spaces, line breaks and * marks removed."""
    folded = unicodedata.normalize("NFKC", cell_text(text))
    return "".join(folded.split()).strip("*:").replace("（", "(").replace("）", ")")


@dataclass(frozen=True)
class Column:
    field: str
    label: str  # the Chinese name the template writes
    aliases: tuple[str, ...] = ()  # other names offices use (and the English field name)
    required: bool = False


@dataclass(frozen=True)
class Layout:
    what: str  # what the sheet is, for messages: 监测点名单
    columns: tuple[Column, ...]
    extras: tuple[str, ...] = COMMON_EXTRAS  # known extra columns, read past and reported
    strict: bool = True  # an unknown column is an error (else it is reported and read past)

    def lookup(self) -> dict[str, Column]:
        out: dict[str, Column] = {}
        for col in self.columns:
            for name in (col.field, col.label, *col.aliases):
                out.setdefault(header_key(name), col)
        return out

    def label(self, field_name: str) -> str:
        return next((c.label for c in self.columns if c.field == field_name), field_name)


@dataclass(frozen=True)
class SheetRow:
    number: int  # as the spreadsheet numbers it
    values: dict[str, str]


@dataclass
class Sheet:
    path: str
    name: str  # the worksheet's name; "" for CSV
    layout: Layout
    header_row: int = 0
    letters: dict[str, str] = field(default_factory=dict)  # field → column letter
    rows: list[SheetRow] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # known extra columns read past
    unmapped: list[str] = field(default_factory=list)  # unknown columns read past (when not strict)
    footer: tuple[int, str] | None = None  # (row, text) where reading stopped

    def problem(self, row: int, field_name: str, message: str) -> RowProblem:
        return RowProblem(self.path, row, field_name, message, sheet=self.name,
                          column=self.letters.get(field_name, ""), label=self.layout.label(field_name))

    def notes(self) -> list[str]:
        """What was read past, in words, for the person importing."""
        out = []
        if self.header_row > 1:
            out.append(f"表头在第{self.header_row}行，上方{self.header_row - 1}行（标题等）未读取")
        if self.ignored:
            out.append("已忽略的列：" + "、".join(self.ignored))
        if self.unmapped:
            out.append("无法对应的列（未导入）：" + "、".join(self.unmapped))
        if self.footer:
            out.append(f"第{self.footer[0]}行“{self.footer[1]}”起为表尾，其后各行未读取")
        return out


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_sheet(path: Path, layout: Layout, *, data: bytes | None = None, name: str | None = None) -> Sheet:
    """Read `path` (or `data`, a file's bytes, named `name`) as a sheet of `layout`. Raises
    ImportRowsError naming the place of every header problem, InputError if it cannot be read."""
    display = name or str(path)
    suffix = Path(name or path).suffix.lower()
    raw = data if data is not None else _read_bytes(path, display)
    if suffix == ".csv":
        return _from_rows(display, "", _csv_rows(raw, display), layout)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_sheet(raw, display, layout)
    raise InputError(f"{display}：只支持 .csv 或 .xlsx 文件（.xls 请在 Excel 中另存为 .xlsx）")


def _read_bytes(path: Path, display: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{display}：无法读取：{exc.strerror}") from None


def _csv_rows(raw: bytes, display: str) -> Iterator[tuple[Any, ...]]:
    # Excel saves "CSV UTF-8" with a BOM; its plain "CSV" on a Chinese Windows is GB18030 (GBK).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return (tuple(row) for row in csv.reader(io.StringIO(text, newline="")))
    raise InputError(f"{display}：无法识别文件编码（请在 Excel 中另存为“CSV UTF-8”或 .xlsx）")


def _xlsx_sheet(raw: bytes, display: str, layout: Layout) -> Sheet:
    # cold start: openpyxl is ~200 modules; the staff and deadline functions load this module at cold
    # start (registry imports), so it comes only when a spreadsheet is read
    import openpyxl  # heavy: only when a spreadsheet is read

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(f"{display}：无法作为 XLSX 打开：{exc}") from None
    try:
        first_error: ImportRowsError | None = None
        for ws in book.worksheets:  # the first sheet whose header is found (a notes sheet is skipped)
            try:
                return _from_rows(display, ws.title, ws.iter_rows(values_only=True), layout)
            except _NoHeader as exc:
                first_error = first_error or exc
        raise first_error or InputError(f"{display}：工作簿中没有工作表")
    finally:
        book.close()


class _NoHeader(ImportRowsError):
    pass


def _from_rows(display: str, sheet_name: str, rows: Iterable[Sequence[Any]], layout: Layout) -> Sheet:
    sheet = Sheet(display, sheet_name, layout)
    numbered = enumerate(rows, start=1)
    lookup = layout.lookup()
    head = list(itertools.islice(numbered, HEADER_SCAN))
    found = _find_header(head, lookup, layout)
    if found is None:
        required = "、".join(c.label for c in layout.columns if c.required)
        raise _NoHeader([RowProblem(display, 0, "", f"前{HEADER_SCAN}行中找不到{layout.what}的表头行"
                                    f"（应含以下列：{required}）", sheet=sheet_name)])
    at, names = found
    sheet.header_row = head[at][0]
    mapping = _map_columns(sheet, names, lookup)
    rest = itertools.chain(head[at + _header_rows(head, at, lookup, layout):], numbered)
    header_keys = [header_key(v) for v in head[at][1]]
    few = max(2, len(mapping) // 2)  # a footer row fills few of the table's columns
    for number, row in rest:
        texts = [cell_text(v) for v in row]
        filled = [t for t in texts if t]
        if not filled or [header_key(t) for t in texts] == header_keys:
            continue  # blank, or the header repeated (printed pages)
        if _is_footer(filled[0]) and sum(1 for i in mapping if i < len(texts) and texts[i]) < few:
            sheet.footer = (number, filled[0][:20])
            break
        sheet.rows.append(SheetRow(number, {f: texts[i] for i, f in mapping.items() if i < len(texts)}))
    return sheet


def _matches(row: Sequence[Any], lookup: dict[str, Column]) -> int:
    return len({lookup[k].field for k in (header_key(v) for v in row) if k in lookup})


def _find_header(head: list[tuple[int, Sequence[Any]]], lookup: dict[str, Column], layout: Layout
                 ) -> tuple[int, list[str]] | None:
    """The header row (the one matching most column names, at least two) and its names; a second
    header row below it (merged header cells: 联系人 over 姓名 | 电话) fills in or refines them."""
    scores = [_matches(row, lookup) for _, row in head]
    best = max(scores, default=0)
    if best < min(2, len(layout.columns)):
        return None
    at = scores.index(best)
    names = [header_key(v) for v in head[at][1]]
    if _header_rows(head, at, lookup, layout) == 2:
        sub = [header_key(v) for v in head[at + 1][1]]
        names = [s or n for n, s in itertools.zip_longest(names, sub, fillvalue="")]
    return at, names


def _header_rows(head: list[tuple[int, Sequence[Any]]], at: int, lookup: dict[str, Column], layout: Layout) -> int:
    """2 when the row under the header holds only column names (the lower half of merged cells)."""
    if at + 1 >= len(head):
        return 1
    keys = [k for k in (header_key(v) for v in head[at + 1][1]) if k]
    extras = {header_key(e) for e in layout.extras}
    return 2 if keys and all(k in lookup or k in extras for k in keys) else 1


def _map_columns(sheet: Sheet, names: list[str], lookup: dict[str, Column]) -> dict[int, str]:
    layout = sheet.layout
    extras = {header_key(e) for e in layout.extras}
    mapping: dict[int, str] = {}
    problems: list[RowProblem] = []
    for i, name in enumerate(names):
        if not name:
            continue
        col = lookup.get(name)
        if col is None:
            if name in extras:
                sheet.ignored.append(name)
            elif layout.strict:
                problems.append(RowProblem(sheet.path, sheet.header_row, "", f"无法识别的列名“{name}”（可用的列："
                                           f"{'、'.join(c.label for c in layout.columns)}）", sheet=sheet.name,
                                           column=column_letter(i)))
            else:
                sheet.unmapped.append(name)
            continue
        if col.field in sheet.letters:
            problems.append(RowProblem(sheet.path, sheet.header_row, col.field,
                                       f"与{sheet.letters[col.field]}列重复", sheet=sheet.name,
                                       column=column_letter(i), label=col.label))
            continue
        mapping[i] = col.field
        sheet.letters[col.field] = column_letter(i)
    for col in layout.columns:
        if col.required and col.field not in sheet.letters:
            problems.append(RowProblem(sheet.path, 0, col.field, f"缺少“{col.label}”列（表头在第{sheet.header_row}行）",
                                       sheet=sheet.name))
    if problems:
        raise ImportRowsError(problems)
    return mapping


def _is_footer(text: str) -> bool:
    key = unicodedata.normalize("NFKC", text).replace(" ", "")
    if key.startswith(FOOTER_WORDS):
        return True
    return any(key.startswith(word + ":") for word in FOOTER_NOTES)
