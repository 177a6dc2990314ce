"""Issue 16: a staff form refused for its input comes back as the same page, with what was typed kept
in the form and each Chinese message beside its field, and nothing stored. One test per form."""

from __future__ import annotations

import random

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from enforcewatch.api.staff.app import create_staff_app
from enforcewatch.config import Settings
from enforcewatch.monitoring.flagkeys import city_keys, flag_gsi2sk, flags_pk
from enforcewatch.staff.accounts import Accounts
from support.staff import NOW, PASSWORD, SECRET, seed, write_content


@pytest.fixture
def staff(moto_table, tmp_path) -> TestClient:
    seed(moto_table)
    settings = Settings(token_secret=SECRET, content_dir=write_content(tmp_path / "content"))
    client = TestClient(create_staff_app(settings, moto_table, clock=lambda: NOW, rng=random.Random(5)))
    client.table = moto_table  # type: ignore[attr-defined]
    return client


def signed_in(client: TestClient, username: str = "city") -> str:
    r = client.post("/staff/sign-in", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return client.get("/staff/points").text.split('name="csrf" value="')[1].split('"')[0]


def refused(response) -> BeautifulSoup:
    """The page drawn again (no redirect), with the summary at the top."""
    assert response.status_code == 422, response.text[:500]
    page = BeautifulSoup(response.text, "html.parser")
    assert "已保留" in page.select_one(".flash-error[role=alert]").get_text()
    return page


def beside(page: BeautifulSoup, field_id: str) -> str:
    """The error message tied to a field (aria-describedby) and drawn in the field's own paragraph."""
    field = page.find(id=field_id)
    assert field.get("aria-invalid") == "true", field
    message = page.find(id=field["aria-describedby"])
    assert message in field.parent.find_all(class_="field-error")
    return message.get_text()


def test_account_add_keeps_the_typed_name_role_and_district(staff) -> None:
    csrf = signed_in(staff)
    r = staff.post("/staff/admin/users", data={"csrf": csrf, "username": "Bad Name", "role": "district",
                                               "district": "weibin", "password": "short"})
    page = refused(r)
    assert page.find(id="a-username")["value"] == "Bad Name"
    assert page.find(id="a-role").find("option", selected=True)["value"] == "district"
    assert page.find(id="a-district").find("option", selected=True).get_text() == "卫滨区"
    assert "小写字母" in beside(page, "a-username")
    assert page.find(id="a-password").get("value") in (None, "")  # a password is never sent back
    assert page.title.get_text().startswith("系统管理 - ")  # the title is a title (no form in it)
    assert len(page.select('form[action="/staff/admin/users"]')) == 1
    assert Accounts(staff.table).get("Bad Name") is None
    # A district account without its district: the message is beside the district.
    r = staff.post("/staff/admin/users", data={"csrf": csrf, "username": "newdistrict", "role": "district",
                                               "district": "", "password": "long enough password"})
    page = refused(r)
    assert "县（市、区）" in beside(page, "a-district")
    assert page.find(id="a-username")["value"] == "newdistrict"
    assert Accounts(staff.table).get("newdistrict") is None


def test_password_reset_too_short_is_shown_beside_that_accounts_field(staff) -> None:
    csrf = signed_in(staff)
    page = refused(staff.post("/staff/admin/users/hongqi/reset", data={"csrf": csrf, "password": "short"}))
    field = page.select_one('form[action="/staff/admin/users/hongqi/reset"] input[type=password]')
    assert field.find_parent("details").has_attr("open")  # that account's form, opened
    assert "密码" in beside(page, field["id"])
    other = page.select_one('form[action="/staff/admin/users/city/reset"] input[type=password]')
    assert not other.has_attr("aria-invalid") and not other.find_parent("details").has_attr("open")


def test_calendar_upload_keeps_the_year_and_names_the_file(staff) -> None:
    csrf = signed_in(staff)
    bad = b"holidays: [2031-13-01]\nworkdays: []\n"
    r = staff.post("/staff/admin/calendar", data={"csrf": csrf, "year": "2031"},
                   files={"file": ("2031.yaml", bad, "text/yaml")})
    page = refused(r)
    assert page.find(id="cal-year")["value"] == "2031"
    assert "2031.yaml" in page.find("label", attrs={"for": "cal-file"}).get_text()
    assert beside(page, "cal-file")
    assert list(staff.table.query("CALENDAR")) == []
    page = refused(staff.post("/staff/admin/calendar", data={"csrf": csrf, "year": "31"},
                              files={"file": ("2031.yaml", b"holidays: []\nworkdays: []\n", "text/yaml")}))
    assert page.find(id="cal-year")["value"] == "31" and "四位数字" in beside(page, "cal-year")


def test_registry_import_names_the_file_and_says_why_beside_the_field(staff) -> None:
    csrf = signed_in(staff)
    page = refused(staff.post("/staff/admin/import/preview", data={"csrf": csrf},
                              files={"file": ("名单.txt", b"a,b\n", "text/plain")}))
    assert ".csv" in beside(page, "imp-file")
    assert "名单.txt" in page.find("label", attrs={"for": "imp-file"}).get_text()


def test_event_record_keeps_kind_reason_date_and_note(staff) -> None:
    csrf = signed_in(staff, "hongqi")
    note = "企业称已搬迁，待核实"
    r = staff.post("/staff/points/P-HQ-1/events", data={"csrf": csrf, "kind": "disqualifying", "reason": "",
                                                        "date": "2026-03-01", "note": note})
    page = refused(r)
    assert page.find(id="e-kind").find("option", selected=True)["value"] == "disqualifying"
    assert page.find(id="e-date")["value"] == "2026-03-01"
    assert page.find(id="e-note").get_text() == note
    assert "事由" in beside(page, "e-reason")
    assert not [i for i in staff.table.query("POINT#P-HQ-1", "EVENT#")]
    page = refused(staff.post("/staff/points/P-HQ-1/events", data={"csrf": csrf, "kind": "reminder",
                                                                   "date": "2026-03-31", "note": note}))
    assert "晚于今天" in beside(page, "e-date") and page.find(id="e-date")["value"] == "2026-03-31"


def test_status_change_keeps_the_chosen_status(staff) -> None:
    csrf = signed_in(staff, "hongqi")
    page = refused(staff.post("/staff/points/P-HQ-1/status", data={"csrf": csrf, "status": "paused"}))
    assert beside(page, "s-status")
    assert staff.table.get("POINT#P-HQ-1", "POINT").get("status", "active") == "active"


def test_complaint_reply_keeps_the_reply_text(staff) -> None:
    csrf = signed_in(staff)
    reply = "经核查，" + "情况属实。" * 900  # over the 4000 characters a reply may have
    page = refused(staff.post("/staff/complaints/C1/reply", data={"csrf": csrf, "status": "已回复", "reply": reply}))
    assert page.find(id="c-reply").get_text() == reply
    assert page.find(id="c-status").find("option", selected=True).get_text() == "已回复"
    assert "4000" in beside(page, "c-reply")
    assert staff.table.get("COMPLAINT#C1", "COMPLAINT").get("reply") is None


def test_keeping_a_point_keeps_the_reason_typed_in_the_queue(staff) -> None:
    staff.table.put({"pk": "POINT#P-HQ-1", "sk": "FLAG#revocable#2026-01", "point_id": "P-HQ-1", "district": "hongqi",
                     "kind": "revocable", "key": "2026-01", "reason": "safety_accident", "raised_on": "2026-02-01",
                     "gsi2pk": flags_pk("hongqi"), "gsi2sk": flag_gsi2sk("revocable", "P-HQ-1", "2026-01"),
                     **city_keys("revocable", "P-HQ-1", "2026-01")})
    csrf = signed_in(staff, "hongqi")
    assert "保留资格" in staff.get("/staff/flags?kind=revocable").text
    note = "企业已整改，" * 400  # over the 2000 characters a reason may have
    r = staff.post("/staff/flags/step", data={"csrf": csrf, "point_id": "P-HQ-1", "flag_key": "2026-01", "step": "keep",
                                              "note": note, "back": "/staff/flags?kind=revocable"})
    page = refused(r)
    field = page.select_one("details[open] textarea[name=note]")
    assert field.get_text() == note and "2000" in beside(page, field["id"])
    assert all(g.select_one("h2 a").get_text() == "P-HQ-1" for g in page.select("section.flag-group"))
    assert not [i for i in staff.table.query("POINT#P-HQ-1", "EVENT#")]
