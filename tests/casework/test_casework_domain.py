"""Casework in the domain package against moto: designation, verification, transfers, commendations
and the timeline (docs/casework.md)."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from enforcewatch import codes
from enforcewatch.casework import attachments, commendations, designation, timeline, transfers, verification
from enforcewatch.casework.attachments import Upload
from enforcewatch.errors import Conflict, Forbidden, InputError, NotFound
from enforcewatch.monitoring.duedates import WorkCalendar
from enforcewatch.staff.staffing import Scope
from enforcewatch.store.blobs import LocalBlobs
from support.casework import PDF, PNG, USCC_A, USCC_B, seed_casework
from support.staff import HQ, WB, seed

NOW = dt.datetime(2026, 3, 9, 2, 0, tzinfo=dt.UTC)  # 2026-03-09 10:00 China time
OFFICE = Scope("city", "office", None, (HQ, WB))
HONGQI = Scope("hongqi", "district", HQ, (HQ, WB))


@pytest.fixture
def table(moto_table):
    seed(moto_table)
    seed_casework(moto_table)
    return moto_table


def nomination_data(**over):
    return {"source": "district", "district": HQ, "enterprise_name": "红旗区示范企业", "uscc": USCC_A,
            "nominated_by": "红旗区人民政府", "industry": "制造业", "reasons": "行业龙头", **over}


# -- designation ------------------------------------------------------------------------------------

def test_assess_refuses_a_disqualifying_event_within_two_years_and_lists_what_it_cannot_check() -> None:
    points = [{"point_id": "OLD-1", "uscc": USCC_A, "status": "revoked"}]
    events = [{"point_id": "OLD-1", "kind": "disqualifying", "reason": "large_fine", "date": "2024-03-10"},
              {"point_id": "OLD-1", "kind": "disqualifying", "reason": "tax_violation", "date": "2024-03-08"},
              {"point_id": "OLD-1", "kind": "reminder", "date": "2025-01-01"}]
    result = designation.assess(USCC_A, points, events, dt.date(2026, 3, 9), [])
    assert not result["eligible"]
    assert [r["check"] for r in result["refusals"]] == ["two_years"]  # 2024-03-08 is more than two years back
    assert "受到大额罚款" in result["refusals"][0]["msg"] and "2024-03-10" in result["refusals"][0]["msg"]
    assert {u["check"] for u in result["unchecked"]} == set(designation.MANUAL_CHECKS)
    assert any("信用中国" in u["label"] for u in result["unchecked"])
    later = designation.assess(USCC_A, points, events, dt.date(2026, 3, 11), list(designation.MANUAL_CHECKS))
    assert later["eligible"] and later["since"] == "2024-03-11"


def test_assess_refuses_an_active_point_and_a_bad_code() -> None:
    active = designation.assess(USCC_A, [{"point_id": "P1", "uscc": USCC_A, "status": "active"}], [],
                                dt.date(2026, 3, 9), list(designation.MANUAL_CHECKS))
    assert not active["eligible"] and "已是监测点（P1）" in active["refusals"][0]["msg"]
    bad = designation.assess(USCC_A[:-1] + ("0" if USCC_A[-1] != "0" else "1"), [], [], dt.date(2026, 3, 9),
                             list(designation.MANUAL_CHECKS))
    assert bad["refusals"][0]["check"] == "uscc"


def test_nomination_to_designation_records_every_step(table) -> None:
    rng = random.Random(1)
    n = designation.nominate(table, HONGQI, nomination_data(), (HQ, WB), NOW, rng)
    nid = n["nomination_id"]
    with pytest.raises(InputError, match="资格审查"):
        designation.decide(table, OFFICE, nid, "approved", "2026年第1次联席会议", None, NOW)
    checked = designation.check(table, HONGQI, nid, ["credit_china"], (HQ, WB), NOW)
    assert not checked["check"]["eligible"] and len(checked["check"]["unchecked"]) == 3
    with pytest.raises(InputError, match="未核实"):
        designation.decide(table, OFFICE, nid, "approved", "第1次会议", None, NOW)
    with pytest.raises(Forbidden):
        designation.decide(table, HONGQI, nid, "approved", "第1次会议", None, NOW)
    designation.check(table, OFFICE, nid, list(designation.MANUAL_CHECKS), (HQ, WB), NOW)
    designation.decide(table, OFFICE, nid, "approved", "2026年第1次联席会议", None, NOW)
    point, code = designation.designate(table, OFFICE, nid, {"point_id": "P-HQ-9", "plaque_no": "XX-2026-009",
                                        "designated_on": "2026-03-09", "reporting_from": "2026-03"}, NOW, rng)
    stored = table.get("POINT#P-HQ-9", "POINT")
    assert stored["status"] == "active" and stored["uscc"] == USCC_A and stored["plaque_no"] == "XX-2026-009"
    assert codes.verify_code(code, stored["access_code_hash"]) and code not in str(stored)
    record = next(table.query("POINT#P-HQ-9", "DESIGNATION#"))
    assert [s["step"] for s in record["steps"]] == ["nominated", "checked", "checked", "approved", "designated"]
    assert all(s["by"] and s["at"].endswith("Z") for s in record["steps"])
    assert designation.get_nomination(table, HONGQI, nid)["stage"] == "designated"
    with pytest.raises(InputError, match="联席会议"):
        designation.designate(table, OFFICE, nid, {"point_id": "P-HQ-10", "plaque_no": "x",
                              "designated_on": "2026-03-09", "reporting_from": "2026-03"}, NOW, rng)
    # the same enterprise nominated again is refused: it is now an active point
    again = designation.nominate(table, OFFICE, nomination_data(), (HQ, WB), NOW, rng)
    result = designation.check(table, OFFICE, again["nomination_id"], list(designation.MANUAL_CHECKS), (HQ, WB), NOW)
    assert "已是监测点（P-HQ-9）" in result["check"]["refusals"][0]["msg"]


def test_designation_refuses_a_point_id_in_use_and_bad_fields(table) -> None:
    rng = random.Random(2)
    nid = designation.nominate(table, OFFICE, nomination_data(), (HQ, WB), NOW, rng)["nomination_id"]
    designation.check(table, OFFICE, nid, list(designation.MANUAL_CHECKS), (HQ, WB), NOW)
    designation.decide(table, OFFICE, nid, "approved", "会议", None, NOW)
    with pytest.raises(Conflict, match="P-HQ-1"):
        designation.designate(table, OFFICE, nid, {"point_id": "P-HQ-1", "plaque_no": "x",
                              "designated_on": "2026-03-09", "reporting_from": "2026-03"}, NOW, rng)
    with pytest.raises(InputError) as bad:
        designation.designate(table, OFFICE, nid, {"point_id": "空 格", "plaque_no": "",
                              "designated_on": "2026-13-01", "reporting_from": "2026-3"}, NOW, rng)
    assert {e.loc[0] for e in bad.value.errors} == {"point_id", "plaque_no", "designated_on", "reporting_from"}


def test_nomination_scope(table) -> None:
    rng = random.Random(3)
    with pytest.raises(Forbidden):
        designation.nominate(table, HONGQI, nomination_data(district=WB), (HQ, WB), NOW, rng)
    with pytest.raises(Forbidden):
        designation.nominate(table, HONGQI, nomination_data(source="department"), (HQ, WB), NOW, rng)
    with pytest.raises(NotFound):
        designation.check(table, HONGQI, "N-WB", [], (HQ, WB), NOW)
    with pytest.raises(InputError) as bad:
        designation.nominate(table, OFFICE, nomination_data(source="x", uscc="123", district="nowhere"),
                             (HQ, WB), NOW, rng)
    assert {e.loc[0] for e in bad.value.errors} == {"source", "uscc", "district"}
    assert [n["nomination_id"] for n in designation.nominations(table, OFFICE, WB)] == ["N-WB"]
    assert designation.nominations(table, HONGQI) == []
    assert USCC_B  # the other district's nomination is never in the district account's list


# -- verification -----------------------------------------------------------------------------------

def test_verification_request_answer_with_attachments_and_outcome(table, tmp_path) -> None:
    rng, blobs = random.Random(4), LocalBlobs(tmp_path / "att")
    with pytest.raises(InputError, match="2026-01"):
        verification.open_verification(table, HONGQI, "P-HQ-1", "2026-01", None, NOW, rng)
    v = verification.open_verification(table, HONGQI, "P-HQ-1", "2026-02", "抽查核实", NOW, rng)
    vid = v["verify_id"]
    assert verification.open_requests(table, "P-HQ-1") == []
    v = verification.request_materials(table, HONGQI, "P-HQ-1", vid, "请提供2月10日检查的执法文书", "2026-03-20",
                                       NOW, rng)
    rid = v["requests"][0]["request_id"]
    asked = verification.open_requests(table, "P-HQ-1")
    assert asked == [{"verify_id": vid, "request_id": rid, "month": "2026-02", "text": "请提供2月10日检查的执法文书",
                      "due": "2026-03-20", "requested_at": v["requests"][0]["requested_at"]}]
    with pytest.raises(InputError) as bad:
        verification.answer(table, blobs, "P-HQ-1", vid, rid, "见附件",
                            [Upload("a.exe", b"MZ\x90\x00"), Upload("b.pdf", b"%PDF" + b"x" * attachments.MAX_BYTES)],
                            NOW, rng)
    assert "a.exe" in bad.value.message and "超过" in bad.value.message
    out = verification.answer(table, blobs, "P-HQ-1", vid, rid, "见附件",
                              [Upload("C:\\docs\\文书.pdf", PDF), Upload("现场.png", PNG)], NOW, rng)
    assert [a["name"] for a in out["attachments"]] == ["文书.pdf", "现场.png"]
    assert verification.open_requests(table, "P-HQ-1") == []
    with pytest.raises(Conflict):
        verification.answer(table, blobs, "P-HQ-1", vid, rid, "再交一次", [], NOW, rng)
    stored = verification.verifications(table, HONGQI, "P-HQ-1")[0]["requests"][0]
    meta, data = verification.attachment(table, blobs, HONGQI, "P-HQ-1", vid, stored["attachments"][0]["attachment_id"])
    assert data == PDF and meta["type"] == "pdf"
    files = [p for p in (tmp_path / "att").rglob("*") if p.is_file()]
    assert len(files) == 2 and all(p.stat().st_mode & 0o077 == 0 and "文书" not in str(p) for p in files)
    with pytest.raises(NotFound):
        verification.attachment(table, blobs, HONGQI, "P-WB-1", "V-WB", "A-WB")
    with pytest.raises(InputError, match="note"):
        verification.record_outcome(table, HONGQI, "P-HQ-1", vid, "corrected", None, NOW)
    done = verification.record_outcome(table, HONGQI, "P-HQ-1", vid, "corrected", "检查次数更正为1次", NOW)
    assert done["status"] == "closed" and [s["step"] for s in done["steps"]] == [
        "opened", "materials_requested", "materials_received", "concluded"]
    with pytest.raises(InputError, match="已办结"):
        verification.request_materials(table, HONGQI, "P-HQ-1", vid, "再要", None, NOW, rng)


def test_attachment_check_by_magic_bytes_not_by_name() -> None:
    assert [c.extension for c in attachments.check([Upload("x.txt", PDF), Upload("y", b"\xff\xd8\xff\xe0")])] == [
        "pdf", "jpg"]
    with pytest.raises(InputError, match="不是 PDF"):
        attachments.check([Upload("fake.pdf", b"<html>")])
    with pytest.raises(InputError, match="最多"):
        attachments.check([Upload("a.pdf", PDF)] * (attachments.MAX_FILES + 1))
    with pytest.raises(ValueError):
        LocalBlobs(__import__("pathlib").Path("/nonexistent")).get("../etc/passwd")


# -- transfers --------------------------------------------------------------------------------------

def test_transfer_deadline_in_working_days_across_national_day_and_overdue_flag_once(table) -> None:
    rng, calendar = random.Random(5), WorkCalendar()
    on_sept_30 = dt.datetime(2025, 9, 30, 8, 0, tzinfo=dt.UTC)  # 16:00 China time
    t = transfers.create(table, HONGQI, calendar, {"point_id": "P-HQ-1", "clue": "红旗区某局多头检查",
                         "source": "2026-02 月报", "department": "市市场监管局", "working_days": 3}, on_sept_30, rng)
    assert t["transferred_on"] == "2025-09-30" and t["deadline"] == "2025-10-11"  # 10-01..08 off, Sat 10-11 works
    for day, expected in ((dt.date(2025, 10, 11), 0), (dt.date(2025, 10, 12), 1), (dt.date(2025, 10, 13), 0)):
        new, current = transfers.flag_overdue(table, (HQ, WB), day, NOW)
        assert new[HQ] == expected and current[HQ] == (day > dt.date(2025, 10, 11)), day
    flags = [f for f in table.query("POINT#P-HQ-1", "FLAG#transfer_overdue#")]
    assert len(flags) == 1 and flags[0]["raised_on"] == "2025-10-12" and flags[0]["gsi2pk"] == f"FLAGS#{HQ}"
    assert [x["overdue"] for x in transfers.listing(table, HONGQI, dt.date(2025, 10, 12))] == [True]
    transfers.record(table, HONGQI, t["transfer_id"], {"status": "answered", "answer": "已约谈执法人员"}, NOW)
    closed = transfers.record(table, HONGQI, t["transfer_id"], {"status": "closed"}, NOW)
    assert [s["step"] for s in closed["steps"]] == ["transferred", "answered", "closed"]
    assert transfers.listing(table, HONGQI, dt.date(2026, 1, 1)) == []
    assert [x["transfer_id"] for x in transfers.listing(table, HONGQI, dt.date(2026, 1, 1), closed=True)] == [
        t["transfer_id"]]
    with pytest.raises(InputError, match="已办结"):
        transfers.record(table, HONGQI, t["transfer_id"], {"status": "closed"}, NOW)


def test_transfer_of_a_complaint_clue_is_the_office_s_and_discipline_needs_no_department(table) -> None:
    rng, calendar = random.Random(6), WorkCalendar()
    data = {"complaint_id": "C1", "clue": "执法人员吃拿卡要", "discipline": True, "working_days": 10}
    with pytest.raises(Forbidden):
        transfers.create(table, HONGQI, calendar, data, NOW, rng)
    t = transfers.create(table, OFFICE, calendar, data, NOW, rng)
    assert t["department"] == transfers.DISCIPLINE and t["deadline"] == "2026-03-23"
    with pytest.raises(NotFound):
        transfers.get(table, HONGQI, t["transfer_id"])
    with pytest.raises(NotFound):
        transfers.get(table, HONGQI, "T-WB")
    assert {x["transfer_id"] for x in transfers.listing(table, OFFICE, dt.date(2026, 3, 9))} == {t["transfer_id"], "T-WB"}
    assert transfers.flag_overdue(table, (HQ, WB), dt.date(2026, 3, 24), NOW)[0] == {HQ: 0, WB: 1, "office": 1}
    with pytest.raises(InputError) as bad:
        transfers.create(table, OFFICE, calendar, {"clue": "", "working_days": 0}, NOW, rng)
    assert {e.loc[0] for e in bad.value.errors} == {"point_id", "clue", "department", "working_days"}


# -- commendations and the timeline -------------------------------------------------------------------

def test_commendation_needs_all_three_criteria_and_the_office(table) -> None:
    rng = random.Random(7)
    data = {"kind": "annual", "date": "2026-03-01", "period": "2025年度",
            "criteria": {"timely": True, "objective": True, "reasonable": False}}
    with pytest.raises(InputError) as bad:
        commendations.record(table, OFFICE, "P-HQ-1", data, NOW, rng)
    assert [e.loc for e in bad.value.errors] == [("criteria", "reasonable")]
    with pytest.raises(Forbidden):
        commendations.record(table, HONGQI, "P-HQ-1", {**data, "criteria": dict.fromkeys(commendations.CRITERIA, True)},
                             NOW, rng)
    c = commendations.record(table, OFFICE, "P-HQ-1", {**data, "criteria": dict.fromkeys(commendations.CRITERIA, True)},
                             NOW, rng)
    listed = list(commendations.listing(table, OFFICE, dt.date(2026, 1, 1), dt.date(2026, 3, 31)))
    assert [x["commend_id"] for x in listed] == [c["commend_id"]]
    row = next(commendations.rows(iter(listed), {HQ: "红旗区"}))
    assert row[2] == "红旗区" and row[3] == "年度表彰" and row[7] == "P-HQ-1"


def test_timeline_is_one_ordered_history(table, tmp_path) -> None:
    rng = random.Random(8)
    later = NOW + dt.timedelta(days=1)
    verification.open_verification(table, HONGQI, "P-HQ-1", "2026-02", None, NOW, rng)
    transfers.create(table, HONGQI, WorkCalendar(), {"point_id": "P-HQ-1", "clue": "线索", "department": "某局",
                     "working_days": 5}, later, rng)
    commendations.record(table, OFFICE, "P-HQ-1", {"kind": "notice", "date": "2026-03-10", "period": "2026年第一季度",
                         "criteria": dict.fromkeys(commendations.CRITERIA, True)}, later + dt.timedelta(hours=1), rng)
    head, entries = timeline.point_timeline(table, HONGQI, "P-HQ-1")
    assert head["point_id"] == "P-HQ-1" and "access_code_hash" not in head
    assert [e["category"] for e in entries] == ["月报", "核查", "转交", "表彰", "预警"]  # the seeded flag has no date
    assert [e["title"] for e in entries][1:4] == ["启动核查：2026-02 月报", "转交：某局，期限 2026-03-17",
                                                  "表彰：2026年第一季度"]
    with pytest.raises(NotFound):
        timeline.point_timeline(table, HONGQI, "P-WB-1")


def test_the_daily_check_flags_overdue_transfers_once(table) -> None:
    from enforcewatch.jobs import daily

    for point in ("P-HQ-1", "P-WB-1"):  # the staff seed leaves the first report month out
        table.update(f"POINT#{point}", "POINT", {"reporting_from": "2026-02"})
    transfers.create(table, HONGQI, WorkCalendar(), {"point_id": "P-HQ-1", "clue": "线索", "department": "某局",
                     "working_days": 2}, NOW, random.Random(9))  # due 2026-03-11
    calendar = WorkCalendar()
    first = daily.check(table, [HQ, WB], calendar, dt.date(2026, 3, 12), NOW).summary.as_json()
    assert first["districts"][HQ]["new"].get("transfer_overdue") == 1
    assert "transfer_overdue" not in first["districts"][WB]["all"]  # the seeded one is due 2026-03-20
    again = daily.check(table, [HQ, WB], calendar, dt.date(2026, 3, 12), NOW).summary.as_json()
    assert "transfer_overdue" not in again["districts"][HQ]["new"]
    assert again["districts"][HQ]["all"]["transfer_overdue"] == 1
