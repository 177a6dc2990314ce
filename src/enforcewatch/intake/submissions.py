"""What the two public submissions share: their vocabulary, China time, and Chinese field messages.

The enumerations are data (SPEC "Submissions"; reference lists-and-forms §7): the forms, the
validation and the exports all read them from `VOCABULARY`, so an office changes a label in one place.
Pydantic errors are turned into `FieldError`s whose message names the field in Chinese.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar, get_args, get_origin

from pydantic import BaseModel, ValidationError

from enforcewatch.errors import FieldError, InputError

M = TypeVar("M", bound=BaseModel)

# seed 000 §七, seed 002 二(九), SPEC "Submissions"; lists-and-forms §7.1-7.3.
VOCABULARY: dict[str, tuple[str, ...]] = {
    "inspection_type": ("双随机抽查", "专项检查", "投诉举报核查", "上级交办", "日常巡查", "其他"),
    "credentials_shown": ("是", "否", "部分人员"),
    "yes_no_unknown": ("是", "否", "不清楚"),
    "outcome": ("无问题", "责令整改", "行政处罚", "其他"),
    "misconduct": (
        "重复检查", "多头检查", "选择性检查", "随意突击检查", "一刀切", "未出示证件", "未扫码/未备案",
        "无通知入企", "吃拿卡要", "指定中介服务", "干扰正常生产经营", "打击报复", "非执法人员实施检查", "其他",
    ),
    "satisfaction": ("非常满意", "满意", "基本满意", "不满意", "非常不满意"),
    "complainant_type": ("企业", "个体工商户", "其他组织", "个人", "匿名"),
    "complaint_category": (
        "不作为", "乱作为", "一刀切", "重复检查", "选择性检查", "吃拿卡要", "打击报复", "未出示执法证件", "其他",
    ),
}
DISSATISFIED = ("不满意", "非常不满意")

_MESSAGES = {
    "missing": "必填",
    "string_too_short": "至少填写{min_length}个字",
    "string_too_long": "不能超过{max_length}个字",
    "too_short": "至少需要{min_length}项",
    "too_long": "最多{max_length}项",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "greater_than_equal": "不能小于{ge}",
    "less_than_equal": "不能大于{le}",
    "date_parsing": "日期格式应为 年-月-日，如 2026-03-15",
    "date_from_datetime_parsing": "日期格式应为 年-月-日，如 2026-03-15",
    "date_type": "日期格式应为 年-月-日，如 2026-03-15",
    "bool_parsing": "应为是或否",
    "bool_type": "应为是或否",
    "string_type": "应为文字",
    "list_type": "应为列表",
    "model_type": "格式不正确",
    "dict_type": "格式不正确",
    "model_attributes_type": "格式不正确",
    "extra_forbidden": "不是本表的字段",
    "string_pattern_mismatch": "格式不正确",
    "literal_error": "请从给定选项中选择",
    "enum": "请从给定选项中选择",
}


def fingerprint(data: Any) -> str:
    """A stable hash of validated input: a retry with the same body has the same fingerprint."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def choice_schema(kind: str, *, many: bool = False, optional: bool = False) -> Callable[[dict[str, Any]], None]:
    """`json_schema_extra` for a choice field: the enum of VOCABULARY[kind], read when the schema is
    made (so the OpenAPI document lists exactly what `choice` accepts)."""

    def extra(schema: dict[str, Any]) -> None:
        options: list[Any] = list(VOCABULARY[kind])
        if many:
            schema["items"] = {"type": "string", "enum": options}
        else:
            schema["enum"] = [*options, None] if optional else options

    return extra


def choice(kind: str, value: str) -> str:
    """Validator body: `value` must be one of VOCABULARY[kind]."""
    if value not in VOCABULARY[kind]:
        raise ValueError("请从给定选项中选择：" + "、".join(VOCABULARY[kind]))
    return value


def _label_path(model: type[BaseModel], loc: tuple[str | int, ...]) -> str:
    """The Chinese name of the field at `loc`, e.g. "检查记录（第2条）·检查日期"."""
    parts: list[str] = []
    current: Any = model
    for step in loc:
        if isinstance(step, int):
            if parts:
                parts[-1] += f"（第{step + 1}条）"
            continue
        fields = getattr(current, "model_fields", None) or {}
        info = fields.get(step)
        parts.append((info.title if info else None) or str(step))
        current = _inner_model(info.annotation) if info else None
    return "·".join(parts)


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation) if get_origin(annotation) else ():
        inner = _inner_model(arg)
        if inner is not None:
            return inner
    return None


def _message(err: Any) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    template = _MESSAGES.get(kind, "格式不正确")
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def field_errors(model: type[BaseModel], exc: ValidationError) -> list[FieldError]:
    """Chinese, field-naming messages for every problem pydantic found (not only the first)."""
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        label = _label_path(model, loc) if loc else "提交内容"
        out.append(FieldError(loc=loc, msg=f"{label}：{_message(err)}"))
    return out


def parse(model: type[M], data: Any) -> M:
    """Validate `data` as `model`, raising InputError with every field's problem in Chinese."""
    if not isinstance(data, dict):
        raise InputError("提交内容格式不正确", [FieldError(loc=(), msg="提交内容应为表单或 JSON 对象")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError("请按提示修改后重新提交", field_errors(model, exc)) from None
