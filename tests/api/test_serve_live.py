"""`enforcewatch serve` rebuilds the site when site/content changes: through a real server, the old
output is served until the new one is complete, and a broken file shows its problem on a banner and
in the terminal while the last good site stays up. Plus LiveSite's own rules, without a server."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from enforcewatch.errors import ContentError, ContentProblem
from enforcewatch.sitegen.livebuild import LiveSite
from support.stack import ROOT, Stack

PAGE = "/leniency/scjg-bycf-001/"
OLD = "violation: 市场主体未将营业执照置于住所或者主要经营场所醒目位置"
NEW = "violation: 市场主体未将营业执照置于醒目位置（已修改）"


def until(check: Callable[[], bool], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise AssertionError("the condition did not hold in time")


@pytest.mark.ddb_local
def test_serve_rebuilds_on_change_and_shows_errors(tmp_path: Path, ddb_local_server: object) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "site" / "content", content)
    path = content / "lists" / "leniency.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(OLD) == 1
    stack = Stack(tmp_path / "data", ("--content", str(content))).start()
    try:
        assert "醒目位置（已修改）" not in httpx.get(stack.url + PAGE).text
        path.write_text(text.replace(OLD, NEW), encoding="utf-8")
        statuses: list[int] = []

        def shows_new() -> bool:
            page = httpx.get(stack.url + PAGE)
            statuses.append(page.status_code)
            return "醒目位置（已修改）" in page.text

        until(shows_new)
        assert set(statuses) == {200}  # the old output was served while the new one was built
        path.write_text(text.replace(OLD, NEW + "\n    no_such_field: 1"), encoding="utf-8")
        until(lambda: 'role="alert"' in httpx.get(stack.url + PAGE).text)
        page = httpx.get(stack.url + PAGE)
        assert page.status_code == 200 and "醒目位置（已修改）" in page.text  # the last good site
        assert "leniency.yaml" in page.text and "no_such_field" in page.text and "未知字段" in page.text
        assert httpx.get(stack.url + "/data/leniency.csv").content.startswith("\ufeff".encode())
        path.write_text(text, encoding="utf-8")
        until(lambda: 'role="alert"' not in (p := httpx.get(stack.url + PAGE).text) and "置于住所" in p)
    finally:
        out = stack.stop()
    assert "网站已重新生成" in out and "内容有错误，网站仍显示上次成功生成的版本" in out and "no_such_field" in out


def test_live_site_builds_only_settled_changes_and_keeps_the_last_good_one(tmp_path: Path) -> None:
    watched = tmp_path / "content"
    watched.mkdir()
    (watched / "a.yaml").write_text("1", encoding="utf-8")
    built: list[Path] = []
    said: list[str] = []

    def build(out: Path) -> None:
        if (watched / "a.yaml").read_text(encoding="utf-8") == "bad":
            raise ContentError([ContentProblem("a.yaml", 1, "", "坏了")])
        built.append(out)

    live = LiveSite((tmp_path / "one", tmp_path / "two"), (watched,), build, said.append)
    live.start()
    assert built == [tmp_path / "one"] and not live.check()
    (watched / "a.yaml").write_text("22", encoding="utf-8")
    assert not live.check()  # changed: wait one look for it to hold still
    assert live.check() and live.current == tmp_path / "two" and built[-1] == tmp_path / "two"
    (watched / "a.yaml").write_text("bad", encoding="utf-8")
    live.check()
    assert live.check() and live.current == tmp_path / "two" and live.errors == ["a.yaml:1: 坏了"]
    assert "a.yaml:1: 坏了" in said[-1]
    (watched / "a.yaml").write_text("333", encoding="utf-8")
    live.check()
    assert live.check() and live.current == tmp_path / "one" and live.errors == []


def test_banner_escapes_the_problem_text() -> None:
    from enforcewatch.local import _with_banner

    page = b'<!doctype html><html lang="zh-CN"><body class="x"><main>\xe5\x86\x85\xe5\xae\xb9</main></body></html>'
    out = _with_banner(page, ["lists/x.yaml:3: name: <script>alert(1)</script>"]).decode()
    assert out.index('role="alert"') > out.index('<body class="x">') and "<script>" not in out
    assert "&lt;script&gt;" in out and out.endswith("<main>内容</main></body></html>")
