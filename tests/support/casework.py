"""Casework data for the staff tests: a nomination, a verification with an attachment and a transfer
in the other district (so the scoping table reaches real records), and helpers."""

from __future__ import annotations

from enforcewatch import uscc
from enforcewatch.store.dynamo import DynamoTable
from support.staff import HQ, WB

PDF = b"%PDF-1.4\n% test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def code(first17: str) -> str:
    return first17 + uscc.check_character(first17)


USCC_A = code("91410700MA0000001")
USCC_B = code("91410700MA0000002")


def seed_casework(table: DynamoTable, own: str = HQ, other: str = WB) -> None:
    point = {"pk": "POINT#P-WB-1", "point_id": "P-WB-1", "district": other,
             "gsi1pk": f"DISTRICT#{other}"}
    table.batch_put([
        {"pk": "NOMINATION#N-WB", "sk": "NOMINATION", "nomination_id": "N-WB", "district": other,
         "enterprise_name": "卫滨区某公司", "uscc": USCC_B, "stage": "nominated", "steps": [], "rev": 0,
         "source": "district", "industry": "制造业", "gsi1pk": f"DISTRICT#{other}", "gsi1sk": "NOMINATION#N-WB"},
        {**point, "sk": "VERIFY#V-WB", "gsi1sk": "POINT#P-WB-1#VERIFY#V-WB", "verify_id": "V-WB", "month": "2026-02",
         "status": "open", "steps": [], "rev": 0,
         "requests": [{"request_id": "R-WB", "text": "请提供检查记录", "requested_at": "2026-03-01T00:00:00Z",
                       "answered_at": "2026-03-02T00:00:00Z",
                       "attachments": [{"attachment_id": "A-WB", "name": "卫滨区.pdf", "type": "pdf", "size": 10}]}]},
        {**point, "sk": "TRANSFER#T-WB", "gsi1sk": "POINT#P-WB-1#TRANSFER#T-WB", "transfer_id": "T-WB",
         "clue": "卫滨区税务局重复检查", "department": "市税务局", "deadline": "2026-03-20", "status": "transferred",
         "steps": [], "rev": 0, "gsi2pk": f"TRANSFERS#{other}", "gsi2sk": "2026-03-20#T-WB"},
        {"pk": "TRANSFER#T-WB", "sk": "TRANSFER", "owner_pk": "POINT#P-WB-1", "district": other},
    ])
