"""The generator: what it writes, the data downloads, safe HTML, and the all-or-nothing swap."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from enforcewatch.cli import main
from enforcewatch.errors import ContentError
from enforcewatch.sitegen.build import build_site
from enforcewatch.sitegen.markdown_render import render_markdown

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "site-min"
TEMPLATES = ROOT / "site" / "templates"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("shipped") / "_site"
    assert main(["build", "--content", str(ROOT / "site/content"), "--templates", str(TEMPLATES),
                 "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mini") / "_site"
    build_site(FIXTURE, TEMPLATES, out)
    return out


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def html_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def test_shipped_site_has_every_page(shipped: Path) -> None:
    from enforcewatch.sitegen.content import load_content

    content = load_content(ROOT / "site/content")
    for key, data in (("enforcement-items", content.enforcement), ("spot-checks", content.spot_checks),
                      ("leniency", content.leniency)):
        assert (shipped / key / "index.html").is_file()
        for dept in content.departments:
            assert (shipped / key / "department" / dept.id / "index.html").is_file()
        for item in data.items:
            page = shipped / key / item.id / "index.html"
            assert item.id in page.relative_to(shipped).as_posix()
            assert page.is_file()
        index = soup(shipped / key / "index.html")
        assert len(index.select("tbody tr")) >= len(data.items)  # every item on the index
    for page in content.pages:
        assert (shipped / page.slug / "index.html").is_file()
    for name in ("index.html", "404.html", "sitemap.xml", "robots.txt", "static/site.css"):
        assert (shipped / name).is_file(), name


def test_data_downloads(shipped: Path) -> None:
    from enforcewatch.sitegen.content import load_content

    content = load_content(ROOT / "site/content")
    for key, data in (("enforcement-items", content.enforcement), ("spot-checks", content.spot_checks),
                      ("leniency", content.leniency)):
        rows = json.loads((shipped / "data" / f"{key}.json").read_text(encoding="utf-8"))
        assert isinstance(rows, list)
        assert [r["id"] for r in rows] == [i.id for i in data.items]
        assert all(r["department"] for r in rows)
        raw = (shipped / "data" / f"{key}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM so Excel opens it"
        table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert table[0][:3] == ["编号", "部门编号", "部门"]
        assert len(table) == len(data.items) + 1
        assert [r[0] for r in table[1:]] == [i.id for i in data.items]


def test_every_page_is_chinese_and_self_contained(shipped: Path) -> None:
    pages = html_files(shipped)
    assert len(pages) > 100
    for path in pages:
        doc = soup(path)
        assert doc.html is not None and doc.html.get("lang") == "zh-CN", path
        for tag, attr in (("link", "href"), ("script", "src"), ("img", "src"), ("iframe", "src"),
                          ("source", "src")):
            for el in doc.find_all(tag):
                url = str(el.get(attr, ""))
                assert not url.startswith(("http:", "https:", "//")), f"{path}: external asset {url}"
        assert doc.find("main", id="main") is not None
        assert doc.find("a", class_="skip-link", href="#main") is not None


def test_list_pages_need_no_javascript(shipped: Path) -> None:
    # The only script is the list filter, an enhancement: its form stays hidden without it and
    # every row is in the HTML (test_shipped_site_has_every_page).
    for path in html_files(shipped):
        if path.relative_to(shipped).parts[0] in ("enforcement-items", "spot-checks", "leniency", "index.html"):
            page = soup(path)
            for script in page.find_all("script"):
                assert script["src"].startswith("/static/list-filter.") and script.has_attr("defer"), path
            for form in page.select("form#list-filter"):
                assert form.has_attr("hidden"), path


def test_tables_are_accessible(shipped: Path) -> None:
    for path in (shipped / "enforcement-items/index.html", shipped / "spot-checks/index.html",
                 shipped / "leniency/index.html"):
        for table in soup(path).find_all("table"):
            assert table.caption is not None and table.caption.get_text(strip=True)
            assert all(th.get("scope") in ("col", "row") for th in table.find_all("th"))


def test_footer_comes_from_settings(mini: Path) -> None:
    footer = soup(mini / "index.html").find("footer")
    assert footer is not None
    text = footer.get_text(" ", strip=True)
    for value in ("测试市人民政府办公室", "0000000001", "测公网安备 00000000000001号", "0000-12345",
                  "tousu@example.gov.cn"):
        assert value in text
    icp = footer.find("a", string="测ICP备00000001号")
    assert icp is not None and icp["href"] == "https://beian.miit.gov.cn/"


def test_content_is_escaped(mini: Path) -> None:
    page = (mini / "enforcement-items/yjgl-cf-001/index.html").read_text(encoding="utf-8")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_markdown_is_sanitised(mini: Path) -> None:
    doc = soup(mini / "about/index.html")
    article = doc.find("article")
    assert article is not None
    assert not doc.find_all("script") and not doc.find_all("img")
    assert "<strong>测试市</strong>" in str(article)
    for el in article.find_all(True):
        assert not any(a.startswith("on") for a in el.attrs), el
    hrefs = [a.get("href") for a in article.find_all("a")]
    assert "mailto:a@example.gov.cn" in hrefs and "/leniency/" in hrefs
    assert not any(h and h.strip().lower().startswith("javascript:") for h in hrefs)
    notes = soup(mini / "enforcement-items/yjgl-cf-001/index.html")
    assert not any(str(a.get("href", "")).startswith("javascript:") for a in notes.find_all("a"))


@pytest.mark.parametrize("source", [
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    '<div onclick="alert(1)">x</div>',
    "<script>alert(1)</script>",
    '<iframe src="https://evil.example"></iframe>',
    '<img src=x onerror="alert(1)">',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "<style>body{display:none}</style>",
])
def test_render_markdown_strips_active_content(source: str) -> None:
    html = render_markdown(source).lower()
    for bad in ("<script", "javascript:", "onclick", "onerror", "<iframe", "<img", "data:", "<style"):
        assert bad not in html


def test_templates_under_pages_are_rendered_to_the_same_path(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "pages" / "demo").mkdir(parents=True, exist_ok=True)
    (templates / "pages" / "demo" / "index.html").write_text(
        '{% extends "base.html" %}{% block title %}演示{% endblock %}'
        "{% block content %}{{ form|default({})|length }}:{{ departments|length }}:{{ page_path }}{% endblock %}",
        encoding="utf-8")
    out = tmp_path / "out"
    build_site(FIXTURE, templates, out)
    main_el = soup(out / "demo/index.html").find("main")
    assert main_el is not None and main_el.get_text(strip=True) == "0:2:/demo/"


def test_output_collision_is_refused(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    (content / "pages" / "leniency.md").write_text("---\ntitle: 冲突\n---\n", encoding="utf-8")
    with pytest.raises(ContentError) as exc:
        build_site(content, TEMPLATES, tmp_path / "out")
    assert "leniency/index.html" in exc.value.message


def test_template_mistake_is_reported_not_raised(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "404.html").write_text('{% extends "base.html" %}\n{% block content %}\n{{ nothing.here }}\n'
                                        "{% endblock %}\n", encoding="utf-8")
    with pytest.raises(ContentError) as exc:
        build_site(FIXTURE, templates, tmp_path / "out")
    [problem] = exc.value.problems
    assert problem.path.endswith("404.html") and problem.line == 3


def test_failed_build_leaves_previous_output_untouched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    out = tmp_path / "_site"
    assert main(["build", "--content", str(content), "--templates", str(TEMPLATES), "--out", str(out)]) == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    text = (content / "lists" / "leniency.yaml").read_text(encoding="utf-8")
    (content / "lists" / "leniency.yaml").write_text(text.replace("department: scjg", "department: x"),
                                                     encoding="utf-8")
    assert main(["build", "--content", str(content), "--templates", str(TEMPLATES), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "department: 未知部门" in err and "Traceback" not in err
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site", "content"], "no staging dirs left behind"


def test_failed_build_into_a_new_directory_leaves_nothing(tmp_path: Path) -> None:
    # a new output is written while it renders (manifest.FreshTree): a template error on the last
    # page leaves neither the output nor the directory it was being written into
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "404.html").write_text("{{ nothing.here }}\n", encoding="utf-8")
    with pytest.raises(ContentError):
        build_site(FIXTURE, templates, tmp_path / "out", search=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["templates"]


@pytest.mark.parametrize("start", ["absent", "empty", "in place"])
def test_new_directory_and_in_place_writes_give_the_same_tree(tmp_path: Path, start: str) -> None:
    from enforcewatch.sitegen.manifest import MANIFEST, RECORDS

    out = tmp_path / "out"
    if start != "absent":
        out.mkdir()
    if start == "in place":
        (out / "placed-by-hand.txt").write_text("x", encoding="utf-8")  # not empty: written in place
    build_site(FIXTURE, TEMPLATES, out, search=False)
    (out / "placed-by-hand.txt").unlink(missing_ok=True)
    reference = tmp_path / "reference"
    reference.mkdir()
    (reference / "x.txt").write_text("x", encoding="utf-8")
    build_site(FIXTURE, TEMPLATES, reference, search=False)  # in place: removes x.txt (no manifest)
    def tree(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
                if p.is_file() and p.name not in RECORDS}
    assert tree(out) == tree(reference)
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert sorted(manifest) == sorted(tree(out))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "reference"]


def test_rebuild_replaces_output(tmp_path: Path) -> None:
    out = tmp_path / "_site"
    out.mkdir()
    (out / "stale.html").write_text("old", encoding="utf-8")
    build_site(FIXTURE, TEMPLATES, out)
    assert not (out / "stale.html").exists()
    assert (out / "index.html").is_file()


def test_sitemap_and_robots(mini: Path) -> None:
    sitemap = (mini / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://site.example/leniency/scjg-swbf-001/</loc>" in sitemap
    assert "404" not in sitemap
    robots = (mini / "robots.txt").read_text(encoding="utf-8")
    assert "Sitemap: https://site.example/sitemap.xml" in robots
    assert "Disallow: /staff/" in robots


def test_spot_check_page_publishes_the_rule_not_classes(mini: Path) -> None:
    text = soup(mini / "spot-checks/index.html").get_text()
    assert "信用风险低" in text and "不向社会公开" in text
    assert "经通报表扬的行政执法监测点" in text  # seed 000 §五 adjustment


def test_leniency_page_states_exclusions(mini: Path) -> None:
    text = soup(mini / "leniency/index.html").get_text()
    assert "不适用本清单的情形" in text and "触碰食品安全" in text


def test_template_syntax_error_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "home.html").write_text('{% extends "base.html" %}\n{% block content %}\n{% if %}\n',
                                         encoding="utf-8")
    assert main(["build", "--content", str(FIXTURE), "--templates", str(templates),
                 "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{templates / 'home.html'}:3: 模板语法错误") and "Traceback" not in err


def test_missing_templates_dir_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--content", str(FIXTURE), "--templates", str(tmp_path / "nope"),
                 "--out", str(tmp_path / "out")]) == 1
    assert "找不到模板" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
