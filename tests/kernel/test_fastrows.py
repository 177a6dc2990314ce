"""The fast row writer gives the bytes openpyxl gives (tabular.fastrows), and hands back what it cannot."""

from __future__ import annotations

from pathlib import Path

import pytest

from enforcewatch.sitegen import datafiles
from enforcewatch.sitegen.build import LISTS
from enforcewatch.sitegen.content import load_content
from enforcewatch.tabular.fastrows import _letters, append_rows

ROOT = Path(__file__).resolve().parents[2]
AWKWARD = ["a & b < c > d", ' "quoted" \'single\'', "  leading", "trailing  ", "   ", "\u3000全角空格", "line\nbreak",
           "tab\there", "cr\rhere", "'=SUM(A1)", "=", "emoji 😀", "#N/A-ish", "", "〇一二", "x" * 300]


def _rows(values: list[object]) -> list[list[object]]:
    return [[v, i, "tail"] for i, v in enumerate(values)]


def test_shipped_lists_give_openpyxls_bytes() -> None:
    content = load_content(ROOT / "site" / "content")
    depts = {d.id: d for d in content.departments}
    for key in datafiles.SHEET_NAMES:
        data = getattr(content, next(s.attr for s in LISTS if s.key == key))
        if data is None:
            continue
        rows = [[datafiles._cell(get(i, depts[i.department])) for _, get in datafiles.COLUMNS[key]]
                for i in data.items]
        fast = append_rows(datafiles._header_workbook(key), rows)
        assert fast is not None, key  # the shipped lists take the fast path
        assert fast == datafiles.to_xlsx(key, data.items, depts) == datafiles._openpyxl_xlsx(key, rows), key


def test_awkward_text_and_numbers_give_openpyxls_bytes() -> None:
    skeleton = datafiles._header_workbook("leniency")
    rows = _rows(AWKWARD) + [[0, -5, 10**12]]
    assert append_rows(skeleton, rows) == datafiles._openpyxl_xlsx("leniency", rows)


@pytest.mark.parametrize("value", [True, 1.5, "=SUM(A1)", "#N/A", "bell\x07", "x" * 40000, None])
def test_values_openpyxl_treats_specially_are_left_to_it(value: object) -> None:
    assert append_rows(datafiles._header_workbook("leniency"), [["ok", value]]) is None


def test_a_department_sheet_with_a_special_value_falls_back_to_openpyxl() -> None:
    content = load_content(ROOT / "site" / "content")
    depts = {d.id: d for d in content.departments}
    item = content.leniency.items[0].model_copy(update={"notes": "#DIV/0!"})
    body = datafiles.to_xlsx("leniency", [item], depts)
    rows = [[datafiles._cell(get(item, depts[item.department])) for _, get in datafiles.COLUMNS["leniency"]]]
    assert append_rows(datafiles._header_workbook("leniency"), rows) is None
    assert body == datafiles._openpyxl_xlsx("leniency", rows)


def test_column_letters() -> None:
    assert _letters(28)[:3] == ["A", "B", "C"] and _letters(28)[25:] == ["Z", "AA", "AB"]
    assert _letters(703)[-1] == "AAA"

