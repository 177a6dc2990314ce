"""Demo mode (`enforcewatch serve --demo`, `scripts/run --demo`): a realistic city in a separate data
directory, so a newcomer sees every staff page with data within a minute (issue 16). Never on by
default, never in the real data directory.

The city: the content's districts, `per_district` points each over a year, reports with on-time,
late and missing months, reminders and a few disqualifying events, points that left, complaints
(some answered), transferred clues (some past their deadline) and findings; then the daily check
stores the flags (its rules, computed on the generated items rather than read back). Everything is generated from one seed.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from enforcewatch import codes, uscc
from enforcewatch.casework import transfers
from enforcewatch.clock import iso_utc, parse_aware
from enforcewatch.commands import demo_extras
from enforcewatch.intake.reports import ReportStored
from enforcewatch.intake.submissions import VOCABULARY
from enforcewatch.monitoring import flagkeys, flags, flagstate
from enforcewatch.monitoring.deadlines import DISQUALIFYING_REASONS, Report, evaluate
from enforcewatch.monitoring.duedates import WorkCalendar, load_calendar
from enforcewatch.monitoring.events import event_from_item, event_item
from enforcewatch.monitoring.registry import load_districts, point_index_keys
from enforcewatch.staff.accounts import Accounts
from enforcewatch.staff.staffing import Scope
from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable

DEMO_USER = "demo"
NAMES = ("华信", "恒达", "金源", "鑫泰", "宏远", "瑞丰", "永安", "新纪元", "博雅", "天成", "立信", "顺达", "康宁", "中兴")
KINDS = (("机械制造有限公司", "制造业"), ("食品有限公司", "食品生产"), ("商贸有限公司", "批发和零售业"),
         ("建筑工程有限公司", "建筑业"), ("物流有限公司", "交通运输业"), ("餐饮管理有限公司", "住宿和餐饮业"),
         ("化工有限公司", "化学原料和化学制品制造业"), ("科技有限公司", "信息技术服务业"))
AGENCIES = ("市场监督管理局", "生态环境局", "应急管理局", "人力资源和社会保障局", "城市管理综合执法局",
            "交通运输局", "税务局", "消防救援大队")


@dataclass
class DemoCity:
    points: int
    reports: int
    complaints: int
    flags: int
    username: str
    password: str
    extras: dict[str, int] = field(default_factory=dict)  # plans, notices, draws (demo_extras)


def _months(first: str, last: str) -> list[str]:
    out, (y, m) = [], (int(first[:4]), int(first[5:]))
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    """A moment of `day` in office hours, China time, as UTC."""
    return dt.datetime(day.year, day.month, day.day, rng.randint(0, 9), rng.randint(0, 59), tzinfo=dt.UTC)


def _inspection(month: str, district_name: str, rng: random.Random) -> dict[str, Any]:
    unhappy = rng.random() < 0.08
    return {"date": f"{month}-{rng.randint(1, 28):02d}", "agency": district_name + rng.choice(AGENCIES),
            "officer_count": rng.randint(2, 4), "credentials_shown": "是" if rng.random() < 0.9 else "否",
            "inspection_type": rng.choice(VOCABULARY["inspection_type"]),
            "filed_or_scanned": "是" if rng.random() < 0.8 else "否", "items_checked": "安全生产、证照公示",
            "outcome": rng.choice(VOCABULARY["outcome"][:2]),
            "misconduct": [rng.choice(VOCABULARY["misconduct"][:6])] if unhappy else [],
            "satisfaction": rng.choice(("不满意", "非常不满意")) if unhappy else rng.choice(("非常满意", "满意", "基本满意"))}


def _point(pid: str, district: str, serial: int, first: str, rng: random.Random) -> dict[str, Any]:
    suffix, industry = rng.choice(KINDS)
    code17 = f"91410700MA{serial:07d}"
    return {"pk": f"POINT#{pid}", "sk": "POINT", "kind": "point", "point_id": pid,
            "enterprise_name": f"示范市{rng.choice(NAMES)}{suffix}", "uscc": code17 + uscc.check_character(code17),
            "district": district, "industry": industry, "designated_on": f"{first}-01", "reporting_from": first,
            "plaque_no": f"JCD-{serial:04d}", "contact": f"联系人{serial}：1380000{serial:04d}", "status": "active",
            "access_code_hash": codes.hash_code(codes.new_code(rng)),
            schema.GSI1PK: f"DISTRICT#{district}", schema.GSI1SK: f"POINT#{pid}#POINT",
            **point_index_keys(district, pid)}


SUGGESTIONS = ("建议同一部门同一事项合并检查，减少重复进企", "建议检查前告知需准备的材料", "建议执法人员统一出示执法证件并扫码入企")


def _suggestion(serial: int, month: str, months: list[str]) -> str | None:
    """Every seventh point suggests something in its last two months (the suggestions page has data)."""
    return SUGGESTIONS[serial % len(SUGGESTIONS)] if serial % 7 == 0 and month in months[-2:] else None


def _point_reports(pid: str, district: str, district_name: str, serial: int, sloppy: bool, months: list[str],
                   last: str, today: dt.date, calendar: WorkCalendar, rng: random.Random) -> list[dict[str, Any]]:
    """A demo point's monthly reports: some missing (most of a sloppy point's), some late."""
    items: list[dict[str, Any]] = []
    for month in months:
        due = calendar.due_date_of(month)
        roll = rng.random()
        if (sloppy and roll < 0.6) or (not sloppy and roll < 0.04) or (month == last and due >= today
                                                                       and roll < 0.5):
            continue  # missing (or, this month, not yet sent)
        late = roll > (0.7 if sloppy else 0.93)
        day = due + dt.timedelta(days=rng.randint(2, 12)) if late else due - dt.timedelta(days=rng.randint(0, 3))
        day = min(day, today - dt.timedelta(days=1))
        inspections = [_inspection(month, district_name, rng) for _ in range(rng.choice((0, 0, 1, 1, 2, 3)))]
        items.append(ReportStored(point_id=pid, district=district, month=month, seq=0, received_at=iso_utc(_at(day, rng)),
                                  inspections=inspections, suggestions=_suggestion(serial, month, months),
                                  contact={"name": f"联系人{serial}", "phone": f"1380000{serial:04d}"}).item())
    return items


def _point_events(point: dict[str, Any], serial: int, sloppy: bool, today: dt.date,
                  rng: random.Random) -> list[dict[str, Any]]:
    """A demo point's events (reminders, a withdrawal to confirm, disqualifying events), by its serial;
    a few points also get a non-active status (set on `point`)."""
    items: list[dict[str, Any]] = []
    if sloppy and serial % 2:
        day = today - dt.timedelta(days=rng.randint(40, 90))
        items.append(event_item(point, "reminder", day, None, "电话提醒", "demo", _at(day, rng)))
    if serial % 13 == 0:  # left of its own accord: the office must confirm the status
        day = today - dt.timedelta(days=rng.randint(5, 30))
        items.append(event_item(point, "withdrawn", day, None, "企业申请退出", "demo", _at(day, rng)))
    if serial % 23 == 0:
        day = today - dt.timedelta(days=rng.randint(20, 60))
        items.append(event_item(point, "disqualifying", day, rng.choice(list(DISQUALIFYING_REASONS)), None,
                                "demo", _at(day, rng)))
    if serial % 29 == 0:
        point["status"] = rng.choice(("terminated", "withdrawn"))
    return items


def city_items(content_dir: Path, today: dt.date, rng: random.Random, per_district: int = 50
               ) -> tuple[list[dict[str, Any]], list[str]]:
    """Every point, report and event of the demo city (written in bulk), and the ids of its districts."""
    calendar = load_calendar(content_dir)
    districts = load_districts(content_dir)
    last = f"{today.replace(day=1) - dt.timedelta(days=1):%Y-%m}"
    months = _months(f"{int(last[:4]) - 1}-{last[5:]}", last)
    items: list[dict[str, Any]] = []
    serial = 0
    for d in districts:
        for n in range(1, per_district + 1):
            serial += 1
            pid = f"{d.id[:3].upper()}-{n:03d}"
            first = months[0] if n % 5 else months[rng.randint(1, 6)]
            point = _point(pid, d.id, serial, first, rng)
            sloppy = serial % 17 == 0  # a few points miss month after month
            items += _point_reports(pid, d.id, d.name, serial, sloppy, _months(first, last), last, today,
                                    calendar, rng)
            items += _point_events(point, serial, sloppy, today, rng)
            items.append(point)
    return items, [d.id for d in districts]


def complaint_items(today: dt.date, rng: random.Random, count: int = 24) -> list[dict[str, Any]]:
    out = []
    for n in range(count):
        day = today - dt.timedelta(days=rng.randint(1, 200))
        received = iso_utc(_at(day, rng))
        cid = f"DEMO{n:04d}"
        item = {"pk": f"COMPLAINT#{cid}", "sk": "COMPLAINT", "kind": "complaint", "complaint_id": cid,
                "received_at": received, "status": "收到", "complainant_type": rng.choice(("企业", "个体工商户")),
                "name": f"投诉人{n}", "phone": f"1390000{n:04d}", "agency": rng.choice(AGENCIES),
                "category": rng.choice(VOCABULARY["complaint_category"]), "description": "检查人员未出示证件，多次重复检查。",
                "request": "请依法处理。", schema.GSI2PK: "COMPLAINTS", schema.GSI2SK: f"{received[:7]}#{received}#{cid}"}
        if n % 3 == 0:
            item.update(status="已办结", reply="经核查，已责令该单位整改，并对相关人员批评教育。",
                        replied_at=iso_utc(_at(day + dt.timedelta(days=5), rng)))
        out.append(item)
    return out


def load(table: DynamoTable, content_dir: Path, now: dt.datetime, rng: random.Random, per_district: int = 50,
         password: str | None = None) -> DemoCity:
    """Write the demo city into an empty table, run the daily check, and add the demo office account."""
    today = (now + dt.timedelta(hours=8)).date()
    items, districts = city_items(content_dir, today, rng, per_district)
    complaints = complaint_items(today, rng)
    write_items(table, items + complaints)
    office = Scope(DEMO_USER, "office", None, tuple(districts))
    calendar = load_calendar(content_dir)
    points = [i for i in items if i["sk"] == "POINT"]
    for n, point in enumerate(points[:: max(1, len(points) // 12)]):
        then = now - dt.timedelta(days=30 if n % 2 else 3)  # half of them past their 10-day deadline
        transfers.create(table, office, calendar, {"point_id": point["point_id"], "clue": "月报反映重复检查，请核实",
                                                   "source": "监测发现", "department": "市场监督管理局",
                                                   "working_days": 10}, then, rng)
    raised = stored_flags(items, today, calendar, now)
    write_items(table, raised)
    late_transfers, _ = transfers.flag_overdue(table, districts, today, now)
    names = {d.id: d.name for d in load_districts(content_dir)}
    extras = demo_extras.load_extras(table, content_dir, points, office, names, now, rng)
    password = password or secrets.token_urlsafe(12)
    Accounts(table).add(DEMO_USER, "office", None, password, now)
    return DemoCity(len(points), sum(1 for i in items if i.get("kind") == "report"), len(complaints),
                    len(raised) + sum(late_transfers.values()), DEMO_USER, password, extras)


def write_items(table: DynamoTable, items: list[dict[str, Any]]) -> None:
    """In bulk, four batches at a time (the demo's minute is mostly these writes)."""
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(table.batch_put, [items[i:i + 250] for i in range(0, len(items), 250)]))


def stored_flags(items: list[dict[str, Any]], today: dt.date, calendar: WorkCalendar, now: dt.datetime
           ) -> list[dict[str, Any]]:
    """The flags the daily check stores for these items (its own rules and item shape), computed from
    what was just generated instead of reading the table back."""
    points = [flags.point_from_item(i) for i in items if i["sk"] == "POINT"]
    reports = [Report(i["point_id"], i["month"], parse_aware(i["received_at"]))
               for i in items if i.get("kind") == "report"]
    events = [event_from_item(i) for i in items if i["sk"].startswith("EVENT#")]
    raised = evaluate(points, reports, events, today, calendar).flags
    carried = {i["point_id"]: flagkeys.point_fields(i) for i in items if i["sk"] == "POINT"}
    return [flags.flag_item(f, now, state, carried.get(f.point_id))
            for f, state in flagstate.states(raised, points, reports, events, today)]
