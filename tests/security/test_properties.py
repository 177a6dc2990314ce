"""Property tests (Hypothesis) for the parsers and validators that meet hostile input: whatever comes
in, the answer is the value or a domain error naming the place, never another exception."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from enforcewatch import codes, uscc
from enforcewatch.api.public import forms
from enforcewatch.errors import ContentError, EnforceWatchError, InputError
from enforcewatch.intake import complaints, reports
from enforcewatch.monitoring import registry_sheet
from enforcewatch.monitoring.duedates import WorkCalendar, parse_month
from enforcewatch.monitoring.registry import District
from enforcewatch.sitegen.content import load_content
from support.paths import CONTENT
from support.submitting import NOW, complaint, report

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12)


# -- 统一社会信用代码 (GB 32100-2015) ------------------------------------------------------------

first17 = st.text(USCC_ALPHABET, min_size=2, max_size=2).flatmap(
    lambda head: st.text("0123456789", min_size=6, max_size=6).flatmap(
        lambda area: st.text(USCC_ALPHABET, min_size=9, max_size=9).map(lambda rest: head + area + rest)))


@given(first17)
def test_uscc_with_its_check_character_is_valid(body: str) -> None:
    assert uscc.is_valid(body + uscc.check_character(body))


@given(first17, st.integers(0, 17), st.sampled_from(USCC_ALPHABET))
def test_uscc_any_single_changed_character_is_caught(body: str, at: int, ch: str) -> None:
    code = body + uscc.check_character(body)
    assume(code[at] != ch)
    changed = code[:at] + ch + code[at + 1:]
    assume(changed[2:8].isdigit())
    assert not uscc.is_valid(changed)  # the check character is mod 31 with weights prime to 31


@given(st.text(max_size=40))
def test_uscc_problem_is_a_message_or_none_for_any_text(text: str) -> None:
    result = uscc.problem(text)
    assert result is None or (isinstance(result, str) and "统一社会信用代码" in result)


# -- access codes and receipt codes ------------------------------------------------------------------

@given(st.randoms(use_true_random=False))
def test_codes_round_trip_through_the_ways_people_type_them(rng: random.Random) -> None:
    code = codes.new_code(rng)
    stored = codes.hash_code(code)
    for typed in (code, code.lower(), code.replace("-", ""), f"  {code.replace('-', ' ')} ",
                  code.replace("0", "O").replace("1", "I")):
        assert codes.verify_code(typed, stored)
    assert code not in stored and codes.ENTROPY_BITS == 100


@given(st.text(max_size=60), st.randoms(use_true_random=False))
def test_any_text_is_a_code_or_refused_never_an_error(text: str, rng: random.Random) -> None:
    canonical = codes.normalize(text)
    assert canonical is None or len(canonical) == 24
    code = codes.new_code(rng)
    assume(codes.normalize(text) != code)
    assert not codes.verify_code(text, codes.hash_code(code))


# -- months and dates -----------------------------------------------------------------------------

@given(st.text(max_size=12))
def test_month_text_is_parsed_or_refused_with_a_message(text: str) -> None:
    try:
        year, month = parse_month(text)
    except (ValueError, EnforceWatchError) as exc:
        assert str(exc)
    else:
        assert 1 <= month <= 12 and f"{year:04d}-{month:02d}" == text.strip()


@given(st.integers(2021, 2025), st.integers(1, 12))  # years whose next January is known
def test_due_date_is_a_working_day_on_or_after_the_fifth_of_the_next_month(year: int, month: int) -> None:
    calendar = WorkCalendar()
    due = calendar.due_date(year, month)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 5)
    assert due >= nxt and calendar.is_workday(due)
    assert all(not calendar.is_workday(nxt + dt.timedelta(days=d)) for d in range((due - nxt).days))


# -- submissions: any JSON, any form post ------------------------------------------------------------

@given(json_values)
def test_any_json_is_a_report_or_an_input_error(data) -> None:
    for candidate in (data, {**report("XX-0001", "CODE"), "month": data}, {**report("XX-0001", "CODE"),
                                                                              "inspections": data}):
        try:
            reports.validate(candidate, NOW)
        except InputError as exc:
            assert exc.errors and all(e.msg for e in exc.errors)


@given(json_values, st.sampled_from(sorted(complaint())))
def test_any_json_in_any_complaint_field_is_accepted_or_named(value, name: str) -> None:
    data = {**complaint(), name: value}
    try:
        complaints.ComplaintIn.model_validate(data)
    except Exception:  # noqa: BLE001 - pydantic refuses; the domain must then name the field
        with pytest.raises(InputError) as exc:
            complaints.file_complaint(None, data, NOW, random.Random(1), secret="s" * 32)
        assert exc.value.errors and all(e.loc and e.msg for e in exc.value.errors)


@given(st.lists(st.tuples(st.text(max_size=25), st.text(max_size=25)), max_size=30))
def test_any_form_post_is_read_into_fields_or_errors(pairs) -> None:
    form = forms.report_form(pairs)
    data, problems = forms.report_data(form, forms.single(pairs).get("access_code", ""))
    assert isinstance(data, dict) and all(p.msg for p in problems)
    forms.complaint_data(forms.complaint_form(pairs))


# -- content files and registry imports ------------------------------------------------------------

@FEW
@given(st.text(max_size=300))
def test_any_list_file_loads_or_names_the_file(tmp_path_factory, text: str) -> None:
    root = tmp_path_factory.mktemp("content")
    shutil.copytree(CONTENT, root, dirs_exist_ok=True)
    (root / "lists" / "leniency.yaml").write_text(text, encoding="utf-8")
    try:
        load_content(root)
    except ContentError as exc:
        assert exc.problems and all(str(p) for p in exc.problems)


cell = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20)


@FEW
@given(st.lists(st.lists(cell, min_size=7, max_size=7), min_size=1, max_size=6))
def test_any_csv_import_is_valid_rows_or_row_problems(tmp_path_factory, rows) -> None:
    import csv

    path = Path(tmp_path_factory.mktemp("import")) / "points.csv"
    header = ["point_id", "enterprise_name", "uscc", "district", "industry", "designated_on", "reporting_from"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    try:
        valid = registry_sheet.validate(registry_sheet.read(path), [District("weibin", "卫滨区")])
    except InputError as exc:
        assert str(exc) and "points.csv" in str(exc)
    else:
        assert all(uscc.is_valid(r.uscc) for r in valid)
