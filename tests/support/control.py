"""Factories for plan tests: a plan as staff enter it, the registry entries matching needs, and a
generated year of plans for the six demo departments to match a generated year of reports against."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from enforcewatch.monitoring.registry import point_index_keys
from support.insights import DISTRICTS

INDUSTRIES = ("食品销售", "餐饮服务", "化工", "机械制造", "道路运输", "建筑施工")


def plan(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "年度计划", "department": "scjg", "title": "2026年度登记事项监督检查计划",
        "matters": ["scjg-cc-001"], "sector": "食品销售", "period_from": "2026-01-01", "period_to": "2026-12-31",
        "filed_on": "2026-01-10", "received_by": "示范市司法局",
    }
    data.update(overrides)
    return data


def points(count: int = 300, rng: random.Random | None = None) -> dict[str, dict[str, Any]]:
    """Registry entries P0000… as `matching.points_of` returns them (name, code, industry)."""
    rng = rng or random.Random(7)
    return {f"P{n:04d}": {"enterprise_name": f"示范市测试企业{n:04d}有限公司", "uscc": f"91000000MA{n:08d}",
                          "industry": rng.choice(INDUSTRIES)} for n in range(count)}


def point_items(registry: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The same entries as stored registry items (read by `matching.points_of` through gsi2 `POINTS#`)."""
    out = []
    for n, (pid, entry) in enumerate(sorted(registry.items())):
        district = DISTRICTS[n % len(DISTRICTS)]
        out.append({"pk": f"POINT#{pid}", "sk": "POINT", "kind": "point", "point_id": pid, "district": district,
                    "status": "active", "gsi1pk": f"DISTRICT#{district}", "gsi1sk": f"POINT#{pid}#POINT",
                    **point_index_keys(district, pid), **entry})
    return out


def generated_plans(content: Any, year: int = 2026, rng: random.Random | None = None) -> list[dict[str, Any]]:
    """Per department: one annual plan for all its inspection matters, for all industries but one it
    leaves out, filed in January; and a few special inspections (投诉举报, 上级交办) of a month each."""
    from enforcewatch.control.plans import published

    rng = rng or random.Random(year)
    _, matters = published(content)
    out = []
    for dept in content.departments:
        own = sorted(m for m, d in matters.items() if d == dept.id)
        left_out = rng.choice(INDUSTRIES)
        for industry in INDUSTRIES:
            if industry != left_out:
                out.append(plan(department=dept.id, title=f"{dept.name}{year}年度涉企行政检查计划（{industry}）",
                                matters=own, sector=industry, period_from=f"{year}-02-01", period_to=f"{year}-12-31",
                                filed_on=f"{year}-01-{rng.randint(5, 25):02d}"))
        for n in range(3):
            start = dt.date(year, rng.randint(2, 11), 1)
            out.append(plan(kind="专项检查", department=dept.id, title=f"{dept.name}专项检查{n + 1}",
                            matters=own[:2], sector=None, enterprises=[f"示范市测试企业{rng.randint(0, 299):04d}有限公司"],
                            ground=rng.choice(("投诉举报", "上级交办")), period_from=start.isoformat(),
                            period_to=(start + dt.timedelta(days=30)).isoformat(), filed_on=start.isoformat(),
                            received_by=f"{dept.body}法制科", publish_targets_after=f"{year}-12-31"))
    return out


def office_plan_sheet(path: Any) -> Any:
    """A plan sheet as an agency's legal office keeps it: a merged title row and a 填报单位 line above the
    header, full-width header text (a * mark, a space, a line break), 序号 and 备注 columns, Excel date cells, an Excel serial, Chinese and
    dotted dates, full-width digits in codes, a blank row, and a footer (合计, 填表人) below."""
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "2026年计划"
    ws.append(["示范市市场监督管理局2026年度涉企行政检查计划备案表"])
    ws.merge_cells("A1:L1")
    ws.append(["填报单位：示范市市场监督管理局（盖章）", None, None, None, None, None, None, None, None, "2026年1月"])
    ws.append(["序号", "计划类型", "执法部门", "计划名称", "检查事项", "检查行业或领域", "检查对象", "检查开始日期",
               "检查结束日期", "检查缘由", "*备案日期", "备案受理 机关", "检查对象\n公开日期", "备注"])
    ws.append([1, "年度计划", "scjg", "2026年度登记事项监督检查计划", "scjg-cc-001、scjg-cc-002", "食品销售", None,
               dt.datetime(2026, 2, 1), dt.datetime(2026, 12, 31), None, dt.datetime(2026, 1, 15), "示范市司法局", None,
               "首批"])
    ws.append([])
    ws.append([2, "专项检查", "ｓｃｊｇ", "食品安全投诉专项检查", "scjg-cc-00１\nscjg-cc-002", None,
               "示范市测试企业0001有限公司；91000000MA00000002", "2026年5月1日", "2026.5.31", "投诉举报", 46139,
               "示范市市场监督管理局法制科", "２０２６-06-01", None])
    ws.append(["合计", None, "2项"])
    ws.append(["填表人：王五", None, None, "审核人：赵六"])
    book.save(path)
    return path
