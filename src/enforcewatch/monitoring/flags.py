"""The deadline check against the store, and against an offline snapshot.

`run` reads each district with ONE paginated query of gsi1 (points, reports, events and flags of
the district, in point order: docs/data-model.md), evaluates the rules (`deadlines.evaluate`) and
stores each flag that is not stored yet under its deterministic key `FLAG#{kind}#{key}`: a rerun
stores nothing new, a run after a gap stores what the missed days would have.

The query has already read every stored flag of the district, so the new ones are written in bulk
(BatchWriteItem, 25 a call) rather than one conditional put each. A bulk write has no condition;
that is safe because a flag item has one writer, the check itself: staff act on a flag by recording
an event or a status (items of their own), never by changing the flag item. So the only thing that
can store a flag between this run's read and its write is another run, and it stores the same key
with the same fields (they follow from the stored history and the day checked) but for `stored_at`:
the later write replaces it with an identical flag, and the flag is still one item. A feature that
lets staff change a flag item must store that change elsewhere, or make this write conditional
again.

Flags are also a work queue (`enforcewatch.monitoring.flagstate`): each item carries `state` (`open`
or `closed`) and, once closed, `closed_on` and `closed_because`. Its gsi2 sort key starts with its
state (`OPEN#{point_id}#…` or `CLOSED#…`, `enforcewatch.monitoring.flagkeys`), so the open flags of
a district, grouped by point, are one key range. Closing is the one change made to a stored flag, and
it is monotone: a conditional update (only while the item has no `closed_because`) that sets the
closed key in the same write, by the check or by `refresh_point` right after staff act on the point.
The check also gives flags stored under the older key layout the current one (`flagkeys.rekey`).
The one race left: staff act between a run's read and its bulk write of a flag that did not exist
yet; the run then stores that flag open, and the next run closes it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from enforcewatch.clock import china_date, iso_utc, parse_aware
from enforcewatch.errors import ConditionFailed, InputError
from enforcewatch.monitoring import flagkeys, flagstate
from enforcewatch.monitoring.deadlines import (
    EVENT_KINDS,
    FLAG_KINDS,
    STATUSES,
    Event,
    Flag,
    Point,
    Report,
    Result,
    evaluate,
)
from enforcewatch.monitoring.duedates import WorkCalendar, parse_month
from enforcewatch.monitoring.events import event_from_item
from enforcewatch.monitoring.flagstate import CLOSED, OPEN, OPEN_STATE, FlagState
from enforcewatch.monitoring.importjournal import refuse_while_open
from enforcewatch.monitoring.registry import District, point_index_keys
from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable

log = logging.getLogger(__name__)
# Stored flag fields that are not the flag's details.
FLAG_ITEM_KEYS = {"pk", "sk", schema.GSI1PK, schema.GSI1SK, schema.GSI2PK, schema.GSI2SK, "point_id", "district",
                  "kind", "key", "raised_on", "stored_at", "state", "closed_on", "closed_because",
                  *flagkeys.POINT_FIELDS}


def point_from_item(item: Mapping[str, Any]) -> Point:
    designated = item.get("designated_on")
    changed = item.get("status_changed_at")
    return Point(str(item["point_id"]), str(item["district"]), str(item.get("reporting_from") or ""),
                 str(item.get("status") or "active"), dt.date.fromisoformat(designated) if designated else None,
                 china_date(parse_aware(changed)) if changed else None)


def flag_from_item(item: Mapping[str, Any]) -> Flag:
    """A stored flag as the rules' Flag (its details: the item's other fields)."""
    details = {k: v for k, v in item.items() if k not in FLAG_ITEM_KEYS}
    return Flag(str(item["point_id"]), str(item["district"]), str(item["kind"]), str(item["key"]),
                dt.date.fromisoformat(item["raised_on"]), details)


def state_from_item(item: Mapping[str, Any]) -> FlagState:
    """The state stored on a flag item (items stored before flags had a state are open)."""
    if item.get("closed_because"):
        closed_on = item.get("closed_on")
        return FlagState(CLOSED, dt.date.fromisoformat(closed_on) if closed_on else None, item["closed_because"])
    return OPEN_STATE


@dataclass
class DistrictData:
    points: list[Point] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    stored: set[tuple[str, str]] = field(default_factory=set)  # (point_id, sk) of stored flags
    kept: list[dict[str, Any]] = field(default_factory=list)  # report items `keep_report` chose, as stored
    flag_items: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # the same, as stored
    unindexed: list[dict[str, Any]] = field(default_factory=list)  # points not yet listed under POINTS#
    carried: dict[str, dict[str, Any]] = field(default_factory=dict)  # point id: what its new flags carry


def read_district(table: DynamoTable, district: str,
                  keep_report: Callable[[Mapping[str, Any]], bool] | None = None) -> DistrictData:
    """Everything of a district's points in one paginated gsi1 query. `keep_report` chooses report
    items to keep whole (every filing, not only the first) for a later step of the daily job."""
    return _collect(table.query(f"DISTRICT#{district}", index=schema.GSI1), keep_report)


def read_district_point(table: DynamoTable, gsi1pk: str, point_id: str) -> DistrictData:
    """One point's items, through the same index the check reads (so explain sees what run sees)."""
    return _collect(table.query(gsi1pk, f"POINT#{point_id}#", index=schema.GSI1))


