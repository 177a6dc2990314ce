"""A department's sheet brought into a published list (`enforcewatch lists import`).

The sheet is read liberally (`enforcewatch.tabular.reader`), each row's cells become field values
(`listcolumns`: 实施依据 parsed into laws and provisions, 检查方式 split, 抽查比例 read), and each row is
matched to the department's existing item by its 编号 or else by its name, so ids and permalinks
stay stable. The plan says what changes (新增 / 调整 / 取消) before anything is written; every
problem names its sheet, row and column. Writing is `listyaml.write_plan`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from enforcewatch.errors import ImportRowsError, InputError, RowProblem
from enforcewatch.sitegen import listcolumns
from enforcewatch.sitegen.catalog import Department, SiteSettings
from enforcewatch.sitegen.content import ITEM_MODELS, load_list
from enforcewatch.tabular.reader import Sheet, read_sheet

LIST_ATTRS = {"enforcement-items": "enforcement", "spot-checks": "spot_checks", "leniency": "leniency"}
ID_INFIX = {"enforcement-items": "sx", "spot-checks": "cc", "leniency": "mf"}
CANCELLED = "已取消"
_EMPTY: dict[str, Any] = {"text": "", "int": None, "laws": [], "names": [], "clauses": [], "ratios": {}, "joint": None}


@dataclass
class Change:
    action: str  # 新增 / 调整 / 取消
    item_id: str
    name: str
    row: int | None = None  # the sheet row (None for an item the sheet no longer has)
    fields: list[str] = field(default_factory=list)  # 调整: the labels of the changed columns


@dataclass
class ListImportPlan:
    key: str
    department: Department
    sheet: Sheet
    today: dt.date
    changes: list[Change] = field(default_factory=list)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # item id → its fields after the import
    removed: list[str] = field(default_factory=list)  # ids deleted from the file
    # (id, department) of every item of the list as read, in file order: lets the writer find the
    # items in the text without parsing it again (listyaml checks each against its text).
    order: list[tuple[str, str]] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    def summary(self) -> str:
        return (f"{self.department.name}：新增 {self.count('新增')} 项，调整 {self.count('调整')} 项，"
                f"取消 {self.count('取消')} 项")


def plan_import(root: Path, key: str, dept_id: str, path: Path, today: dt.date, *, data: bytes | None = None,
                name: str | None = None) -> ListImportPlan:
    """What importing `path` into list `key` for department `dept_id` would change. Raises
    ImportRowsError with every problem, InputError for a file or department that cannot be used."""
    if key not in LIST_ATTRS:
        raise InputError(f"未知清单“{key}”，应为 {'、'.join(LIST_ATTRS)}")
    site, departments, listed = load_list(root, key)  # the other lists are not needed to plan
    department = next((d for d in departments if d.id == dept_id), None)
    if department is None:
        raise InputError(f"未知部门“{dept_id}”，应为 {'、'.join(d.id for d in departments)}")
    sheet = read_sheet(path, listcolumns.layout(key), data=data, name=name)
    plan = ListImportPlan(key, department, sheet, today, order=[(i.id, i.department) for i in listed.items])
    problems: list[RowProblem] = []
    _Matcher(plan, site, listed.items, problems).run()
    if problems:
        raise ImportRowsError(problems)
    return plan


class _Matcher:
    def __init__(self, plan: ListImportPlan, site: SiteSettings, items: list[Any], problems: list[RowProblem]) -> None:
        self.plan, self.problems = plan, problems
        self.key = plan.key
        self.model = ITEM_MODELS[plan.key]
        self.all_ids = {i.id for i in items}
        self.mine = [i for i in items if i.department == plan.department.id]
        self.allowed = _allowed(site, plan.key)
        self.columns = {c.field: c for c in listcolumns.COLUMNS[plan.key] if c.field}
        self.present = [f for f in plan.sheet.letters if f in self.columns]

    def run(self) -> None:
        plan, name_field = self.plan, listcolumns.NAME_FIELD[self.key]
        by_id = {i.id: i for i in self.mine}
        by_name = {_norm(getattr(i, name_field)): i for i in self.mine}
        used: dict[str, int] = {}
        for row in plan.sheet.rows:
            values = self._values(row.number, row.values)
            if values is None:
                continue
            existing = by_id.get(values.get("id", "")) or by_name.get(_norm(values.get(name_field, "")))
            if existing is not None and existing.id in used:
                self._bad(row.number, name_field, f"与第{used[existing.id]}行是同一事项")
                continue
            if existing is None and values.get("id") in self.all_ids:
                self._bad(row.number, "id", f"编号“{values['id']}”已被其他部门或事项使用")
                continue
            if existing is not None:
                used[existing.id] = row.number
            self._one(row.number, values, existing)
        for item in self.mine:
            if item.id not in used:
                self._cancel(item)

    def _values(self, number: int, texts: dict[str, str]) -> dict[str, Any] | None:
        values: dict[str, Any] = {}
        before = len(self.problems)
        for name in self.present:
            col, text = self.columns[name], texts.get(name, "").strip()
            if name == "department":
                if text and text != self.plan.department.id:
                    self._bad(number, name, f"该行属于部门“{text}”，本次导入的是“{self.plan.department.id}”")
                continue
            try:
                values[name] = listcolumns.KINDS[col.kind][0](text) if text else _EMPTY[col.kind]
            except ValueError as exc:
                self._bad(number, name, str(exc))
        for name, allowed in self.allowed.items():
            value = values.get(name)
            for one in value if isinstance(value, list) else [value]:
                if one and one not in allowed:
                    self._bad(number, name, f"未知取值“{one}”，可选：{'、'.join(allowed)}")
        return values if len(self.problems) == before else None

    def _one(self, number: int, values: dict[str, Any], existing: Any) -> None:
        plan = self.plan
        if existing is None:
            base: dict[str, Any] = {"id": values.get("id") or self._new_id(), "department": plan.department.id,
                                    "updated": plan.today}
            for col in self.columns.values():
                if col.required and not values.get(col.field):
                    self._bad(number, col.field, f"新增事项的“{col.label}”不能为空")
        else:
            base = existing.model_dump(mode="python", exclude_none=False)
        if values.get("supervision_phone") == plan.department.hotline and not base.get("supervision_phone"):
            values["supervision_phone"] = ""  # the download shows the department's hotline for an empty one
        # An existing item keeps its id, and its 序号: an office renumbers its rows after deleting one,
        # which is not a change to the items that follow.
        kept = ("id", "seq") if existing is not None else ()
        merged = {**base, **{k: v for k, v in values.items() if k not in kept}}
        merged["department"] = plan.department.id
        item = self._validate(number, merged)
        if item is None:
            return
        label = getattr(item, listcolumns.NAME_FIELD[self.key])
        if existing is None:
            plan.changes.append(Change("新增", item.id, label, number))
        else:
            changed = [self.columns[f].label for f in self.columns
                       if f != "id" and getattr(item, f, None) != getattr(existing, f, None)]
            if not changed:
                plan.values[item.id] = existing.model_dump(mode="python")
                return
            item = item.model_copy(update={"updated": plan.today})
            plan.changes.append(Change("调整", item.id, label, number, changed))
        self.all_ids.add(item.id)
        plan.values[item.id] = item.model_dump(mode="python")

    def _validate(self, number: int, merged: dict[str, Any]) -> Any:
        try:
            return self.model.model_validate(merged)
        except ValidationError as exc:
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else ""
                self._bad(number, name, _message(error))
            return None

    def _cancel(self, item: Any) -> None:
        label = getattr(item, listcolumns.NAME_FIELD[self.key])
        if self.key == "enforcement-items":
            if item.status == CANCELLED:
                self.plan.values[item.id] = item.model_dump(mode="python")
                return
            self.plan.values[item.id] = item.model_copy(update={
                "status": CANCELLED, "cancelled": self.plan.today, "updated": self.plan.today}).model_dump(mode="python")
        else:
            self.plan.removed.append(item.id)
        self.plan.changes.append(Change("取消", item.id, label))

    def _new_id(self) -> str:
        prefix = f"{self.plan.department.id}-{ID_INFIX[self.key]}-"
        n = 1
        while f"{prefix}{n:03d}" in self.all_ids:
            n += 1
        self.all_ids.add(f"{prefix}{n:03d}")
        return f"{prefix}{n:03d}"

    def _bad(self, number: int, name: str, message: str) -> None:
        self.problems.append(self.plan.sheet.problem(number, name, message))


def _allowed(site: SiteSettings, key: str) -> dict[str, list[str]]:
    enums = site.enumerations
    return {"enforcement-items": {"kind": enums.enforcement_kinds},
            "spot-checks": {"item_class": enums.spot_check_classes, "methods": enums.check_methods},
            "leniency": {"kind": enums.leniency_kinds, "measures": enums.leniency_measures}}[key]


def _norm(text: Any) -> str:
    return "".join(str(text).split())


def _message(error: Any) -> str:
    kinds = {"missing": "不能为空", "string_too_short": "不能为空", "too_short": "不能为空",
             "string_pattern_mismatch": "编号只能使用小写字母、数字和连字符"}
    return str(kinds.get(error["type"], error["msg"]))
