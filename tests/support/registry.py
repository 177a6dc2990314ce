"""Rows of a registry import file (docs/data-model.md, "Registry imports"), one column per field."""

from __future__ import annotations

import csv
from pathlib import Path

from enforcewatch.uscc import check_character

HEADER = ["point_id", "enterprise_name", "uscc", "district", "industry", "designated_on", "reporting_from"]


def uscc_for(n: int) -> str:
    first17 = f"91410700MA{n:07d}"
    return first17 + check_character(first17)


def row(n: int, **over: str) -> list[str]:
    values = {"point_id": f"XX-{n:03d}", "enterprise_name": f"示范企业{n}有限公司", "uscc": uscc_for(n),
              "district": "城关区", "industry": "制造业", "designated_on": "2025-12-29", "reporting_from": "2026-01"}
    values.update(over)
    return [values[h] for h in HEADER]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path