def _collect(items: Iterable[dict[str, Any]],
             keep_report: Callable[[Mapping[str, Any]], bool] | None = None) -> DistrictData:
    data = DistrictData()
    for item in items:
        sk = item.get(schema.SK, "")
        if sk == "POINT":
            data.points.append(point_from_item(item))
            data.carried[str(item["point_id"])] = flagkeys.point_fields(item)
            if schema.GSI2PK not in item:
                data.unindexed.append(item)
        elif sk.startswith("REPORT#"):
            if keep_report is not None and keep_report(item):
                data.kept.append(item)
            if int(item.get("seq", 0)) == 0:  # the on-time judgement uses the first filing
                data.reports.append(Report(item["point_id"], item["month"], parse_aware(item["received_at"])))
        elif sk.startswith("EVENT#"):
            data.events.append(event_from_item(item))
        elif sk.startswith("FLAG#") and item.get("kind") in FLAG_KINDS:
            data.stored.add((item["point_id"], sk))
            data.flag_items[(item["point_id"], sk)] = item
        elif sk.startswith("FLAG#"):
            data.stored.add((item["point_id"], sk))  # casework's flags (transfer_overdue): not the rules'
    return data


def flag_sk(flag: Flag) -> str:
    return f"FLAG#{flag.kind}#{flag.key}"


