"""Detection of problem inspections in the monthly reports (seed 002 (八): control the frequency of
inspections, end repeated and multi-agency inspections, join them up — 进一次门、查多项事; and no
inspection of a matter that was not published — 未经公布不得实施).

Four rules, each a pure function of the inspections (`enforcewatch.insights.inspections`) and the published
lists (docs/insights.md):
- `multi_agency`: one point inspected by two or more agencies within `window_days` — a candidate
  for a joint inspection, naming the agencies;
- `over_frequency`: one agency checking one spot-check matter at one point more often in a calendar
  year than the list's published *maximum* (`enforcewatch.insights.frequency`: 每年不少于1次 is a
  minimum and 每年1次 a fixed rhythm, neither can be exceeded); inspections on complaints
  (投诉举报核查) and on referral (上级交办) are case-driven and not counted;
- `unpublished_matter`: a matter on none of the inspecting agency's published lists;
- `random_not_listed`: an inspection reported as 双随机抽查 whose matter is not on the spot-check list.

A finding's key is derived from its evidence, so the daily run stores each finding once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from enforcewatch.draws import matching
from enforcewatch.draws.matching import DrawSelection, held_to_draws
from enforcewatch.errors import Conflict
from enforcewatch.insights import conduct, prudence
from enforcewatch.insights.finding import KINDS, OFFICE, OFFICE_KINDS, Finding, agency_of, evidence_of
from enforcewatch.insights.inspections import (
    Catalogue,
    Inspection,
    in_months,
    inspections,
    reports_by_district_index,
)
from enforcewatch.store import schema

__all__ = ["KINDS", "OFFICE", "OFFICE_KINDS", "Finding", "clue", "detect", "run", "run_on", "store", "stored", "wanted"]

CASE_DRIVEN = ("投诉举报核查", "上级交办")
RANDOM = "双随机抽查"
DEFAULT_WINDOW_DAYS = 30
DEFAULT_REPEAT = conduct.Repeat()
CLUE_LIMIT = 4000  # the length a transfer's clue may have


def multi_agency(inspections: Iterable[Inspection], catalogue: Catalogue, window_days: int) -> Iterator[Finding]:
    """Per point, in date order: the inspections within `window_days` of the first one not yet used
    form a group; a group with two or more agencies is a finding, and the next group starts after it."""
    by_point: dict[str, list[Inspection]] = defaultdict(list)
    for insp in inspections:
        by_point[insp.point_id].append(insp)
    for items in by_point.values():
        items.sort(key=lambda i: (i.date, i.month, i.index))
        start = 0
        while start < len(items):
            end = start
            while end + 1 < len(items) and (items[end + 1].date - items[start].date).days <= window_days:
                end += 1
            group = items[start:end + 1]
            agencies = dict(agency_of(i, catalogue) for i in group)
            if len(agencies) >= 2:
                names = tuple(sorted(agencies.values()))
                first, last = group[0].date, group[-1].date
                yield Finding("multi_agency", group[0].point_id, group[0].district, group[-1].month, names,
                              f"{first}至{last}（{(last - first).days + 1}天内）{len(names)}个单位检查同一监测点："
                              + "、".join(names), evidence_of(group))
                start = end + 1
            else:
                start += 1


def over_frequency(inspections: Iterable[Inspection], catalogue: Catalogue) -> Iterator[Finding]:
    groups: dict[tuple[str, str, str, int], list[Inspection]] = defaultdict(list)
    for insp in inspections:
        matter = insp.matter
        if (matter is None or not matter.spot_check or matter.frequency is None
                or matter.frequency.ceiling is None or insp.inspection_type in CASE_DRIVEN):
            continue
        groups[(insp.point_id, insp.department or matter.department, matter.id, insp.date.year)].append(insp)
    for (point_id, dept, _, year), items in sorted(groups.items()):
        matter = items[0].matter
        assert matter is not None and matter.frequency is not None
        if matter.frequency.exceeded_by(len(items)):
            name = catalogue.names.get(dept, dept)
            items.sort(key=lambda i: i.date)
            yield Finding("over_frequency", point_id, items[0].district, items[-1].month, (name,),
                          f"{year}年{name}对同一监测点检查“{matter.name}”{len(items)}次，"
                          f"公布频次为“{matter.frequency.text}”，即每年不超过{matter.frequency.ceiling}次",
                          evidence_of(items), matter.id)


def unpublished(inspections: Iterable[Inspection], catalogue: Catalogue) -> Iterator[Finding]:
    for insp in inspections:
        matter = insp.matter
        on_list = matter is not None and (insp.department is None or matter.department == insp.department)
        _, name = agency_of(insp, catalogue)
        if not on_list:
            yield Finding("unpublished_matter", insp.point_id, insp.district, insp.month, (name,),
                          f"{name}检查的事项“{insp.items_checked}”不在该单位公布的执法事项或抽查事项清单中",
                          evidence_of([insp]))
        if insp.inspection_type == RANDOM and (matter is None or not matter.spot_check):
            yield Finding("random_not_listed", insp.point_id, insp.district, insp.month, (name,),
                          f"{name}以“双随机”方式检查“{insp.items_checked}”，该事项不在随机抽查事项清单中",
                          evidence_of([insp]), matter.id if matter else None)


def unmatched_random(inspections: Iterable[Inspection], catalogue: Catalogue, draws: Sequence[DrawSelection],
                     uscc_of: Mapping[str, str]) -> Iterator[Finding]:
    """双随机 inspections with no draw that selected the point (issue 21; docs/draws.md "Matching")."""
    for insp in inspections:
        if insp.inspection_type != RANDOM or not held_to_draws(draws, insp.department, insp.date):
            continue
        if matching.match(draws, insp.department, uscc_of.get(insp.point_id), insp.date) is None:
            _, name = agency_of(insp, catalogue)
            yield Finding("unmatched_random_check", insp.point_id, insp.district, insp.month, (name,),
                          f"{name}于{insp.date}以“双随机”方式检查“{insp.items_checked}”，但该单位的抽取记录中"
                          "没有抽中该监测点的记录", evidence_of([insp]))


def detect(inspections: Iterable[Inspection], catalogue: Catalogue, window_days: int = DEFAULT_WINDOW_DAYS,
           repeat: conduct.Repeat = DEFAULT_REPEAT) -> list[Finding]:
    items = list(inspections)
    return [*multi_agency(items, catalogue, window_days), *over_frequency(items, catalogue),
            *unpublished(items, catalogue), *conduct.repeated(items, catalogue, repeat),
            *conduct.grave(items, catalogue), *prudence.prudent_penalty(items, catalogue)]


def clue(found: Mapping[str, Any]) -> str:
    """A stored finding as the clue of a transfer: what was found and the inspections behind it."""
    lines = [f"{found.get('label', '')}：{found.get('summary', '')}"]
    for e in found.get("evidence") or []:
        if "complaint_id" in e:  # a complaint's finding: the conduct complained of, never who complained
            lines.append(f"投诉{e['complaint_id']}：{e['date']} {e['agency']}（{e['category']}）")
            continue
        lines.append(f"{e['month']}月报（报送序号{int(e['seq'])}）第{int(e['inspection'])}条：{e['date']} "
                     f"{e['agency']} 检查“{e['items_checked']}”")
    return "\n".join(lines)[:CLUE_LIMIT]


# -- the store --------------------------------------------------------------------------------------

def item(finding: Finding, detected_on: dt.date) -> dict[str, Any]:
    """A finding as stored (docs/data-model.md): beside the point, listed per district by gsi2."""
    fid = f"{finding.kind}-{finding.key}"
    sk = f"FINDING#{finding.kind}#{finding.key}"
    office = finding.kind in OFFICE_KINDS  # the city office's alone: not listed for the district
    found = {"pk": f"POINT#{finding.point_id}", "sk": sk, "gsi1pk": f"DISTRICT#{finding.district}",
             "gsi1sk": f"POINT#{finding.point_id}#{sk}", "gsi2pk": f"FINDINGS#{OFFICE if office else finding.district}",
             "gsi2sk": f"{finding.month}#{finding.kind}#{finding.point_id}#{finding.key}", "kind": "finding",
             **{k: v for k, v in finding.as_dict().items() if k != "kind"}, "finding_kind": finding.kind,
             "finding_id": fid, "detected_on": detected_on.isoformat(), "status": "open", "office_only": office}
    if office:
        del found["gsi1pk"], found["gsi1sk"]
    return found


def store(table: Any, findings: Iterable[Finding | dict[str, Any]], detected_on: dt.date) -> dict[str, int]:
    """Store each finding once (conditional put); a rerun adds nothing. Returns {new, known}.
    A finding already in its stored shape (a complaint's, `conduct.complaint_item`) is stored as is."""
    counts = {"new": 0, "known": 0}
    for finding in findings:
        try:
            table.put_new(finding if isinstance(finding, dict) else item(finding, detected_on))
            counts["new"] += 1
        except Conflict:
            counts["known"] += 1
    return counts


def stored(table: Any, districts: Iterable[str], month_from: str, month_to: str) -> Iterator[dict[str, Any]]:

    for district in districts:
        for found in table.query(f"FINDINGS#{district}", index=schema.GSI2,
                                 sk_between=(f"{month_from}#", f"{month_to}#\uffff")):
            yield {k: v for k, v in found.items() if not k.startswith(("pk", "sk", "gsi"))}


def months_to_check(today: dt.date) -> tuple[str, str]:
    """The daily run looks at the months from January of last month's year (and the month before,
    so a window across the new year is seen) up to last month."""
    last = (today.replace(day=1) - dt.timedelta(days=1))
    before = (last.replace(day=1) - dt.timedelta(days=1))
    first = min(f"{last.year}-01", f"{before:%Y-%m}")
    return first, f"{last:%Y-%m}"


def wanted(today: dt.date) -> Callable[[Mapping[str, Any]], bool]:
    """Which stored report items the daily detection looks at (`months_to_check`)."""
    first, last = months_to_check(today)
    return lambda item: in_months(item, first, last)


def run(table: Any, catalogue: Catalogue, districts: Iterable[str], today: dt.date,
        window_days: int = DEFAULT_WINDOW_DAYS, repeat: conduct.Repeat = DEFAULT_REPEAT) -> dict[str, int]:
    """Detection on its own (`enforcewatch insights detect`): read the reports through gsi1, as the
    daily job does, then `run_on` them."""
    first, last = months_to_check(today)
    return run_on(table, catalogue, reports_by_district_index(table, list(districts), first, last), today,
                  window_days, repeat)


def run_on(table: Any, catalogue: Catalogue, reports: Iterable[Mapping[str, Any]], today: dt.date,
           window_days: int = DEFAULT_WINDOW_DAYS, repeat: conduct.Repeat = DEFAULT_REPEAT) -> dict[str, int]:
    """Detect in report items already read (the daily job shares the deadline check's read), add the
    grave conduct in the complaints of the same months, and store new findings once."""
    first, last = months_to_check(today)
    inspected = list(inspections(reports, catalogue))
    found: list[Finding | dict[str, Any]] = [*detect(inspected, catalogue, window_days, repeat),
                                             *_draw_findings(table, inspected, catalogue)]
    for complaint in table.query("COMPLAINTS", index=schema.GSI2, sk_between=(f"{first}#", f"{last}#\uffff")):
        if (grave := conduct.complaint_item(complaint, today)) is not None:
            found.append(grave)
    return store(table, found, today)


def raise_at_once(table: Any, report: Mapping[str, Any], today: dt.date) -> dict[str, int]:
    """打击报复 / 干扰正常生产经营 in a report just filed: stored for the city office now, not at the
    next daily run (which finds the same evidence and so adds nothing)."""
    bare = Catalogue([], [])  # the agency as the point wrote it; the key depends on the evidence only
    return store(table, conduct.grave(inspections([report], bare), bare), today)


def _draw_findings(table: Any, found: list[Inspection], catalogue: Catalogue) -> list[Finding]:
    """The completed draws and the points' 统一社会信用代码 are read only when a 双随机 inspection was reported."""
    # cold start: the draws are read only when a 双随机 inspection was reported
    from enforcewatch.draws.tasks import completed_selections

    if not any(i.inspection_type == RANDOM for i in found):
        return []
    draws = matching.selections(completed_selections(table), {m.id: m.department for m in catalogue.matters.values()})
    if not draws:
        return []
    points = {i.point_id for i in found if i.inspection_type == RANDOM}
    uscc_of = {p: item["uscc"] for p in points if (item := table.get(f"POINT#{p}", "POINT")) and "uscc" in item}
    return list(unmatched_random(found, catalogue, draws, uscc_of))
