"""Progress on the long CLI tasks (issue 17): each shows what it is doing on a terminal, clears the
line when done (or failed), and shows nothing when stderr is not a terminal (pipes, cron, logs)."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from enforcewatch.cli import main
from enforcewatch.progress import working
from enforcewatch.sitegen import listcolumns
from enforcewatch.sitegen.content import load_content
from support.paths import CONTENT


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    return root


def test_working_clears_its_line_even_on_an_error() -> None:
    tty = Terminal()
    with pytest.raises(ValueError), working("正在检查内容…", stream=tty):
        raise ValueError
    assert tty.getvalue() == "\r正在检查内容…\033[K\r\033[K"
    quiet = io.StringIO()
    with working("正在检查内容…", "已写入", stream=quiet) as progress:
        progress.step(5)
    assert quiet.getvalue() == ""


def test_check_shows_progress_only_on_a_terminal(content: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--content", str(content)]) == 0
    assert "\r" not in capsys.readouterr().err
    tty = Terminal()
    monkeypatch.setattr("sys.stderr", tty)
    assert main(["check", "--content", str(content)]) == 0
    assert "\r正在检查内容…\033[K\r\033[K内容检查通过" in tty.getvalue()


def test_list_import_shows_each_phase_on_a_terminal(content: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    items = [i for i in load_content(content).enforcement.items if i.department == "scjg"]
    sheet = tmp_path / "scjg.csv"
    with sheet.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["编号", "事项名称", "事项类别", "执法依据", "执法主体", "承办机构"])
        for n, i in enumerate(items):
            out.writerow([i.id, i.name, i.kind, listcolumns.format_laws(i.basis), i.body,
                          "食品安全监管科" if n == 0 else i.handling_unit])
    tty = Terminal()
    monkeypatch.setattr("sys.stderr", tty)
    assert main(["lists", "import", str(sheet), "--list", "enforcement-items", "--department", "scjg",
                 "--content", str(content), "--yes"]) == 0
    shown = tty.getvalue()
    assert "\r正在读取 scjg.csv 并与清单比较…\033[K" in shown and "\r正在检查全部内容并写入清单…\033[K" in shown
    assert "已写入" in shown
