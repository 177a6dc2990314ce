"""Chinese labels as content keys: every field of every content model may be written under its
Chinese label (标题 for title, 承办机构 for handling_unit, 信用风险分类 for credit_policy), in
site.yaml, departments.yaml, every list file and the pages' front matter.

`KEYS` holds one table per model (Chinese label → field), the only place a model's labels are
kept: the list items' tables are the sheets' columns (`listcolumns.COLUMNS`), the column-label
models' are their own defaults (事项名称 for EnforcementLabels.name). A model inherits the tables of
the models it extends. `to_english` renames a file's keys to the fields, model by model, before
validation; `closest` suggests the field an unknown key was probably meant to be.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from enforcewatch.sitegen import catalog as c
from enforcewatch.sitegen import supervision as s
from enforcewatch.sitegen.listcolumns import TITLES, key_aliases

SITE_KEYS = {"标题": "title", "网站名称": "title", "主办单位": "organiser", "承办单位": "operator",
             "ICP备案编号": "icp_number", "ICP备案号": "icp_number", "ICP备案链接": "icp_url",
             "公安机关备案号": "psb_number", "公网安备号": "psb_number", "公安机关备案链接": "psb_url",
             "网站标识码": "site_code", "投诉电话": "complaint_phone", "投诉邮箱": "complaint_mailbox",
             "地址": "address", "接口地址": "api_base", "网站地址": "site_url", "版权信息": "copyright",
             "演示数据": "sample", "取值范围": "enumerations", "栏目名称": "labels"}
ENUMERATION_KEYS = {"执法事项类别": "enforcement_kinds", "清单类别": "leniency_kinds",
                    "柔性执法措施": "leniency_measures", "抽查事项类别": "spot_check_classes", "检查方式": "check_methods"}
LAW_KEYS = {"法律": "law", "法律名称": "law", "法规": "law", "条款": "provisions", "条文": "provisions"}
META_KEYS = {"标题": "title", "清单名称": "title", "版本": "version", "索引号": "index_no", "发布机构": "publisher",
             "发布日期": "published", "有效性": "validity", "说明": "intro", "调整记录": "changelog",
             "变更记录": "changelog"}
CHANGE_KEYS = {"日期": "date", "类型": "action", "调整类型": "action", "事项": "items", "事项编号": "items",
               "原因": "reason", "理由": "reason"}
DEPARTMENT_KEYS = {"编号": "id", "部门编号": "id", "名称": "name", "部门名称": "name", "执法主体": "body",
                   "监督电话": "hotline", "热线": "hotline"}
ITEM_KEYS = {"编号": "id", "部门编号": "department", "序号": "seq", "执法主体": "body", "更新日期": "updated",
             "备注": "notes"}
LIST_KEYS = {"清单信息": "meta", "事项": "items", "清单事项": "items"}

KEYS: dict[type[BaseModel], Mapping[str, str]] = {
    c.SiteSettings: SITE_KEYS,
    c.Enumerations: ENUMERATION_KEYS,
    c.ColumnLabels: {**{str(f.default): n for n, f in c.ColumnLabels.model_fields.items() if isinstance(f.default, str)},
                     TITLES["enforcement-items"]: "enforcement_items", TITLES["spot-checks"]: "spot_checks",
                     TITLES["leniency"]: "leniency"},
    **{m: {str(f.default): n for n, f in m.model_fields.items()}
       for m in (c.EnforcementLabels, c.SpotCheckLabels, c.LeniencyLabels)},
    c.Department: DEPARTMENT_KEYS,
    c.LawRef: LAW_KEYS,
    c.ChangeEntry: CHANGE_KEYS,
    c.ListMeta: META_KEYS,
    c.ListItem: ITEM_KEYS,
    c.EnforcementItem: {**key_aliases("enforcement-items"), "取消日期": "cancelled"},
    c.SpotCheckItem: {**key_aliases("spot-checks"), "每年抽查次数": "per_year", "每年最多抽查次数": "max_per_year"},
    c.LeniencyEntry: key_aliases("leniency"),
    c.JointCheck: {"牵头部门": "lead", "参与部门": "partners"},
    c.CreditClass: {"类别代码": "code", "代码": "code", "类别名称": "name", "名称": "name", "规则": "rule"},
    c.CreditPolicy: {"依据": "source", "类别": "classes", "信用风险类别": "classes", "兜底规则": "fallback"},
    c.Adjustment: {"编号": "id", "依据": "source", "规则": "rule", "效果": "effect"},
    c.EnforcementList: LIST_KEYS,
    c.SpotCheckList: {**LIST_KEYS, "结果公示": "results_publication", "信用风险分类": "credit_policy",
                      "比例调整": "adjustments"},
    c.LeniencyList: {**LIST_KEYS, "法律依据": "legal_basis", "术语": "definitions", "不适用情形": "exclusions"},
    c.PageMeta: {"标题": "title", "描述": "description", "排序": "order", "导航": "nav", "在导航中显示": "nav",
                 "更新日期": "updated"},
    s.KeySupervisionItem: {"重点监管事项": "matter", "领域": "area", "纳入理由": "reason", "监管措施": "measures",
                           "监管依据": "basis", "重点监管单位": "units", "重点监管单位依据": "units_basis"},
    s.PrudentItem: {"行业或领域": "sector", "活动": "activity", "四新类别": "innovation", "留观期起": "observation_from",
                    "留观期止": "observation_to", "柔性监管措施": "measures", "底线要求": "bottom_lines",
                    "依据": "basis", "相关事项": "matters", "关键词": "keywords"},
    s.SpotCheckResult: {"抽查任务": "task", "抽查任务名称": "task", "抽查事项": "matter",
                        "抽查事项编号": "spot_check_items", "检查完成日期": "completed", "结果公示日期": "published",
                        "抽查户数": "checked", "检查结果": "results", "结果链接": "link"},
    s.KeySupervisionList: LIST_KEYS,
    s.PrudentList: LIST_KEYS,
    s.SpotCheckResultList: {**LIST_KEYS, "公示期限天数": "publish_within_days"},
}


def all_labels(model: type[BaseModel]) -> set[str]:
    """Every Chinese label a file for `model` may use, at any depth."""
    out: set[str] = set()
    stack, seen = [model], set()
    while stack:
        one = stack.pop()
        if one in seen:
            continue
        seen.add(one)
        table, subs = _tables(one)
        out.update(table)
        stack.extend(subs.values())
    return out


def keys(model: type[BaseModel]) -> dict[str, str]:
    """The model's Chinese label → field table, with those of the models it extends (its own win)."""
    return _tables(model)[0]


