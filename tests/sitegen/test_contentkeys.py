"""Every content field accepts its Chinese label as the key (issue 17): site.yaml, departments.yaml,
every list file (its meta, credit policy, adjustments, items and their legal bases) and the pages'
front matter, written wholly in Chinese keys, load as the same content as in English; an unknown key
is named with the nearest field in Chinese and English."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from enforcewatch.errors import ContentError
from enforcewatch.sitegen import catalog, supervision
from enforcewatch.sitegen.content import (
    ALL_LIST_MODELS,
    DEPARTMENTS_FILE,
    SITE_FILE,
    load_content,
    split_front_matter,
)
from enforcewatch.sitegen.contentkeys import keys, label, sub_model

ROOT = Path(__file__).resolve().parents[2]


def chinese(model: type[BaseModel], data: Any, seen: set[type[BaseModel]]) -> Any:
    """`data` with every English key that has a Chinese label written under that label."""
    if isinstance(data, list):
        return [chinese(model, one, seen) for one in data]
    if not isinstance(data, dict):
        return data
    out: dict[Any, Any] = {}
    for key, value in data.items():
        field = model.model_fields.get(key)
        sub = sub_model(field.annotation) if field is not None else None
        zh = label(model, key)
        if zh != key:
            seen.add(model)
        out[zh] = chinese(sub, value, seen) if sub is not None else value
    return out


def _rewrite(path: Path, model: type[BaseModel], seen: set[type[BaseModel]]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump(chinese(model, data, seen), allow_unicode=True, sort_keys=False), encoding="utf-8")


def to_chinese(root: Path) -> set[type[BaseModel]]:
    """Rewrite the content under `root` with Chinese keys; the models whose keys changed."""
    seen: set[type[BaseModel]] = set()
    _rewrite(root / SITE_FILE, catalog.SiteSettings, seen)
    _rewrite(root / DEPARTMENTS_FILE, catalog.Department, seen)
    for key, model in ALL_LIST_MODELS.items():
        _rewrite(root / "lists" / f"{key}.yaml", model, seen)
    for page in (root / "pages").glob("*.md"):
        parts = split_front_matter(page.read_text(encoding="utf-8"))
        assert parts is not None
        front = chinese(catalog.PageMeta, yaml.safe_load(parts[0]), seen)
        page.write_text("---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n" + parts[1],
                        encoding="utf-8")
    return seen


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(ROOT / "site" / "content", target)
    site = target / SITE_FILE
    # The labels block too, so its models are covered (its defaults: what the pages show).
    site.write_text(site.read_text(encoding="utf-8") + "labels:\n  notes: 说明\n  spot_checks: {ratio: 比例}\n"
                    "  enforcement_items: {name: 名称}\n  leniency: {area: 执法领域}\n", encoding="utf-8")
    return target


def test_chinese_keys_load_as_the_same_content(content_dir: Path, tmp_path: Path) -> None:
    english = load_content(content_dir)
    chinese_dir = tmp_path / "chinese"
    shutil.copytree(content_dir, chinese_dir)
    seen = to_chinese(chinese_dir)
    assert "organiser:" not in (chinese_dir / SITE_FILE).read_text(encoding="utf-8")
    assert "主办单位:" in (chinese_dir / SITE_FILE).read_text(encoding="utf-8")
    wanted = {catalog.SiteSettings, catalog.Enumerations, catalog.ColumnLabels, catalog.EnforcementLabels,
              catalog.SpotCheckLabels, catalog.LeniencyLabels, catalog.Department, catalog.ListMeta,
              catalog.ChangeEntry, catalog.LawRef, catalog.EnforcementItem, catalog.SpotCheckItem,
              catalog.LeniencyEntry, catalog.CreditPolicy, catalog.CreditClass, catalog.Adjustment,
              catalog.SpotCheckList, catalog.LeniencyList, catalog.EnforcementList, catalog.PageMeta,
              supervision.KeySupervisionItem, supervision.PrudentItem, supervision.SpotCheckResult,
              supervision.SpotCheckResultList}
    assert wanted <= seen, wanted - seen
    loaded = load_content(chinese_dir)
    assert loaded.site == english.site
    assert loaded.departments == english.departments
    for attr in ("enforcement", "spot_checks", "leniency", "key_supervision", "prudent", "spot_check_results"):
        assert getattr(loaded, attr) == getattr(english, attr), attr
    assert [(p.slug, p.meta, p.body) for p in loaded.pages] == [(p.slug, p.meta, p.body) for p in english.pages]


def test_every_field_of_every_content_model_has_a_chinese_label() -> None:
    models = {catalog.SiteSettings, catalog.Department, catalog.PageMeta, *ALL_LIST_MODELS.values()}
    stack, done = list(models), set()
    while stack:
        model = stack.pop()
        if model in done:
            continue
        done.add(model)
        for name, field in model.model_fields.items():
            assert name in keys(model).values(), f"{model.__name__}.{name} has no Chinese label"
            sub = sub_model(field.annotation)
            if sub is not None:
                stack.append(sub)


def problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as exc:
        load_content(root)
    return [str(p) for p in exc.value.problems]


def test_unknown_chinese_key_names_file_key_and_nearest_field(content_dir: Path) -> None:
    site = content_dir / SITE_FILE
    text = site.read_text(encoding="utf-8")
    site.write_text(text.replace("organiser:", "主办单价:", 1), encoding="utf-8")
    found = problems(content_dir)
    assert f"{site}:5: 主办单价: 未知字段 “主办单价”，最接近的字段是 “主办单位”（organiser）" in found
    assert f"{site}:4: organiser: 缺少必填字段" in found  # the field it was meant to be is still missing


def test_misspelt_nested_key_suggests_the_field_of_its_own_model(content_dir: Path) -> None:
    spot = content_dir / "lists" / "spot-checks.yaml"
    text = spot.read_text(encoding="utf-8")
    spot.write_text(text.replace("  classes:", "  clases:", 1), encoding="utf-8")
    found = problems(content_dir)
    assert any(p.startswith(f"{spot}:") and "credit_policy.clases: 未知字段 “clases”，最接近的字段是 “类别”（classes）" in p
               for p in found), found


def test_a_field_written_in_chinese_and_english_is_refused(content_dir: Path) -> None:
    site = content_dir / SITE_FILE
    site.write_text(site.read_text(encoding="utf-8") + "主办单位: 另一个单位\n", encoding="utf-8")
    assert any(p.endswith("主办单位: “主办单位” 与 “organiser” 是同一字段，只能写一次") for p in problems(content_dir))


def test_list_import_refuses_to_write_a_list_file_with_chinese_keys(content_dir: Path, tmp_path: Path) -> None:
    import csv
    import datetime as dt

    from enforcewatch.errors import InputError
    from enforcewatch.sitegen import listcolumns
    from enforcewatch.sitegen.listimport import plan_import
    from enforcewatch.sitegen.listyaml import write_plan

    to_chinese(content_dir)
    items = [i for i in load_content(content_dir).enforcement.items if i.department == "scjg"]
    sheet = tmp_path / "scjg.csv"
    with sheet.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["编号", "事项名称", "事项类别", "执法依据", "执法主体", "承办机构"])
        for n, i in enumerate(items):
            out.writerow([i.id, i.name, i.kind, listcolumns.format_laws(i.basis), i.body,
                          "食品安全监管科" if n == 0 else i.handling_unit])
    plan = plan_import(content_dir, "enforcement-items", "scjg", sheet, dt.date(2026, 12, 4))  # reads Chinese keys
    assert plan.count("调整") == 1
    path = content_dir / "lists" / "enforcement-items.yaml"
    before = path.read_text(encoding="utf-8")
    with pytest.raises(InputError, match="清单文件使用了中文键名"):
        write_plan(content_dir, plan, sheet.name)
    assert path.read_text(encoding="utf-8") == before
