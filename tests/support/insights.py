"""Factories for insight tests: a generated month of realistic monthly reports for a few hundred
points, in the stored shape (`ReportStored.item()`), drawn from the published demo lists."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from enforcewatch.intake.reports import ReportStored
from enforcewatch.intake.submissions import VOCABULARY
from enforcewatch.sitegen.content import load_content

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "site" / "content"
DISTRICTS = ("chengguan", "xincheng", "gaoxin", "nanhu", "dongshan", "xihe")
DISTRICT_PREFIX = {"chengguan": "城关区", "xincheng": "新城区", "gaoxin": "高新区", "nanhu": "南湖市",
                   "dongshan": "东山县", "xihe": "西河县"}
UNLISTED = ("消防通道占用情况", "企业用工台账", "厂区绿化", "节能减排宣传材料")


def content() -> Any:
    return load_content(CONTENT)


def inspection(day: dt.date, agency: str, items_checked: str, *, item_id: str | None = None,
               inspection_type: str = "双随机抽查", satisfaction: str = "满意", misconduct: tuple[str, ...] = (),
               filed: str = "是", credentials: str = "是", outcome: str = "无问题") -> dict[str, Any]:
    row: dict[str, Any] = {
        "date": day.isoformat(), "agency": agency, "officer_count": 2, "credentials_shown": credentials,
        "credential_nos": None, "inspection_type": inspection_type, "notice_given": "是", "filed_or_scanned": filed,
        "items_checked": items_checked, "outcome": outcome, "outcome_note": None, "misconduct": list(misconduct),
        "satisfaction": satisfaction, "comment": "见附件说明" if misconduct else None,
    }
    if item_id:
        row["item_id"] = item_id
    return row


def report(point_id: str, district: str, month: str, inspections: list[dict[str, Any]], seq: int = 0
           ) -> dict[str, Any]:
    received = f"{month}-28T02:00:00.000000Z"
    return ReportStored(point_id=point_id, district=district, month=month, seq=seq, received_at=received,
                        inspections=inspections, suggestions=None,
                        contact={"name": "张联络员", "phone": "0371-12345678"}).item()


def _random_inspection(rng: random.Random, c: Any, district: str, month: str) -> dict[str, Any]:
    dept = rng.choice(c.departments)
    agency = dept.body if rng.random() < 0.6 else DISTRICT_PREFIX[district] + dept.name
    spot = [i for i in c.spot_checks.items if i.department == dept.id]
    enforcement = [i for i in c.enforcement.items if i.department == dept.id and i.kind == "行政检查"]
    kind = rng.choices(VOCABULARY["inspection_type"], weights=(45, 15, 12, 5, 20, 3))[0]
    roll = rng.random()
    item_id, text = None, rng.choice(UNLISTED)
    if roll < 0.7 and (spot or enforcement):
        chosen = rng.choice(spot if kind == "双随机抽查" and spot else (spot + enforcement))
        item_id, text = chosen.id, getattr(chosen, "item", None) or chosen.name
    elif roll < 0.85 and spot:
        text = rng.choice(spot).item  # free text naming a listed item
    year, mon = int(month[:4]), int(month[5:7])
    day = dt.date(year, mon, rng.randint(1, 28))
    bad = rng.random() < 0.12
    misconduct = tuple(rng.sample(VOCABULARY["misconduct"][:8], rng.randint(1, 2))) if bad else ()
    satisfaction = rng.choices(VOCABULARY["satisfaction"], weights=(30, 40, 18, 8, 4) if not bad else (2, 8, 30, 40, 20))[0]
    return inspection(day, agency, text, item_id=item_id, inspection_type=kind, satisfaction=satisfaction,
                      misconduct=misconduct, filed=rng.choices(("是", "否", "不清楚"), weights=(75, 15, 10))[0],
                      credentials=rng.choices(("是", "否", "部分人员"), weights=(88, 7, 5))[0],
                      outcome=rng.choices(VOCABULARY["outcome"], weights=(70, 20, 6, 4))[0])


def generated_month(rng: random.Random, month: str, points: int = 300, c: Any = None) -> Iterator[dict[str, Any]]:
    """Reports of `points` points for `month`: most with no inspection or one, some with several,
    a few visited twice by one agency for one matter; a few points file an amendment (only the
    latest counts)."""
    c = c or content()
    for n in range(points):
        district = DISTRICTS[n % len(DISTRICTS)]
        count = rng.choices((0, 1, 2, 3, 4), weights=(40, 30, 16, 9, 5))[0]
        rows = [_random_inspection(rng, c, district, month) for _ in range(count)]
        if rows and rng.random() < 0.06:  # the same agency comes back for the same matter (重复检查)
            again = dict(rows[0], date=f"{month}-{rng.randint(1, 28):02d}")
            rows.append(again)
        yield report(f"P{n:04d}", district, month, rows)
        if rng.random() < 0.03:
            yield report(f"P{n:04d}", district, month, rows[:-1] if rows else rows, seq=1)


def generated_year(rng: random.Random, year: int = 2026, points: int = 300, c: Any = None
                   ) -> Iterator[dict[str, Any]]:
    """Twelve generated months of the same points (six districts, the six demo departments); on top,
    a few points report 打击报复 or 干扰正常生产经营, and a few see one agency come back again and
    again under the published maximum item (yjgl-cc-001, 上限2次/年) across the year."""
    c = c or content()
    for month in range(1, 13):
        for rep in generated_month(rng, f"{year}-{month:02d}", points, c):
            rows = rep["inspections"]
            if rows and rng.random() < 0.01:
                rows[0] = dict(rows[0], misconduct=[rng.choice(("打击报复", "干扰正常生产经营"))])
            if rep["point_id"] in ("P0007", "P0100") and month in (3, 6, 9):
                rows.append(inspection(dt.date(year, month, 12), "示范市应急管理局", "工贸企业安全生产",
                                       item_id="yjgl-cc-001"))
            yield rep
