"""The quick first read of site content (yaml-rs) gives the same Content as the line-tracking
read, and any problem sends the whole load through the line-tracking read for its messages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from enforcewatch.errors import ContentError
from enforcewatch.sitegen import content, yamllines

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "site-min"


def slow_load(root: Path) -> content.Content:
    return content._load(content._Collector(root))


@pytest.mark.parametrize("root", [FIXTURE, ROOT / "site" / "content"], ids=["fixture", "shipped"])
def test_quick_read_equals_line_tracking_read(root: Path) -> None:
    assert content._load(content._Collector(root, fast=True)) == slow_load(root)


def test_quick_read_gives_up_on_any_problem(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "c")
    rel = tmp_path / "c" / "lists" / "leniency.yaml"
    rel.write_text(rel.read_text(encoding="utf-8").replace("department: scjg", "department: nowhere", 1),
                   encoding="utf-8")
    with pytest.raises(yamllines.FastReadFailed):
        content._load(content._Collector(tmp_path / "c", fast=True))
    with pytest.raises(ContentError) as exc:
        content.load_content(tmp_path / "c")
    [problem] = exc.value.problems
    assert problem.line is not None and problem.field == "department"


def test_yaml_syntax_error_is_placed_by_the_line_tracking_read(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "c")
    depts = tmp_path / "c" / "departments.yaml"
    depts.write_text(depts.read_text(encoding="utf-8") + "- id: [unclosed\n", encoding="utf-8")
    with pytest.raises(yamllines.FastReadFailed):
        content._load(content._Collector(tmp_path / "c", fast=True))
    with pytest.raises(ContentError) as exc:
        content.load_content(tmp_path / "c")
    [problem] = exc.value.problems
    assert problem.path.endswith("departments.yaml") and problem.line is not None
    assert "YAML 语法错误" in problem.message