def sub_model(annotation: Any) -> type[BaseModel] | None:
    """The content model a field holds (itself, in a list, or optional), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = sub_model(arg)
            if found is not None:
                return found
    return None


_CACHE: dict[type[BaseModel], tuple[dict[str, str], dict[str, type[BaseModel]]]] = {}


def _tables(model: type[BaseModel]) -> tuple[dict[str, str], dict[str, type[BaseModel]]]:
    """(label → field, field → the model it holds), worked out once per model."""
    if model not in _CACHE:
        table: dict[str, str] = {}
        for base in reversed(model.__mro__):
            table.update(KEYS.get(base, {}))
        subs = {name: sub for name, f in model.model_fields.items() if (sub := sub_model(f.annotation)) is not None}
        _CACHE[model] = (table, subs)
    return _CACHE[model]


def to_english(model: type[BaseModel], data: Any) -> Any:
    """`data` (a mapping for `model`, or a list of them) with every Chinese key renamed to its
    field, at every depth. A key written twice (in Chinese and in English) is left as it is, so
    validation names it. Renames in place (keeping the loader's line numbers) and returns `data`."""
    if isinstance(data, list):
        for one in data:
            to_english(model, one)
        return data
    if not isinstance(data, dict):
        return data
    table, subs = _tables(model)
    _rename(data, table)
    for name, sub in subs.items():
        value = data.get(name)
        if isinstance(value, (dict, list)):
            to_english(sub, value)
    return data


def _rename(mapping: dict[Any, Any], aliases: Mapping[str, str]) -> None:
    if not any(isinstance(k, str) and k in aliases for k in mapping):
        return
    lines = getattr(mapping, "key_lines", None)
    entries = list(mapping.items())
    mapping.clear()
    present = {k for k, _ in entries}
    for k, v in entries:
        new = aliases.get(k, k) if isinstance(k, str) and aliases.get(k) not in present else k
        mapping[new] = v
        if lines is not None and new != k:
            lines[new] = lines.pop(k)


def model_at(model: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model that holds the last key of a validation error's location."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        current = _tables(current)[1].get(part)
    return current


def label(model: type[BaseModel], field: str) -> str:
    """A field's Chinese label: the first one its table gives it (the site's / the sheet's name)."""
    return next((zh for zh, en in keys(model).items() if en == field), field)


def closest(model: type[BaseModel], key: str) -> str:
    """“标题”（title）: the field, in Chinese and English, whose name is nearest to `key`."""
    fields = list(model.model_fields)
    if not fields:
        return ""
    names = {**{f: f for f in fields}, **keys(model)}
    scored = max(names, key=lambda n: (difflib.SequenceMatcher(None, key.lower(), n.lower()).ratio(), -len(n)))
    field = names[scored]
    return f"“{label(model, field)}”（{field}）"


def unknown_key(model: type[BaseModel], loc: Sequence[str | int]) -> str:
    """未知字段 “标体”，最接近的字段是 “标题”（title）: for a validation error at `loc` in `model`."""
    key = str(loc[-1]) if loc else ""
    holder = model_at(model, loc[:-1])
    if holder is not None and key in keys(holder):  # its field is written under the English name too
        return f"“{key}” 与 “{keys(holder)[key]}” 是同一字段，只能写一次"
    near = closest(holder, key) if holder is not None else ""
    return f"未知字段 “{key}”" + (f"，最接近的字段是 {near}" if near else "（是否拼写错误？）")
