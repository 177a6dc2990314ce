"""The 检查计划 pages over HTTP (api/staff/plan_pages.py) on moto, with the published lists of
site/content: the form's problems beside their fields with what was typed kept, the list's filters,
named targets withheld from district accounts, and the sheet import previewed row by row before
anything is written."""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from enforcewatch.api.staff.app import create_staff_app
from enforcewatch.config import Settings
from enforcewatch.control import plans
from enforcewatch.staff import audit
from enforcewatch.staff.accounts import Accounts
from support.control import plan
from support.insights import CONTENT
from support.staff import PASSWORD, SECRET, page_session

NOW = dt.datetime(2026, 5, 12, 2, 0, tzinfo=dt.UTC)
HEADER = "类型,执法部门,计划名称,检查事项,检查行业或领域,开始日期,结束日期,备案日期,备案受理机关\n"


@pytest.fixture
def client(moto_table: Any) -> TestClient:
    accounts = Accounts(moto_table)
    accounts.add("city", "office", None, PASSWORD, NOW)
    accounts.add("cgstaff", "district", "chengguan", PASSWORD, NOW)
    app = create_staff_app(Settings(token_secret=SECRET, content_dir=CONTENT), moto_table, clock=lambda: NOW,
                           rng=random.Random(3))
    return TestClient(app)


def _file(table: Any, **overrides: Any) -> dict[str, Any]:
    departments, matters = plans.published(_content())
    return plans.file_plan(table, plan(**overrides), departments, matters, "wang", NOW, random.Random(len(overrides)))


def _content() -> Any:
    from enforcewatch.sitegen.content import load_content

    return load_content(CONTENT)


def _error_beside(html: str, field: str) -> str:
    """The message shown beside a field (the span its input names in aria-describedby)."""
    assert re.search(rf'id="p-{field}"[^>]*aria-describedby="[^"]*e-{field}"', html), field
    return html.split(f'id="e-{field}">')[1].split("</span>")[0]


