"""The published 涉企检查计划 per agency and per month: pages, downloads (CSV, JSON, XLSX) of the whole and
of each part, every link resolving, the header link on every page, and named targets out of every file
until the plan allows them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from enforcewatch.cli import main
from enforcewatch.control import plans, publication
from enforcewatch.errors import ContentError
from enforcewatch.sitegen.build import build_site
from support.control import generated_plans
from support.insights import CONTENT, content

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 5, 12, 2, 0, tzinfo=dt.UTC)
AS_OF = dt.date(2026, 5, 10)
HREF = re.compile(r'href="(/[^"#?]*)')


def stored_plans() -> list[dict[str, Any]]:
    return [plans.item(plans.PlanIn.model_validate(p), f"g{n:02d}", "wang", NOW)
            for n, p in enumerate(generated_plans(content()))]


def built(tmp: Path, as_of: dt.date = AS_OF, with_file: bool = True) -> Path:
    content_dir = tmp / "content"
    shutil.copytree(CONTENT, content_dir)
    if with_file:
        names = plans.published(content())[0]
        publication.write(plans.public_views(stored_plans(), as_of, names), as_of, content_dir / publication.PLANS_FILE)
    out = tmp / "_site"
    build_site(content_dir, ROOT / "site" / "templates", out, hooks=(publication.plans_hook(content_dir),), search=False)
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built(tmp_path_factory.mktemp("plans"))


def _csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))


def test_an_index_a_page_per_agency_and_per_month(site: Path) -> None:
    everything = stored_plans()
    departments = sorted({p["department"] for p in everything})
    months = sorted({str(p["period_from"])[:7] for p in everything})
    index = (site / "inspection-plans" / "index.html").read_text(encoding="utf-8")
    for dept in departments:
        page = site / "inspection-plans" / "department" / dept / "index.html"
        assert f'href="/inspection-plans/department/{dept}/"' in index and page.is_file()
        text = page.read_text(encoding="utf-8")
        own = [p for p in everything if p["department"] == dept]
        assert all(p["title"] in text for p in own) and f"共 {len(own)} 项计划" in text
        assert not any(p["title"] in text for p in everything if p["department"] != dept)
    for month in months:
        page = site / "inspection-plans" / "month" / month / "index.html"
        assert f'href="/inspection-plans/month/{month}/"' in index and page.is_file()
        text = page.read_text(encoding="utf-8")
        assert all(p["title"] in text for p in everything if str(p["period_from"]).startswith(month))
        assert not any(p["title"] in text for p in everything if not str(p["period_from"]).startswith(month))
    assert sorted(p.name for p in (site / "inspection-plans" / "month").iterdir()) == months


def test_every_part_has_its_downloads_with_exactly_its_plans(site: Path) -> None:
    everything = stored_plans()
    data = site / "data" / "inspection-plans"
    assert len(_csv(site / "data" / "inspection-plans.csv")) == len(everything) + 1
    for dept in {p["department"] for p in everything}:
        own = {p["plan_id"] for p in everything if p["department"] == dept}
        rows = _csv(data / "department" / f"{dept}.csv")
        assert rows[0][0] == "计划编号" and {r[0] for r in rows[1:]} == own
        loaded = json.loads((data / "department" / f"{dept}.json").read_text(encoding="utf-8"))
        assert {p["plan_id"] for p in loaded["plans"]} == own and loaded["as_of"] == AS_OF.isoformat()
        sheet = openpyxl.load_workbook(data / "department" / f"{dept}.xlsx", read_only=True).worksheets[0]
        cells = [[c if c is not None else "" for c in r] for r in sheet.iter_rows(values_only=True)]
        assert cells == rows  # the workbook holds the CSV's rows
    for month in {str(p["period_from"])[:7] for p in everything}:
        own = {p["plan_id"] for p in everything if str(p["period_from"]).startswith(month)}
        assert {r[0] for r in _csv(data / "month" / f"{month}.csv")[1:]} == own


def test_every_link_on_the_plan_pages_resolves_and_the_header_links_the_index(site: Path) -> None:
    pages = [site / "inspection-plans" / "index.html", *(site / "inspection-plans").rglob("*/index.html")]
    assert len(pages) > 10
    for page in pages:
        for href in HREF.findall(page.read_text(encoding="utf-8")):
            target = site / href.lstrip("/")
            assert (target / "index.html").is_file() if href.endswith("/") else target.is_file(), (page, href)
    for page in (site / "index.html", site / "leniency" / "index.html", pages[-1]):
        header = page.read_text(encoding="utf-8").split("</header>")[0]
        assert '<a href="/inspection-plans/">涉企检查计划</a>' in header


def test_the_content_link_to_the_section_works_before_anything_is_published(tmp_path: Path) -> None:
    out = built(tmp_path, with_file=False)
    assert "检查计划尚未在本站公布" in (out / "inspection-plans" / "index.html").read_text(encoding="utf-8")
    linking = [p for p in (out / "enforcement-items").rglob("index.html")
               if 'href="/inspection-plans/"' in p.read_text(encoding="utf-8").split("</header>", 1)[1]]
    assert linking  # the shipped content's link into the section
    assert not (out / "inspection-plans" / "department").exists() and not (out / "data" / "inspection-plans").exists()


def _every_file_text(out: Path) -> str:
    texts = []
    for path in out.rglob("*"):
        if path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path, read_only=True)
            texts += [str(c) for r in book.worksheets[0].iter_rows(values_only=True) for c in r]
        elif path.is_file() and path.suffix in (".html", ".json", ".csv", ".xml"):
            texts.append(path.read_text(encoding="utf-8-sig"))
    return "\n".join(texts)


def test_named_targets_stay_out_of_every_page_and_download_until_allowed(tmp_path: Path) -> None:
    withheld = [p for p in stored_plans() if p.get("publish_targets_after")]
    assert withheld and all(p["enterprises"] for p in withheld)
    names = {e for p in withheld for e in p["enterprises"]}
    before = _every_file_text(built(tmp_path / "before"))
    assert not any(n in before for n in names) and "wang" not in before
    assert "检查对象暂不公开（" in before
    after = _every_file_text(built(tmp_path / "after", dt.date(2026, 12, 31)))
    assert all(n in after for n in names)


def test_a_public_file_naming_withheld_targets_is_refused(tmp_path: Path) -> None:
    view = plans.public_views(stored_plans(), AS_OF, plans.published(content())[0])
    secret = next(v for v in view if v["targets_withheld_until"])
    path = tmp_path / publication.PLANS_FILE
    publication.write(view, AS_OF, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    for p in data["plans"]:
        if p["plan_id"] == secret["plan_id"]:
            p["enterprises"] = ["示范市保密测试有限公司"]  # edited by hand
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ContentError, match="保密"):
        publication.load(tmp_path)


def test_publishing_as_of_a_later_day_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).date().isoformat()
    assert main(["plans", "publish", "--as-of", later, "--content", str(CONTENT), "--out", str(tmp_path / "x.json"),
                 "--data-dir", str(tmp_path / "d")]) != 0
    assert "晚于今天" in capsys.readouterr().err and not (tmp_path / "x.json").exists()


def test_the_downloads_are_the_same_bytes_on_every_build(tmp_path: Path, site: Path) -> None:
    again = built(tmp_path)
    for rel in ("data/inspection-plans.xlsx", "data/inspection-plans/department/scjg.xlsx",
                "inspection-plans/index.html"):
        assert (again / rel).read_bytes() == (site / rel).read_bytes(), rel
