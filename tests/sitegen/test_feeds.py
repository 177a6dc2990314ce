"""What changed: recent-changes pages and Atom feeds per list, and configurable column labels."""

from __future__ import annotations

import datetime as dt
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from enforcewatch.errors import ContentError
from enforcewatch.sitegen.build import build_site
from enforcewatch.sitegen.catalog import Department, ListItem, ListMeta
from enforcewatch.sitegen.content import load_content
from enforcewatch.sitegen.feeds import atom_feed, recent_changes

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "site-min"
TEMPLATES = ROOT / "site" / "templates"
ATOM = "{http://www.w3.org/2005/Atom}"


class Named(ListItem):
    violation: str


DEPTS = {"d": Department(id="d", name="市场监督管理局", body="示范市市场监督管理局")}


def _item(i: str, day: str) -> Named:
    return Named(id=i, department="d", body="示范市市场监督管理局", updated=dt.date.fromisoformat(day),
                 violation=f"违法行为{i} <&>")


def test_recent_changes_newest_first_ties_in_list_order() -> None:
    items = [_item("a", "2025-01-01"), _item("b", "2025-03-01"), _item("c", "2025-01-01"), _item("d", "2025-02-01")]
    got = recent_changes("leniency", items, DEPTS, limit=3)
    assert [c.item.id for c in got] == ["b", "d", "a"]
    assert got[0].path == "/leniency/b/" and got[0].title == "违法行为b <&>"


def test_atom_feed_is_valid_xml_with_stable_ids() -> None:
    meta = ListMeta(title="清单", publisher="示范市司法局", published=dt.date(2024, 12, 1))
    changes = recent_changes("leniency", [_item("a", "2025-01-01"), _item("b", "2025-03-01")], DEPTS)
    feed = ET.fromstring(atom_feed("leniency", meta, changes, "站点", "https://example.gov.cn/"))
    assert feed.find(f"{ATOM}updated").text == "2025-03-01T00:00:00+08:00"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}id").text for e in entries] == [
        "https://example.gov.cn/leniency/b/", "https://example.gov.cn/leniency/a/"]
    assert entries[0].find(f"{ATOM}title").text == "违法行为b <&>"  # escaped in the XML, intact here
    no_url = ET.fromstring(atom_feed("leniency", meta, changes, "站点", ""))
    assert no_url.find(f"{ATOM}entry/{ATOM}id").text == "urn:enforcewatch:leniency:b"
    assert atom_feed("leniency", meta, changes, "站点", "") == atom_feed("leniency", meta, changes, "站点", "")


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("feeds") / "_site"
    build_site(FIXTURE, TEMPLATES, out, search=False)
    return out


def test_each_list_has_a_changes_page_and_a_feed(mini: Path) -> None:
    content = load_content(FIXTURE)
    for key, data in (("enforcement-items", content.enforcement), ("spot-checks", content.spot_checks),
                      ("leniency", content.leniency)):
        page = BeautifulSoup((mini / key / "changes" / "index.html").read_text(encoding="utf-8"), "html.parser")
        dates = [row.select_one("td").get_text() for row in page.select("tbody tr")][: len(data.items)]
        assert len(page.select("tbody tr")) >= len(data.items)
        newest = max(i.updated for i in data.items)
        assert dates[0] == f"{newest.year}年{newest.month}月{newest.day}日"
        feed = ET.parse(mini / key / "feed.xml").getroot()
        assert len(feed.findall(f"{ATOM}entry")) == len(data.items)
        index = BeautifulSoup((mini / key / "index.html").read_text(encoding="utf-8"), "html.parser")
        assert index.select_one("link[rel=alternate]")["href"] == f"/{key}/feed.xml"
        assert index.select_one(f"a[href='/{key}/changes/']")


def test_an_item_cannot_take_the_changes_page_id(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    path = content / "lists" / "leniency.yaml"
    text = path.read_text(encoding="utf-8")
    first_id = load_content(FIXTURE).leniency.items[0].id
    path.write_text(text.replace(f"id: {first_id}", "id: changes", 1), encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_content(content)
    assert "changes" in str(err.value) and "leniency.yaml" in str(err.value)


def test_column_labels_come_from_site_settings(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    with (content / "site.yaml").open("a", encoding="utf-8") as fh:
        fh.write("labels:\n  seq: 编号顺序\n  enforcement_items:\n    name: 权力事项名称\n    basis: 设定依据\n")
    out = tmp_path / "out"
    build_site(content, TEMPLATES, out, search=False)
    page = BeautifulSoup((out / "enforcement-items" / "index.html").read_text(encoding="utf-8"), "html.parser")
    heads = [th.get_text() for th in page.select("thead th")][:5]
    assert heads[:2] == ["编号顺序", "权力事项名称"] and heads[4] == "设定依据"
    item = next((out / "enforcement-items").glob("*/index.html"))
    assert "设定依据" in [dt_.get_text() for dt_ in BeautifulSoup(item.read_text(encoding="utf-8"),
                                                                 "html.parser").select("dt")]


def test_misspelt_label_is_reported(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    with (content / "site.yaml").open("a", encoding="utf-8") as fh:
        fh.write("labels:\n  leniency:\n    violaton: 行为\n")
    with pytest.raises(ContentError) as err:
        load_content(content)
    assert "site.yaml" in str(err.value) and "violaton" in str(err.value)


def test_list_rows_carry_what_the_filters_need(mini: Path) -> None:
    page = BeautifulSoup((mini / "leniency" / "index.html").read_text(encoding="utf-8"), "html.parser")
    form = page.select_one("form#list-filter")
    assert form.has_attr("hidden")  # shown by list-filter.js only; without JS the full list stands
    rows = page.select("tbody tr[data-dept]")
    assert rows and all(r["data-kind"] for r in rows)
    kinds = {o.get_text() for o in form.select("#filter-kind option")} - {"全部"}
    assert kinds == {r["data-kind"] for r in rows}
    depts = {o["value"] for o in form.select("#filter-dept option")} - {""}
    assert depts == {r["data-dept"] for r in rows}
