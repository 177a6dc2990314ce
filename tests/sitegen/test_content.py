"""Loading and validating site/content: every error class, reported as PATH:LINE: field: message."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from enforcewatch.cli import main
from enforcewatch.errors import ContentError
from enforcewatch.sitegen.content import load_content, locate

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "site-min"


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURE, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(content_dir: Path) -> list[str]:
    with pytest.raises(ContentError) as exc:
        load_content(content_dir)
    return [str(p) for p in exc.value.problems]


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            seen += 1
            if seen == nth:
                return number
    raise AssertionError(f"{needle!r} not found in {path}")


def test_shipped_content_is_valid_and_large_enough() -> None:
    content = load_content(ROOT / "site" / "content")
    assert len(content.departments) >= 6
    assert len(content.enforcement.items) >= 40
    assert len(content.spot_checks.items) >= 20
    assert len(content.leniency.items) >= 20
    assert set(Counter(i.kind for i in content.leniency.items)) == {"不予处罚", "首违不罚", "从轻或减轻处罚", "免予行政强制"}
    assert {i.item_class for i in content.spot_checks.items} == {"重点检查事项", "一般检查事项"}
    assert len({i.category for i in content.spot_checks.items}) > 5  # 抽查类别 kept beside 事项类别
    assert content.leniency.exclusions, "seed 002 §(六): exclusions are said on the page"
    for extra in ("行政征用", "行政收费", "行政备案"):
        assert extra in content.site.enumerations.enforcement_kinds
    assert {p.slug for p in content.pages} >= {"monitoring-points", "complaints"}


def test_fixture_is_valid() -> None:
    content = load_content(FIXTURE)
    assert [d.id for d in content.departments] == ["scjg", "yjgl"]


def test_yaml_syntax_error_names_the_line(content_dir: Path) -> None:
    path = content_dir / "lists" / "leniency.yaml"
    edit(path, "    measures: [教育提醒]", "    measures: [教育提醒")
    [problem] = problems(content_dir)
    assert problem.startswith(f"{path}:")
    assert "YAML 语法错误" in problem
    line = int(problem.split(":")[1])
    assert line_of(path, "measures: [教育提醒") <= line <= line_of(path, "measures: [教育提醒") + 2


def test_missing_field_points_at_the_item(content_dir: Path) -> None:
    path = content_dir / "lists" / "enforcement-items.yaml"
    edit(path, "    handling_unit: 行政审批服务科\n", "")
    assert problems(content_dir) == [f"{path}:{line_of(path, '- id: scjg-xk-001')}: handling_unit: 缺少必填字段"]


def test_wrong_type_points_at_the_key(content_dir: Path) -> None:
    path = content_dir / "lists" / "spot-checks.yaml"
    edit(path, "    updated: 2025-02-20", "    updated: 下个月")
    edit(path, "    methods: [现场检查]", "    methods: 现场检查")
    assert problems(content_dir) == [
        f"{path}:{line_of(path, 'methods: 现场检查')}: methods: 应为列表",
        f"{path}:{line_of(path, 'updated: 下个月')}: updated: 应为日期，格式 YYYY-MM-DD",
    ]


def test_nested_error_points_at_the_nested_key(content_dir: Path) -> None:
    path = content_dir / "lists" / "enforcement-items.yaml"
    edit(path, "{law: 《中华人民共和国安全生产法》,", "{law: 123,")
    assert problems(content_dir) == [f"{path}:{line_of(path, 'law: 123')}: basis[0].law: 应为文本"]


def test_misspelt_key_is_an_error(content_dir: Path) -> None:
    path = content_dir / "site.yaml"
    edit(path, "complaint_phone:", "complain_phone:")
    assert problems(content_dir) == [f"{path}:{line_of(path, 'complain_phone')}: complain_phone: "
                                  "未知字段 “complain_phone”，最接近的字段是 “投诉电话”（complaint_phone）"]


def test_unknown_department(content_dir: Path) -> None:
    path = content_dir / "lists" / "leniency.yaml"
    edit(path, "    department: scjg", "    department: gaj")
    [problem] = problems(content_dir)
    assert problem.startswith(f"{path}:{line_of(path, 'department: gaj')}: department: 未知部门 “gaj”")


def test_unknown_kind_and_measure(content_dir: Path) -> None:
    enforcement = content_dir / "lists" / "enforcement-items.yaml"
    leniency = content_dir / "lists" / "leniency.yaml"
    edit(enforcement, "kind: 行政许可", "kind: 行政审批")
    edit(leniency, "measures: [教育提醒]", "measures: [教育提醒, 罚款]")
    found = problems(content_dir)
    assert len(found) == 2
    assert found[0].startswith(f"{enforcement}:{line_of(enforcement, '行政审批')}: kind: 未知取值 “行政审批”")
    assert found[1].startswith(f"{leniency}:{line_of(leniency, '罚款')}: measures: 未知取值 “罚款”")


def test_office_can_configure_kinds(content_dir: Path) -> None:
    (content_dir / "site.yaml").write_text(
        (content_dir / "site.yaml").read_text(encoding="utf-8")
        + "enumerations:\n  enforcement_kinds: [行政许可, 行政处罚, 其他行政权力]\n", encoding="utf-8")
    edit(content_dir / "lists" / "enforcement-items.yaml", "kind: 行政许可", "kind: 其他行政权力")
    assert load_content(content_dir).enforcement.items[0].kind == "其他行政权力"


def test_duplicate_id(content_dir: Path) -> None:
    path = content_dir / "lists" / "enforcement-items.yaml"
    edit(path, "  - id: yjgl-cf-001", "  - id: scjg-xk-001")
    first = line_of(path, "id: scjg-xk-001")
    second = line_of(path, "id: scjg-xk-001", nth=2)
    assert problems(content_dir) == [f"{path}:{second}: id: 编号 “scjg-xk-001” 重复（第 {first} 行已使用）"]


def test_unsafe_id_is_rejected(content_dir: Path) -> None:
    path = content_dir / "lists" / "leniency.yaml"
    edit(path, "  - id: scjg-swbf-001", "  - id: ../../etc")
    [problem] = problems(content_dir)
    assert problem.startswith(f"{path}:{line_of(path, '../../etc')}: id: 只能使用小写字母")


def test_duplicate_yaml_key(content_dir: Path) -> None:
    path = content_dir / "departments.yaml"
    edit(path, "  hotline: \"12315\"", "  hotline: \"12315\"\n  name: 重复")
    [problem] = problems(content_dir)
    assert problem.startswith(f"{path}:{line_of(path, 'name: 重复')}: YAML 语法错误：键 “name” 重复")


def test_ratio_must_name_a_defined_credit_class(content_dir: Path) -> None:
    path = content_dir / "lists" / "spot-checks.yaml"
    edit(path, "ratio_pct: {base: 10, A: 5, D: 60}", "ratio_pct: {A: 5, E: 60}")
    assert problems(content_dir) == [
        f"{path}:{line_of(path, 'ratio_pct')}: ratio_pct: 缺少 base（未分类对象的抽查比例）",
        f"{path}:{line_of(path, 'ratio_pct')}: ratio_pct.E: 信用风险类别 “E” 未在 credit_policy.classes 中定义",
    ]


def test_missing_file(content_dir: Path) -> None:
    (content_dir / "departments.yaml").unlink()
    assert problems(content_dir) == [f"{content_dir / 'departments.yaml'}: 文件不存在"]


def test_page_front_matter_errors(content_dir: Path) -> None:
    pages = content_dir / "pages"
    (pages / "no-front.md").write_text("# 标题\n", encoding="utf-8")
    (pages / "no-title.md").write_text("---\norder: 2\n---\n正文\n", encoding="utf-8")
    (pages / "bad-order.md").write_text("---\ntitle: 标题\norder: 第二\n---\n正文\n", encoding="utf-8")
    (pages / "Bad Name.md").write_text("---\ntitle: 标题\n---\n", encoding="utf-8")
    assert problems(content_dir) == [
        f"{pages / 'Bad Name.md'}: 文件名只能使用小写字母、数字和连字符（-），它也是页面地址",
        f"{pages / 'bad-order.md'}:3: order: 应为整数",
        f"{pages / 'no-front.md'}:1: 缺少以 --- 开头和结尾的 YAML 头部（至少包含 title）",
        f"{pages / 'no-title.md'}:2: title: 缺少必填字段",
    ]


def test_every_error_in_every_file_at_once_sorted(content_dir: Path) -> None:
    edit(content_dir / "site.yaml", "title: 测试市涉企行政执法公示\n", "")
    edit(content_dir / "lists" / "enforcement-items.yaml", "kind: 行政许可", "kind: 许可")
    edit(content_dir / "lists" / "enforcement-items.yaml", "department: yjgl", "department: nobody")
    edit(content_dir / "lists" / "leniency.yaml", "    updated: 2025-03-15", "    updated: soon")
    edit(content_dir / "lists" / "spot-checks.yaml", "    frequency: 每年1次\n", "")
    found = problems(content_dir)
    assert len(found) == 5
    files = [p.split(":")[0] for p in found]
    assert files == sorted(files)
    assert {Path(f).name for f in files} == {"site.yaml", "enforcement-items.yaml", "leniency.yaml", "spot-checks.yaml"}


def test_locate_falls_back_to_the_enclosing_node(content_dir: Path) -> None:
    import yaml

    from enforcewatch.sitegen.yamllines import LineLoader

    data = yaml.load("a:\n  - x: 1\n    y: 2\n  - z: 3\n", Loader=LineLoader)  # noqa: S506
    assert locate(data, ("a", 0, "y")) == 3
    assert locate(data, ("a", 1, "missing")) == 4
    assert locate(data, ("nothing",)) == 1


def test_check_command_prints_problems_without_traceback(content_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(content_dir / "lists" / "leniency.yaml", "    department: scjg", "    department: gaj")
    edit(content_dir / "lists" / "enforcement-items.yaml", "kind: 行政许可", "kind: 许可")
    assert main(["check", "--content", str(content_dir)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert all(line.startswith(str(content_dir)) for line in lines)


def test_check_command_passes_on_shipped_content(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--content", str(ROOT / "site" / "content")]) == 0
    assert "内容检查通过" in capsys.readouterr().err
