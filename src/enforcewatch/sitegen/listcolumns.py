"""The published lists as sheets: each list's columns (the data download's headers), the Chinese
names offices use for them, and how a cell's text becomes a field value and back.

One table serves three directions: a department's sheet read into the list (`lists import`), the
list written as a sheet (`/data/<list>.xlsx`, the CSV's columns), and Chinese labels accepted as
YAML keys in site/content/lists (`contentkeys`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from enforcewatch.tabular.reader import Column, Layout
from enforcewatch.tabular.values import fold

LAW = re.compile(r"《[^》]+》")
_PROVISION_START = re.compile(r"第[一二三四五六七八九十百千零〇两\d]+条")
_RATIO = re.compile(r"(基准|[A-Za-z0-9]+)\s*类?\s*(\d+(?:\.\d+)?)\s*%")
_JOINT = re.compile(r"^(?P<lead>.+?)牵头(?:[，,]\s*(?P<partners>.+?)参与)?$")


def split_list(text: str, seps: str = "、，,；;") -> list[str]:
    return [p.strip() for p in re.split(f"[{re.escape(seps)}\n]", text) if p.strip()]


def parse_laws(text: str) -> list[dict[str, Any]]:
    """《中华人民共和国食品安全法》第三十五条、第六十二条；《……条例》第十条 → [{law, provisions}, …].
    A law without 《》 is cut where its first 第…条 begins."""
    refs: list[dict[str, Any]] = []
    for part in split_list(text.replace("\n", "；"), "；;"):
        m = LAW.search(part)
        if m and m.start() == 0:
            law, rest = m.group(0), part[m.end():]
        elif m:
            raise ValueError(f"“{part}”：法律名称应写在开头")
        else:
            cut = _PROVISION_START.search(part)
            law, rest = (part[:cut.start()], part[cut.start():]) if cut and cut.start() > 0 else (part, "")
        provisions = split_list(rest, "、，,")
        refs.append({"law": law.strip(), "provisions": provisions})
    return refs


def format_laws(refs: list[Any]) -> str:
    return "；".join(str(r) for r in refs)


def parse_ratios(text: str) -> dict[str, float]:
    """基准3%；A类1%；B类3% → {"base": 3, "A": 1, "B": 3}."""
    folded = fold(text)
    found = _RATIO.findall(folded)
    if not found or _RATIO.sub("", folded).strip(" ；;，,、") != "":
        raise ValueError(f"抽查比例应写作“基准3%；A类1%；B类3%”，而不是“{text}”")
    return {("base" if k == "基准" else k.upper()): _number(v) for k, v in found}


def _number(text: str) -> float:
    value = float(text)
    return int(value) if value.is_integer() else value


def format_ratios(ratios: dict[str, float]) -> str:
    return "；".join(("基准" if k == "base" else f"{k}类") + f"{v:g}%" for k, v in ratios.items())


def parse_joint(text: str) -> dict[str, Any]:
    m = _JOINT.match(text.strip())
    if not m:
        raise ValueError(f"联合抽查应写作“某部门牵头，某部门、某部门参与”，而不是“{text}”")
    return {"lead": m["lead"].strip(), "partners": split_list(m["partners"] or "", "、，,")}


def format_joint(joint: Any) -> str:
    return f"{joint.lead}牵头，{'、'.join(joint.partners)}参与" if joint else ""


def _int(text: str) -> int:
    try:
        return int(float(fold(text)))
    except ValueError:
        raise ValueError(f"应为整数，而不是“{text}”") from None


# kind → (text to value, value to text)
KINDS: dict[str, tuple[Callable[[str], Any], Callable[[Any], str]]] = {
    "text": (str.strip, lambda v: v or ""),
    "int": (_int, lambda v: "" if v is None else str(v)),
    "laws": (parse_laws, format_laws),
    "names": (lambda t: split_list(t, "、，,；;"), lambda v: "、".join(v)),
    "clauses": (lambda t: split_list(t, "；;"), lambda v: "；".join(v)),  # conditions may hold 、
    "ratios": (parse_ratios, format_ratios),
    "joint": (parse_joint, format_joint),
}


@dataclass(frozen=True)
class ListColumn:
    field: str  # item field; "" for a column the import reads past (部门, 更新日期)
    label: str  # the data download's header
    kind: str = "text"
    aliases: tuple[str, ...] = ()
    required: bool = False  # needed for a new item


def _c(field: str, label: str, kind: str = "text", *aliases: str, required: bool = False) -> ListColumn:
    return ListColumn(field, label, kind, aliases, required)


HEAD = (_c("id", "编号", "text", "事项编号"), _c("department", "部门编号"), _c("", "部门", "text", "所属部门", "部门名称"),
        _c("seq", "序号", "int", "序"))
TAIL = (_c("", "更新日期", "text", "更新时间"), _c("notes", "备注", "text", "说明"))

COLUMNS: dict[str, tuple[ListColumn, ...]] = {
    "enforcement-items": (*HEAD,
        _c("name", "事项名称", "text", "执法事项名称", "权力事项名称", "职权名称", "名称", required=True),
        _c("kind", "事项类别", "text", "类别", "事项类型", "职权类别", "权力类型", required=True),
        _c("body", "执法主体", "text", "实施主体", "实施机关", required=True),
        _c("handling_unit", "承办机构", "text", "承办单位", "承办科室", "内设机构", required=True),
        _c("basis", "执法依据", "laws", "实施依据", "设定依据", "法律依据", "依据", required=True),
        _c("object", "实施对象", "text", "对象", "行政相对人"),
        _c("level", "行使层级", "text", "层级"),
        _c("supervision_phone", "监督电话", "text", "投诉电话", "监督投诉电话"),
        _c("status", "状态", "text", "事项状态"),
        *TAIL),
    "spot-checks": (*HEAD,
        _c("category", "抽查类别", "text", required=True),
        _c("item", "抽查事项", "text", "检查事项", "抽查事项名称", required=True),
        _c("content", "检查内容", "text", "抽查内容"),
        _c("objects", "检查对象", "text", "抽查对象", required=True),
        _c("item_class", "事项类别", "text", "类别", required=True),
        _c("methods", "检查方式", "names", "抽查方式", required=True),
        _c("body", "检查主体", "text", "实施主体", "检查机关", required=True),
        _c("basis", "检查依据", "laws", "抽查依据", "依据", required=True),
        _c("ratio_pct", "抽查比例", "ratios", "比例", required=True),
        _c("ratio_note", "比例说明"),
        _c("frequency", "抽查频次", "text", "频次", required=True),
        _c("joint", "联合抽查", "joint"),
        _c("level", "行使层级", "text", "层级"),
        *TAIL),
    "leniency": (*HEAD,
        _c("kind", "清单类别", "text", "类别", "清单类型", required=True),
        _c("area", "领域", "text", "执法领域"),
        _c("violation", "违法行为", "text", "违法行为名称", required=True),
        _c("violated", "违反的规定", "laws", "违法依据"),
        _c("penalty_basis", "处罚依据", "laws"),
        _c("conditions", "适用条件", "clauses", "适用情形", required=True),
        _c("leniency_basis", "适用依据", "text", "免罚依据", "不予处罚依据", required=True),
        _c("measures", "柔性执法措施", "names", "柔性措施", "执法措施", required=True),
        _c("degree", "从轻或减轻"),
        _c("outcome", "处理结果"),
        _c("body", "执法主体", "text", "实施主体", required=True),
        *TAIL),
}
NAME_FIELD = {"enforcement-items": "name", "spot-checks": "item", "leniency": "violation"}
TITLES = {"enforcement-items": "行政执法事项清单", "spot-checks": "随机抽查事项清单", "leniency": "“两轻一免”清单"}


def layout(key: str) -> Layout:
    """The sheet layout of a list: every column by its header and synonyms; unknown columns reported."""
    cols = []
    for i, col in enumerate(COLUMNS[key]):
        name = col.field or f"_skip{i}"
        cols.append(Column(name, col.label, col.aliases if col.field in ("", "department") else
                           (col.field, *col.aliases), required=col.field == NAME_FIELD[key]))
    return Layout(TITLES[key], tuple(cols), extras=(), strict=False)


def key_aliases(key: str) -> dict[str, str]:
    """Chinese label (and synonym) → field, for the items of one list file (none yet for the lists
    without a sheet layout: their items keep their English keys)."""
    out: dict[str, str] = {}
    for col in COLUMNS.get(key, ()):
        if col.field:
            for name in (col.label, *col.aliases):
                out.setdefault(name, col.field)
    return out
