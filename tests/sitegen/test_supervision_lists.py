"""The three supervision lists of seed 002 (重点监管清单, 包容审慎监管清单, 抽查结果): validated with
each problem on its line, published like the first three (pages, per-department views, CSV/JSON,
change feeds, the search page and index, accessible tables), and the 留观期 detection."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from enforcewatch.errors import ContentError
from enforcewatch.insights import detection
from enforcewatch.insights.inspections import Catalogue, inspections
from enforcewatch.sitegen.build import build_site
from enforcewatch.sitegen.content import load_content
from support.insights import inspection, report

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "site" / "content"
TEMPLATES = ROOT / "site" / "templates"
LISTS = {"key-supervision": "key_supervision", "prudent-supervision": "prudent",
         "spot-check-results": "spot_check_results"}


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("supervision") / "_site"
    build_site(CONTENT, TEMPLATES, out)
    return out


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def problems(content_dir: Path) -> list[str]:
    with pytest.raises(ContentError) as exc:
        load_content(content_dir)
    return exc.value.message.splitlines()


# -- content ------------------------------------------------------------------------------------------

def test_shipped_lists_are_valid_and_sample_sized() -> None:
    content = load_content(CONTENT)
    assert 5 <= len(content.key_supervision.items) <= 20  # seed 002 (四): 严格控制重点监管事项数量
    assert [i.units for i in content.key_supervision.items if i.units]  # named only with a law
    assert all(i.units_basis for i in content.key_supervision.items if i.units)
    assert {i.innovation for i in content.prudent.items} == {"新技术", "新产业", "新业态", "新模式"}
    assert all(sum(r.results.values()) == r.checked for r in content.spot_check_results.items)


def test_the_lists_are_optional() -> None:
    content = load_content(ROOT / "tests" / "fixtures" / "site-min")
    assert content.key_supervision is None and content.prudent is None and content.spot_check_results is None


def test_units_without_a_law_are_refused_on_their_item(content_dir: Path) -> None:
    path = content_dir / "lists" / "key-supervision.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("    units_basis:")
    end = text.index("    updated:", start)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    [problem] = problems(content_dir)
    assert problem.startswith(f"{path}:{line_of(path, '- id: sthj-zd-001')}: ")
    assert "units_basis" in problem and "不得公布单位名单" in problem


def test_soft_measures_must_keep_their_order(content_dir: Path) -> None:
    path = content_dir / "lists" / "prudent-supervision.yaml"
    edit(path, "measures: [教育提醒, 行政提示, 行政指导]", "measures: [行政指导, 教育提醒]")
    edit(path, "measures: [教育提醒, 劝导示范, 警示告诫]", "measures: [教育提醒, 罚款]")
    found = problems(content_dir)
    assert len(found) == 2
    assert found[0].startswith(f"{path}:{line_of(path, '- id: scjg-bsn-002')}: ") and "顺序" in found[0]
    assert found[1].startswith(f"{path}:{line_of(path, '- id: cgzf-bsn-001')}: ") and "未知的柔性措施 “罚款”" in found[1]


def test_observation_period_must_run_forwards(content_dir: Path) -> None:
    path = content_dir / "lists" / "prudent-supervision.yaml"
    edit(path, "observation_to: 2026-06-30", "observation_to: 2025-06-30")
    [problem] = problems(content_dir)
    assert problem.startswith(f"{path}:{line_of(path, '- id: jtys-bsn-001')}: ") and "留观期止" in problem


def test_results_add_up_name_listed_items_and_are_published_in_time(content_dir: Path) -> None:
    path = content_dir / "lists" / "spot-check-results.yaml"
    edit(path, "未发现问题: 52, 发现问题已责令改正: 8", "未发现问题: 50, 发现问题已责令改正: 8")
    edit(path, "spot_check_items: [jtys-cc-003]", "spot_check_items: [jtys-cc-099]")
    edit(path, "published: 2026-04-15", "published: 2026-05-30")
    found = problems(content_dir)
    assert len(found) == 3
    assert f"{path}:{line_of(path, '- id: rsj-2026-001')}: " in found[1] and "（58）应等于抽查户数（60）" in found[1]
    assert found[0].startswith(f"{path}:{line_of(path, 'published: 2026-05-30')}: published: 结果应在检查完成后 30 日内公示")
    assert found[2].startswith(f"{path}:{line_of(path, 'jtys-cc-099')}: spot_check_items: 抽查事项 “jtys-cc-099” 不在")


def test_unknown_department_and_misspelt_key(content_dir: Path) -> None:
    path = content_dir / "lists" / "key-supervision.yaml"
    edit(path, "    department: jtys", "    department: gaj")
    edit(path, "    reason: 特种设备事故", "    reasons: 特种设备事故")
    found = problems(content_dir)
    assert any(p.startswith(f"{path}:{line_of(path, 'department: gaj')}: department: 未知部门") for p in found)
    assert any(p.startswith(f"{path}:{line_of(path, 'reasons:')}: reasons: 未知字段") for p in found)


# -- the published site -------------------------------------------------------------------------------

def test_every_page_and_department_view(shipped: Path) -> None:
    content = load_content(CONTENT)
    for key, attr in LISTS.items():
        data = getattr(content, attr)
        index = soup(shipped / key / "index.html")
        assert len(index.select("tbody tr")) == len(data.items)
        assert data.meta.title in index.get_text()
        for dept in content.departments:
            page = soup(shipped / key / "department" / dept.id / "index.html")
            assert len(page.select("tbody tr")) == sum(i.department == dept.id for i in data.items)
        for item in data.items:
            assert (shipped / key / item.id / "index.html").is_file()
    home = {a["href"] for a in soup(shipped / "index.html").select("main a")}
    assert {f"/{key}/" for key in LISTS} <= home


def test_downloads_and_change_feeds(shipped: Path) -> None:
    content = load_content(CONTENT)
    for key, attr in LISTS.items():
        data = getattr(content, attr)
        rows = json.loads((shipped / "data" / f"{key}.json").read_text(encoding="utf-8"))
        assert [r["id"] for r in rows] == [i.id for i in data.items]
        raw = (shipped / "data" / f"{key}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert table[0][:3] == ["编号", "部门编号", "部门"] and len(table) == len(data.items) + 1
        feed = ET.fromstring((shipped / key / "feed.xml").read_bytes())
        assert len(feed.findall("{http://www.w3.org/2005/Atom}entry")) == len(data.items)
        assert (shipped / key / "changes" / "index.html").is_file()
    results = list(csv.DictReader(io.StringIO((shipped / "data" / "spot-check-results.csv").read_text("utf-8-sig"))))
    assert results[0]["抽查户数"] == "120" and "未发现问题104户" in results[0]["检查结果"]
    listed = {e["list"] for e in json.loads((shipped / "data" / "index.json").read_text(encoding="utf-8"))}
    assert set(LISTS) <= listed


def test_no_enterprise_is_named_unless_a_law_requires_it(shipped: Path) -> None:
    units = (shipped / "key-supervision" / "yjgl-zd-001" / "index.html").read_text(encoding="utf-8")
    assert "不公布（法律法规未要求公布名单）" in units
    named = (shipped / "key-supervision" / "sthj-zd-001" / "index.html").read_text(encoding="utf-8")
    assert "示范市某某化工有限公司（演示）" in named and "企业环境信息依法披露管理办法" in named


def test_tables_are_accessible_and_chinese(shipped: Path) -> None:
    for key in LISTS:
        for path in (shipped / key / "index.html", next((shipped / key).glob("*-0*/index.html"))):
            doc = soup(path)
            assert doc.html.get("lang") == "zh-CN"
            for table in doc.find_all("table"):
                assert table.caption is not None and table.caption.get_text(strip=True)
                assert all(th.get("scope") in ("col", "row") for th in table.find_all("th"))


def test_search_page_and_index_cover_the_new_lists(shipped: Path) -> None:
    page = soup(shipped / "search" / "index.html")
    hrefs = {a["href"] for a in page.select("main a")}
    for key in LISTS:
        assert f"/{key}/" in hrefs and f"/data/{key}.csv" in hrefs
    entry = json.loads((shipped / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]
    sitemap = (shipped / "sitemap.xml").read_text(encoding="utf-8")
    assert "/prudent-supervision/scjg-bsn-001/" in sitemap


# -- 留观期 -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.from_content(load_content(CONTENT))


def _found(catalogue: Catalogue, rows: list[dict[str, object]]) -> list[detection.Finding]:
    found = detection.detect(inspections([report("P7", "nanhu", "2026-05", rows)], catalogue), catalogue)
    return [f for f in found if f.kind == "prudent_penalty"]


def test_a_penalty_in_a_sector_under_observation_is_a_finding(catalogue: Catalogue) -> None:
    D = dt.date
    by_word = _found(catalogue, [inspection(D(2026, 5, 6), "南湖市市场监督管理局", "直播带货商品质量",
                                            inspection_type="日常巡查", outcome="行政处罚")])
    assert len(by_word) == 1 and by_word[0].matter == "scjg-bsn-001" and "留观期" in by_word[0].summary
    by_item = _found(catalogue, [inspection(D(2026, 5, 7), "示范市生态环境局", "x", item_id="sthj-cc-002",
                                            outcome="行政处罚")])
    assert len(by_item) == 1 and by_item[0].matter == "sthj-bsn-001"


def test_no_penalty_outside_the_period_or_sector_or_by_another_agency(catalogue: Catalogue) -> None:
    D = dt.date
    rows = [
        inspection(D(2026, 5, 6), "示范市市场监督管理局", "直播带货商品质量", outcome="责令整改"),  # no penalty
        inspection(D(2026, 5, 6), "示范市市场监督管理局", "营业执照", item_id="scjg-cc-001", outcome="行政处罚"),
        inspection(D(2026, 5, 6), "示范市交通运输局", "直播带货商品质量", outcome="行政处罚"),  # another agency
    ]
    assert not _found(catalogue, rows)
    late = report("P7", "nanhu", "2026-08", [inspection(D(2026, 8, 3), "示范市交通运输局", "网约车聚合平台",
                                                        outcome="行政处罚")])  # its 留观期 ended 2026-06-30
    assert not [f for f in detection.detect(inspections([late], catalogue), catalogue) if f.kind == "prudent_penalty"]