def test_a_plan_with_problems_shows_each_beside_its_field_keeps_the_typed_values_and_stores_nothing(
        client: TestClient, moto_table: Any) -> None:
    csrf = page_session(client, "city")
    typed = {"kind": "专项检查", "department": "scjg", "title": "燃气安全专项检查", "matters": "scjg-cc-001、nope-001",
             "sector": "", "enterprises": "示范市燃气有限公司", "period_from": "2026-06-30",
             "period_to": "2026-06-01", "filed_on": "2026-05-10", "received_by": "", "csrf": csrf}
    r = client.post("/staff/plans/new", data=typed)
    assert r.status_code == 422
    assert "nope-001" in _error_beside(r.text, "matters") and "不在公布的" in _error_beside(r.text, "matters")
    assert "备案受理机关" in _error_beside(r.text, "received_by")
    assert plans.listing(moto_table) == []
    # what was typed is still there, to correct rather than retype
    assert 'value="燃气安全专项检查"' in r.text and "scjg-cc-001、nope-001</textarea>" in r.text
    assert "示范市燃气有限公司</textarea>" in r.text and 'value="2026-06-30"' in r.text
    assert '<option value="scjg" selected>' in r.text and "<option selected>专项检查</option>" in r.text

    fixed = {**typed, "matters": "scjg-cc-001", "received_by": "市市场监管局法制科"}
    r = client.post("/staff/plans/new", data=fixed)  # the plan's own rules: each beside its field too
    assert r.status_code == 422
    assert "不能早于开始日期" in _error_beside(r.text, "period_to")
    fixed["period_to"] = "2026-07-31"
    r = client.post("/staff/plans/new", data=fixed)
    assert r.status_code == 422 and "检查缘由" in _error_beside(r.text, "ground")

    r = client.post("/staff/plans/new", data={**fixed, "ground": "投诉举报"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/staff/plans/scjg-202606-")
    [stored] = plans.listing(moto_table)
    assert stored["enterprises"] == ["示范市燃气有限公司"] and stored["entered_by"] == "city"
    page = client.get(r.headers["location"])
    assert "已备案：燃气安全专项检查" in page.text and "示范市燃气有限公司" in page.text and "市场监督管理局" in page.text
    logged = [e for e in audit.entries(moto_table, "2026-05", "2026-05") if e["action"] == "plan_add"]
    assert logged and logged[0]["details"]["plan_id"] == stored["plan_id"]


def test_the_list_filters_by_agency_month_and_kind(client: TestClient, moto_table: Any) -> None:
    _file(moto_table, title="市场监管2026年度计划")
    _file(moto_table, department="sthj", matters=["sthj-jc-001"], title="生态环境2026年度计划")
    _file(moto_table, kind="专项检查", ground="投诉举报", title="六月燃气专项", period_from="2026-06-01",
          period_to="2026-06-30", filed_on="2026-05-20")
    page_session(client, "city")

    def titles(query: str) -> set[str]:
        r = client.get(f"/staff/plans?{query}")
        assert r.status_code == 200, r.text
        return {t for t in ("市场监管2026年度计划", "生态环境2026年度计划", "六月燃气专项") if t in r.text}

    assert titles("") == {"市场监管2026年度计划", "生态环境2026年度计划", "六月燃气专项"}
    assert titles("department=sthj") == {"生态环境2026年度计划"}
    assert titles("kind=专项检查") == {"六月燃气专项"}
    assert titles("month=2026-06&department=scjg") == {"市场监管2026年度计划", "六月燃气专项"}
    assert titles("month=2027-01") == set()
    bad = client.get("/staff/plans?month=2026-6")
    assert bad.status_code == 422 and "月份格式应为 YYYY-MM" in bad.text


def test_a_district_account_reads_plans_but_not_withheld_targets_and_cannot_add(client: TestClient,
                                                                                moto_table: Any) -> None:
    stored = _file(moto_table, kind="专项检查", ground="上级交办", sector=None, enterprises=["示范市保密目标有限公司"],
                   publish_targets_after="2026-12-31", title="年底前不公开对象的专项检查")
    page_session(client, "cgstaff")
    assert "年底前不公开对象的专项检查" in client.get("/staff/plans").text
    page = client.get(f"/staff/plans/{stored['plan_id']}")
    assert page.status_code == 200 and "示范市保密目标有限公司" not in page.text and "2026-12-31 起公开" in page.text
    assert "wang" not in page.text  # nor who entered it
    assert client.get("/staff/plans/new").status_code == 403
    assert "/staff/plans/new" not in client.get("/staff/plans").text  # no link to what it may not do
    page_session(client, "city")
    assert "示范市保密目标有限公司" in client.get(f"/staff/plans/{stored['plan_id']}").text


def _upload(client: TestClient, csrf: str, name: str, text: str) -> Any:
    return client.post("/staff/plans/import/preview", data={"csrf": csrf},
                       files={"file": (name, text.encode("utf-8"), "text/csv")})


def test_a_sheet_is_previewed_row_by_row_and_stored_only_when_confirmed(client: TestClient, moto_table: Any) -> None:
    csrf = page_session(client, "city")
    good = "年度计划,scjg,市场监管年度计划,scjg-cc-001,食品销售,2026-01-01,2026-12-31,2026-01-10,示范市司法局\n"
    bad = "年度计划,nosuch,无名部门计划,scjg-cc-001,食品销售,2026-01-01,2026-12-31,2026-01-10,示范市司法局\n"
    r = _upload(client, csrf, "计划.csv", HEADER + good + bad)
    assert r.status_code == 422 and "未保存任何计划" in r.text
    problems = r.text.split("逐行检查结果")[1]
    assert "第3行" in problems and "未知部门" in problems and "nosuch" in problems and "第2行" not in problems
    assert "/tmp" not in r.text and plans.listing(moto_table) == []

    r = _upload(client, csrf, "计划-改.csv", HEADER + good + bad.replace("nosuch,无名部门", "scjg,第二"))
    assert r.status_code == 200 and "检查通过" in r.text and "共 2 项计划" in r.text
    assert plans.listing(moto_table) == []  # nothing written before the confirmation
    upload_id = r.text.split('name="upload_id" value="')[1].split('"')[0]
    r = client.post("/staff/plans/import/confirm", data={"csrf": csrf, "upload_id": upload_id})
    assert "已导入 计划-改.csv 中的 2 项检查计划" in r.text
    assert {p["title"] for p in plans.listing(moto_table)} == {"市场监管年度计划", "第二计划"}
    again = client.post("/staff/plans/import/confirm", data={"csrf": csrf, "upload_id": upload_id})
    assert "预览已过期" in again.text and len(plans.listing(moto_table)) == 2


def test_a_sheet_without_its_columns_is_refused_naming_the_file(client: TestClient, moto_table: Any) -> None:
    csrf = page_session(client, "city")
    r = _upload(client, csrf, "计划.csv", "类型,计划名称\n年度计划,x\n")
    assert "未能读取 计划.csv" in r.text and "缺少列" in r.text and "执法部门" in r.text and "/tmp" not in r.text
    r = client.post("/staff/plans/import/preview", data={"csrf": csrf},
                    files={"file": ("计划.txt", b"x", "text/plain")})
    assert "请选择 .csv 或 .xlsx 文件" in r.text and plans.listing(moto_table) == []