def flag_item(flag: Flag, now: dt.datetime, state: FlagState = OPEN_STATE,
              carried: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The stored flag; `carried`: its point's fields it keeps (flagkeys.point_fields)."""
    sk = flag_sk(flag)
    item = {
        "pk": f"POINT#{flag.point_id}", "sk": sk,
        schema.GSI1PK: f"DISTRICT#{flag.district}", schema.GSI1SK: f"POINT#{flag.point_id}#{sk}",
        schema.GSI2PK: flagkeys.flags_pk(flag.district),
        schema.GSI2SK: flagkeys.flag_gsi2sk(flag.kind, flag.point_id, flag.key, state.is_open),
        **flag.as_json(), "stored_at": iso_utc(now), **_state_fields(state), **(carried or {}),
        **(flagkeys.city_keys(flag.kind, flag.point_id, flag.key) if state.is_open else {}),
    }
    return {k: v for k, v in item.items() if v is not None}


def _state_fields(state: FlagState) -> dict[str, Any]:
    if state.is_open:
        return {"state": OPEN}
    return {"state": CLOSED, "closed_on": state.closed_on.isoformat() if state.closed_on else None,
            "closed_because": state.closed_because}


def close_flag(table: DynamoTable, item: Mapping[str, Any], state: FlagState) -> bool:
    """Mark a stored open flag closed (once: a flag already closed keeps its first closing), moving it
    out of the open ranges of gsi2 and gsi3 in the same write."""
    fields = {k: v for k, v in _state_fields(state).items() if v is not None}
    fields[schema.GSI2SK] = flagkeys.flag_gsi2sk(item["kind"], item["point_id"], item["key"], is_open=False)
    try:
        table.update(item["pk"], item["sk"], fields, condition=flagkeys.STILL_OPEN, remove=flagkeys.CITY_KEYS)
    except ConditionFailed:
        return False  # closed meanwhile by another run or a staff action
    return True


def close_resolved(table: DynamoTable, data: DistrictData, as_of: dt.date) -> Counter[str]:
    """Close every stored open flag of `data` that a closing rule closes as of `as_of`; counts by kind."""
    stored = [(item, flag_from_item(item)) for item in data.flag_items.values()
              if state_from_item(item).is_open and item.get("raised_on")]
    closed: Counter[str] = Counter()
    judged = flagstate.states([f for _, f in stored], data.points, data.reports, data.events, as_of)
    for (item, _), (flag, state) in zip(stored, judged, strict=True):
        if not state.is_open and close_flag(table, item, state):
            closed[flag.kind] += 1
    return closed


def read_point(table: DynamoTable, point_id: str) -> DistrictData:
    """One point's items from its own partition, read consistently (so a change just made is seen)."""
    return _collect(table.query(f"POINT#{point_id}", consistent=True))


def refresh_point(table: DynamoTable, point_id: str, as_of: dt.date) -> Counter[str]:
    """Close the point's flags that its history now closes: called right after staff act on it, with
    `as_of` the day after today (China time), so what staff recorded today counts."""
    return close_resolved(table, read_point(table, point_id), as_of)


@dataclass
class RunSummary:
    """Counts only (no names, no point ids): safe for mail and logs."""

    as_of: dt.date
    new: dict[str, Counter[str]]
    current: dict[str, Counter[str]]
    warnings: list[str]

    def as_json(self) -> dict[str, Any]:
        districts = sorted(set(self.new) | set(self.current))
        return {"as_of": self.as_of.isoformat(), "warnings": self.warnings,
                "districts": {d: {"new": dict(sorted(self.new.get(d, Counter()).items())),
                                  "all": dict(sorted(self.current.get(d, Counter()).items()))}
                              for d in districts}}

    def count(self, kind: str, new: Mapping[str, int], current: Mapping[str, int]) -> None:
        """Add another step's flags of `kind` per district (or bucket): new ones and all current ones."""
        for bucket, count in current.items():
            if count:
                self.current.setdefault(bucket, Counter())[kind] += count
            if new.get(bucket):
                self.new.setdefault(bucket, Counter())[kind] += new[bucket]

    @property
    def new_total(self) -> int:
        return sum(sum(c.values()) for c in self.new.values())


def run(table: DynamoTable, districts: Iterable[str], calendar: WorkCalendar, as_of: dt.date,
        now: dt.datetime) -> RunSummary:
    """The deadline check of monitoring points alone (the daily job, `enforcewatch.jobs.daily`, adds
    the casework and detection steps)."""
    return check(table, districts, calendar, as_of, now)[0]


def check(table: DynamoTable, districts: Iterable[str], calendar: WorkCalendar, as_of: dt.date,
          now: dt.datetime, keep_report: Callable[[Mapping[str, Any]], bool] | None = None
          ) -> tuple[RunSummary, list[dict[str, Any]]]:
    """The deadline check, and the report items `keep_report` chose while reading (for detection)."""
    refuse_while_open(table, "期限检查")  # a half-applied import would be judged as the registry
    summary = RunSummary(as_of, {}, {}, [])
    warnings: set[str] = set()
    kept: list[dict[str, Any]] = []
    for district in districts:
        data = read_district(table, district, keep_report)
        kept += data.kept
        result = evaluate(data.points, data.reports, data.events, as_of, calendar)
        warnings.update(result.warnings)
        fresh = list({(f.point_id, flag_sk(f)): f for f in result.flags
                      if (f.point_id, flag_sk(f)) not in data.stored}.values())
        judged = flagstate.states(fresh, data.points, data.reports, data.events, as_of)
        table.batch_put([flag_item(f, now, state, data.carried.get(f.point_id)) for f, state in judged])  # unconditional: see the docstring
        flagkeys.rekey(table, data.flag_items.values())  # flags stored under the older key layout
        close_resolved(table, data, as_of)
        _index_points(table, data.unindexed)
        summary.new[district] = Counter(f.kind for f in fresh)
        summary.current[district] = Counter(f.kind for f in result.flags)
    summary.warnings = sorted(warnings)
    return summary, kept


def _index_points(table: DynamoTable, points: Iterable[Mapping[str, Any]]) -> None:
    """Points imported before the registry listed them under gsi2 `POINTS#{district}` get that key
    (nothing else changes: an import's checks of `updated_at`, `status` and the code hash still hold)."""
    for item in points:
        try:
            table.update(item["pk"], item["sk"], point_index_keys(item["district"], item["point_id"]))
        except ConditionFailed:  # pragma: no cover - removed meanwhile
            continue


# -- offline snapshots --------------------------------------------------------------------------


def _field(problems: list[str], where: str, record: Any, name: str) -> Any:
    if not isinstance(record, dict) or record.get(name) in (None, ""):
        problems.append(f"{where}.{name}: 缺少此字段")
        return None
    return record[name]


def _parse(problems: list[str], where: str, value: Any, parser: Any) -> Any:
    if value is None:
        return None
    try:
        return parser(str(value))
    except ValueError as exc:
        problems.append(f"{where}: {exc}")
        return None


def _points(source: str, raw: Sequence[Any], problems: list[str]) -> list[Point]:
    out = []
    for i, rec in enumerate(raw):
        w = f"{source}: points[{i}]"
        pid, district = _field(problems, w, rec, "point_id"), _field(problems, w, rec, "district")
        start = _parse(problems, f"{w}.reporting_from", _field(problems, w, rec, "reporting_from"), parse_month)
        status = rec.get("status", "active") if isinstance(rec, dict) else "active"
        if status not in STATUSES:
            problems.append(f"{w}.status: 应为 {' / '.join(STATUSES)}")
        designated = rec.get("designated_on") if isinstance(rec, dict) else None
        day = _parse(problems, f"{w}.designated_on", designated, dt.date.fromisoformat)
        since = rec.get("status_since") if isinstance(rec, dict) else None
        since_day = _parse(problems, f"{w}.status_since", since, dt.date.fromisoformat)
        if pid and district and start:
            out.append(Point(str(pid), str(district), f"{start[0]:04d}-{start[1]:02d}", status, day, since_day))
    return out


def _reports(source: str, raw: Sequence[Any], problems: list[str]) -> list[Report]:
    out = []
    for i, rec in enumerate(raw):
        w = f"{source}: reports[{i}]"
        pid = _field(problems, w, rec, "point_id")
        month = _parse(problems, f"{w}.month", _field(problems, w, rec, "month"), parse_month)
        at = _parse(problems, f"{w}.received_at", _field(problems, w, rec, "received_at"), parse_aware)
        if isinstance(rec, dict) and int(rec.get("seq", 0) or 0) != 0:
            continue  # amendments never change the on-time judgement
        if pid and month and at:
            out.append(Report(str(pid), f"{month[0]:04d}-{month[1]:02d}", at))
    return out


def _events(source: str, raw: Sequence[Any], problems: list[str]) -> list[Event]:
    out = []
    for i, rec in enumerate(raw):
        w = f"{source}: events[{i}]"
        pid, kind = _field(problems, w, rec, "point_id"), _field(problems, w, rec, "kind")
        day = _parse(problems, f"{w}.date", _field(problems, w, rec, "date"), dt.date.fromisoformat)
        if kind and kind not in EVENT_KINDS:
            problems.append(f"{w}.kind: 应为 {' / '.join(EVENT_KINDS)}")
            continue
        if pid and kind and day:
            out.append(Event(str(pid), kind, day, rec.get("reason"), str(rec.get("event_id") or ""),
                             rec.get("flag_key")))
    return out


def _check(data: Any, source: str, calendar: WorkCalendar, as_of: dt.date
           ) -> tuple[Result, tuple[list[Point], list[Report], list[Event]]]:
    problems: list[str] = []
    if not isinstance(data, dict):
        raise InputError(f"{source}: 应为含 points、reports、events 的 JSON 对象")
    lists = {}
    for name in ("points", "reports", "events"):
        value = data.get(name, [])
        if not isinstance(value, list):
            problems.append(f"{source}: {name}: 应为列表")
            value = []
        lists[name] = value
    points = _points(source, lists["points"], problems)
    reports = _reports(source, lists["reports"], problems)
    events = _events(source, lists["events"], problems)
    if problems:
        raise InputError("\n".join(problems))
    return evaluate(points, reports, events, as_of, calendar), (points, reports, events)


def check_snapshot(data: Any, source: str, calendar: WorkCalendar, as_of: dt.date) -> Result:
    """Evaluate a snapshot {"points": [...], "reports": [...], "events": [...]}; every problem at once."""
    return _check(data, source, calendar, as_of)[0]


def check_snapshot_states(data: Any, source: str, calendar: WorkCalendar, as_of: dt.date
                          ) -> tuple[Result, list[FlagState]]:
    """As `check_snapshot`, with each flag's state as of the same day (a point's `status_since`, if the
    snapshot gives it, dates its status; flagstate.flag_state)."""
    result, (points, reports, events) = _check(data, source, calendar, as_of)
    return result, [state for _, state in flagstate.states(result.flags, points, reports, events, as_of)]


def summary_text(summary: RunSummary, districts: Sequence[District]) -> str:
    labels = {"overdue": "逾期未报", "reminder_due": "应提醒", "revocable": "可取消资格",
              "terminated": "应终止", "plaque_to_recover": "待收回牌匾", "transfer_overdue": "转交逾期未办结"}
    lines = [f"监测点报送检查（截至 {summary.as_of}，北京时间）", ""]
    for d in districts:
        new, current = summary.new.get(d.id, Counter()), summary.current.get(d.id, Counter())
        parts = [f"{labels[k]} {current[k]}（新增 {new[k]}）" for k in labels if current[k]]
        lines.append(f"{d.name}：{'；'.join(parts) if parts else '无'}")
    if summary.warnings:
        lines += ["", *[f"警告：{w}" for w in summary.warnings]]
    lines += ["", "详情请登录工作人员页面查看。本邮件只含数量，不含企业信息。"]
    return "\n".join(lines)
