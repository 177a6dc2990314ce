"""The public draw page in headless Chromium: the in-browser check passes on the shipped sample,
fails naming the cause on tampered records, gives the same values as the documented test vectors,
answers the membership query, and passes axe (WCAG 2.1 AA). A full-page screenshot goes to
tests/artifacts/draws-page.png (issue 21).
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from enforcewatch.draws.publication import draws_hook
from enforcewatch.sitegen.build import build_site
from support.browser import AXE, SERIOUS, axe_context, axe_violations
from support.draws import ROOT, SAMPLES, vectors

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "tests" / "artifacts"
SAMPLE = sorted(SAMPLES.glob("*.json"))[0]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's signature
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    out = tmp_path_factory.mktemp("draws") / "_site"
    content = ROOT / "site" / "content"
    build_site(content, ROOT / "site" / "templates", out, hooks=(draws_hook(content),), search=False)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", out
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()


def _check(page: Any, url: str) -> str:
    page.goto(url + "/draws/", wait_until="load")
    page.get_by_role("button", name="核验这次抽取").click()
    status = page.locator(".draw-check").first
    page.wait_for_function("document.querySelector('.draw-check').textContent.startsWith('核验')")
    return str(status.text_content())


def _tampered(out: Path, change: Any) -> Iterator[None]:
    path = out / "data" / "draws" / SAMPLE.name
    original = path.read_bytes()
    data = json.loads(original)
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    try:
        yield
    finally:
        path.write_bytes(original)


def test_the_check_passes_on_the_sample_and_the_page_is_screenshot(site: tuple[str, Path], page: Any) -> None:
    url, _ = site
    text = _check(page, url)
    assert text.startswith("核验通过"), text
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "draws-page.png"), full_page=True)


TAMPERING = {
    "reveal": (lambda d: d["reveals"][0].update(secret="0" * 64), "执法机关（agency）揭示的秘密与其承诺不符"),
    "candidate dropped": (lambda d: d["classes"][1]["leaves"].pop(), "名录被增删"),
    "result": (lambda d: d["result"][0].update(inspectors=d["result"][0]["inspectors"][::-1]),
               "第 1 家的检查人员与按种子复算的结果不符"),
    "count": (lambda d: d["classes"][2].update(count=1), "C类抽取数量 1 与比例"),
    "ratio": (lambda d: d["classes"][3].update(ratio_bp=5000), "D类抽查比例 50% 与公布的随机抽查事项清单（scjg-cc-001）的 30% 不符"),
}


@pytest.mark.parametrize("name", sorted(TAMPERING))
def test_the_check_fails_on_a_tampered_record_naming_the_cause(site: tuple[str, Path], page: Any, name: str) -> None:
    url, out = site
    change, says = TAMPERING[name]
    for _ in _tampered(out, change):
        text = _check(page, url)
    assert text.startswith("核验未通过"), text
    assert says in text, text


def test_the_script_gives_the_documented_vectors(site: tuple[str, Path], page: Any) -> None:
    url, _ = site
    page.goto(url + "/draws/", wait_until="load")
    v = vectors()
    got = page.evaluate("""async (v) => {
        const m = await import('/static/draws-verify.js');
        const t = await Promise.all(v.tagged.map((x) => m.tagged(x.tag, ...x.fields)));
        const s = new m.Stream(v.stream.seed, v.stream.label);
        const words = []; for (let i = 0; i < 4; i++) words.push(await s.word());
        const u = new m.Stream(v.stream.seed, v.stream.label);
        const big = []; for (let i = 0; i < 3; i++) big.push(await u.uniform(3221225472));
        const d = v.draw;
        const classes = d.classes.map((c) => ({code: c.code, leaves: c.leaves,
            ratio_bp: Math.round(c.count * 10000 / c.leaves.length)}));
        const result = await m.draw(d.seed, classes, d.inspectors, d.team_size, d.avoid);
        const counts = v.counts.map(([n, bp]) => m.countFor(n, bp));
        return {t, words, big, result, counts};
    }""", v)
    assert got["t"] == [x["hex"] for x in v["tagged"]]
    assert got["words"] == v["stream"]["words"]
    assert got["big"] == v["stream"]["uniform_3221225472"]
    assert got["counts"] == [c[2] for c in v["counts"]]
    assert got["result"] == v["draw"]["result"]


def test_membership_query_in_the_page(site: tuple[str, Path], page: Any) -> None:
    import runpy

    proof = runpy.run_path(str(ROOT / "scripts" / "draws_sample.py"))["demo_proof"]()
    url, _ = site
    page.goto(url + "/draws/", wait_until="load")
    page.get_by_label("统一社会信用代码").fill(proof["uscc"])
    page.get_by_label("盐值（执法机关提供）").fill(proof["salt"])
    page.get_by_role("button", name="查询").click()
    page.wait_for_function("document.querySelector('.membership-result').textContent.length > 0")
    assert page.locator(".membership-result").text_content().startswith("已列入候选名录")
    page.get_by_label("盐值（执法机关提供）").fill("0" * 32)
    page.get_by_role("button", name="查询").click()
    page.wait_for_function("document.querySelector('.membership-result').textContent.startsWith('未列入')")


def test_without_javascript_the_page_gives_the_command_and_hides_the_check(site: tuple[str, Path], browser: Any) -> None:
    url, _ = site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(url + "/draws/")
    assert page.get_by_text("enforcewatch draws verify 记录文件.json").is_visible()
    assert not page.get_by_role("button", name="核验这次抽取").is_visible()
    assert page.get_by_role("link", name="下载记录（JSON）").is_visible()
    context.close()


def test_axe_finds_no_serious_or_critical_violation(site: tuple[str, Path], browser: Any) -> None:
    if not AXE.is_file():
        pytest.skip("axe-core not installed (node_modules)")
    url, _ = site
    context = axe_context(browser, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(url + "/draws/", wait_until="load")
        assert axe_violations(page, SERIOUS) == []
    finally:
        context.close()


def test_nothing_confidential_in_the_published_record(site: tuple[str, Path]) -> None:
    _, out = site
    proof = __import__("runpy").run_path(str(ROOT / "scripts" / "draws_sample.py"))["demo_proof"]()
    published = (out / "data" / "draws" / SAMPLE.name).read_text(encoding="utf-8")
    assert proof["uscc"] not in published and proof["salt"] not in published


def test_an_announced_record_checks_as_announced(site: tuple[str, Path], page: Any) -> None:
    url, _ = site

    def announced(d: dict[str, Any]) -> None:
        d.update(status="announced", reveals=[], seed="", result=[])

    for _ in _tampered(site[1], announced):
        text = _check(page, url)
    assert text.startswith("核验通过：公告内容") and "尚未揭示" in text, text
    for _ in _tampered(site[1], lambda d: d.update(status="announced")):
        text = _check(page, url)
    assert "记录尚未完成抽取，却已写有揭示值、种子或抽取结果" in text, text
