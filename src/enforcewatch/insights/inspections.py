"""Inspections as the monthly reports tell them, ready for insight: one record per inspection of
the latest filing of each point and month, with the agency matched to a published department and
the matter matched to a published list item.

Matching rules (docs/insights.md):
- **Agency → department.** The free text `agency` is normalised (spaces and punctuation removed).
  It matches the department whose `body` or `name` it equals; otherwise the department whose name
  is the longest substring of it ("城关区市场监督管理局" → 市场监督管理局). No match: `None`.
- **Matter → list item.** An inspection that names `item_id` is matched by id. Otherwise its
  `items_checked` text and each item's name are normalised (brackets with their content,
  punctuation, spaces and a trailing 的检查 / 的监督检查 / 检查 / 情况 removed); an item matches
  when its normalised name occurs in the text, or the text (at least 4 characters) occurs in the
  name. Only items of the inspecting department are candidates when the department is known.
  The matters are the spot-check items and the enforcement items of kind 行政检查 in force.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from enforcewatch.insights.frequency import Frequency
from enforcewatch.insights.frequency import read as read_frequency
from enforcewatch.store import schema

PUNCTUATION = re.compile(r"[\s、，,。.；;：:“”\"'‘’/\\|·—\-]+")
BRACKETS = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
SUFFIXES = ("的监督检查", "的检查", "监督检查", "检查", "情况", "的")
MIN_TEXT = 4  # a shorter free text never matches inside an item name
INSPECTION_KIND = "行政检查"  # of the enforcement items, only inspection items are inspection matters


def normalise(text: str) -> str:
    return PUNCTUATION.sub("", BRACKETS.sub("", text or ""))


def _core(text: str) -> str:
    core = normalise(text)
    changed = True
    while changed:
        changed = False
        for suffix in SUFFIXES:
            if core.endswith(suffix) and len(core) > len(suffix):
                core, changed = core[: -len(suffix)], True
    return core


@dataclass(frozen=True)
class Matter:
    """A published list item an inspection may concern."""

    id: str
    department: str
    name: str
    spot_check: bool
    frequency: Frequency | None = None  # the published frequency (spot-check items)

    @property
    def core(self) -> str:
        return _core(self.name)


class Catalogue:
    """The published departments and list items, with the matching rules above."""

    def __init__(self, departments: Iterable[Any], matters: Iterable[Matter], prudent: Iterable[Any] = ()) -> None:
        self.prudent = list(prudent)  # the 包容审慎 items (sitegen.supervision.PrudentItem) with their 留观期
        self.departments = {d.id: d for d in departments}
        self.names = {d.id: d.name for d in self.departments.values()}
        self._exact: dict[str, str] = {normalise(v): d.id for d in self.departments.values() for v in (d.body, d.name)}
        self.matters = {m.id: m for m in matters}
        self._cores = [(m.core, m) for m in self.matters.values()]

    @classmethod
    def from_content(cls, content: Any) -> Catalogue:
        matters = [Matter(i.id, i.department, i.name, False) for i in content.enforcement.items
                   if i.kind == INSPECTION_KIND and i.status == "有效"]
        matters += [Matter(i.id, i.department, i.item, True, read_frequency(i.frequency, i.per_year, i.max_per_year))
                    for i in content.spot_checks.items]
        return cls(content.departments, matters, content.prudent.items if content.prudent is not None else ())

    def department(self, agency: str) -> str | None:
        text = normalise(agency)
        if text in self._exact:
            return self._exact[text]
        found = [(len(normalise(name)), dept_id) for dept_id, name in self.names.items() if normalise(name) in text]
        return max(found)[1] if found else None

    def matter(self, item_id: str | None, text: str, department: str | None) -> Matter | None:
        if item_id:
            return self.matters.get(item_id)
        core = _core(text)
        if not core:
            return None
        for item_core, matter in self._cores:
            if department is not None and matter.department != department:
                continue
            if item_core and (item_core in core or (len(core) >= MIN_TEXT and core in item_core)):
                return matter
        return None


@dataclass(frozen=True)
class Inspection:
    """One inspection a point reported (from the latest filing of its month)."""

    point_id: str
    district: str
    month: str
    seq: int
    index: int  # 1-based position in the report
    date: dt.date
    agency: str
    department: str | None
    inspection_type: str
    filed_or_scanned: str
    credentials_shown: str
    outcome: str
    misconduct: tuple[str, ...]
    satisfaction: str
    items_checked: str
    matter: Matter | None

    @property
    def ref(self) -> dict[str, Any]:
        """Where the evidence is: the report item and the inspection's number in it."""
        return {"point_id": self.point_id, "month": self.month, "seq": self.seq, "inspection": self.index}


def latest_filings(reports: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The latest amendment of each point's report for each month (a correction replaces content)."""
    latest: dict[tuple[str, str], Mapping[str, Any]] = {}
    for report in reports:
        key = (str(report["point_id"]), str(report["month"]))
        if key not in latest or int(report["seq"]) > int(latest[key]["seq"]):
            latest[key] = report
    return [latest[k] for k in sorted(latest)]


def inspections(reports: Iterable[Mapping[str, Any]], catalogue: Catalogue) -> Iterator[Inspection]:
    """Every inspection of the latest filings, agency and matter matched."""
    for report in latest_filings(reports):
        for number, raw in enumerate(report.get("inspections") or [], start=1):
            department = catalogue.department(str(raw.get("agency", "")))
            yield Inspection(
                point_id=str(report["point_id"]), district=str(report.get("district", "")),
                month=str(report["month"]), seq=int(report["seq"]), index=number,
                date=dt.date.fromisoformat(str(raw["date"])[:10]), agency=str(raw.get("agency", "")),
                department=department, inspection_type=str(raw.get("inspection_type", "")),
                filed_or_scanned=str(raw.get("filed_or_scanned", "")),
                credentials_shown=str(raw.get("credentials_shown", "")), outcome=str(raw.get("outcome", "")),
                misconduct=tuple(raw.get("misconduct") or ()), satisfaction=str(raw.get("satisfaction", "")),
                items_checked=str(raw.get("items_checked", "")),
                matter=catalogue.matter(raw.get("item_id"), str(raw.get("items_checked", "")), department),
            )


def months(first: str, last: str) -> list[str]:
    """YYYY-MM months from `first` to `last`, inclusive."""
    out, year, month = [], int(first[:4]), int(first[5:7])
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def from_store(table: Any, districts: Iterable[str], month_from: str, month_to: str, catalogue: Catalogue
               ) -> list[Inspection]:
    """The inspections reported for these districts and months (one paginated gsi2 query per district)."""
    # cold start: the exports module loads only for reads by month
    from enforcewatch.staff.exportrows import stored_reports

    return list(inspections(stored_reports(table, districts, month_from, month_to), catalogue))


def reports_by_district_index(table: Any, districts: Iterable[str], month_from: str, month_to: str
                              ) -> Iterator[dict[str, Any]]:
    """The same reports read through gsi1 (everything of a district's points), as the daily check
    reads them: its function may query gsi1 only."""
    for district in districts:
        for item in table.query(f"DISTRICT#{district}", index=schema.GSI1):
            if str(item.get("sk", "")).startswith("REPORT#") and in_months(item, month_from, month_to):
                yield item


def in_months(report: Mapping[str, Any], month_from: str, month_to: str) -> bool:
    """Whether a stored report's month is within `month_from`..`month_to` (YYYY-MM, inclusive)."""
    return month_from <= str(report.get("month")) <= month_to
