"""Factories for submission tests: a registered point, a good report, a good complaint."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from enforcewatch import codes
from support.items import point_item

NOW = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)  # 2026-03-03 10:00 China time: February is open
GOOD_USCC = "91410700MA44XTBU0K"


def add_point(table: Any, point_id: str = "XX-0001", *, status: str = "active", district: str = "weibin",
              reporting_from: str = "2025-01", seed: int = 1) -> str:
    """Register a point the way the registry does; returns its access code."""
    code = codes.new_code(random.Random(seed))
    table.put(point_item(point_id, district, status=status, enterprise_name="示范市某某有限公司", uscc=GOOD_USCC,
                         reporting_from=reporting_from, access_code_hash=codes.hash_code(code)))
    return code


def inspection(**overrides: Any) -> dict[str, Any]:
    data = {
        "date": "2026-02-10", "agency": "示范市市场监督管理局", "officer_count": 2, "credentials_shown": "是",
        "inspection_type": "双随机抽查", "filed_or_scanned": "是", "items_checked": "食品经营许可情况",
        "outcome": "无问题", "misconduct": [], "satisfaction": "满意",
    }
    data.update(overrides)
    return data


def report(point_id: str, code: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "point_id": point_id, "access_code": code, "month": "2026-02", "inspections": [inspection()],
        "suggestions": "希望减少重复检查", "contact_name": "王经理", "contact_phone": "0373-1234567", "attest": True,
    }
    data.update(overrides)
    return data


def complaint(**overrides: Any) -> dict[str, Any]:
    data = {
        "complainant_type": "企业", "name": "示范市某某有限公司", "uscc": GOOD_USCC, "phone": "13800000000",
        "wants_reply": True, "agency": "示范市某执法大队", "incident_date": "2026-02-20", "category": "重复检查",
        "description": "同一事项一个月内被检查三次，每次要求提供相同材料。", "request": "请求规范检查频次", "attest": True,
    }
    data.update(overrides)
    return data
