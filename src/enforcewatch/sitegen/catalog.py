"""Models of the public content: site settings, departments and the three published lists.

Every model forbids unknown keys, so a misspelt YAML key is an error, not a silently ignored field.
These models hold only what the office publishes: nothing from the registry of monitoring points
or from submissions can be carried by them (SPEC "Confidential, never published").
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# An id is the item's permalink: lower-case letters, digits and hyphens, so it can never escape
# the output directory or collide with a differently-cased twin on a case-insensitive disk.
ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,79}$"
ID_RE = re.compile(ID_PATTERN)

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# SPEC's ten kinds plus those real lists also use (lists-and-forms.md §0.3).
DEFAULT_ENFORCEMENT_KINDS = (
    "行政许可", "行政处罚", "行政强制", "行政检查", "行政征收", "行政给付", "行政确认",
    "行政裁决", "行政奖励", "行政征用", "行政收费", "行政备案", "其他",
)
DEFAULT_LENIENCY_KINDS = ("不予处罚", "首违不罚", "从轻或减轻处罚", "免予行政强制")
# seed 002 §(五): the soft measures used instead of a penalty.
DEFAULT_LENIENCY_MEASURES = ("教育提醒", "劝导示范", "警示告诫", "行政提示", "行政指导", "行政约谈")
# lists-and-forms.md §0.2: 事项类别 is 重点/一般; 抽查类别 is a free thematic group.
DEFAULT_SPOT_CHECK_CLASSES = ("重点检查事项", "一般检查事项")
DEFAULT_CHECK_METHODS = ("现场检查", "书面检查", "网络检查", "网络监测", "实地核查", "其他")


def _defaults(values: tuple[str, ...]) -> Any:
    """A list field that starts as a fresh copy of `values`."""
    return Field(default_factory=lambda: list(values))


class Enumerations(Model):
    """Values the office may configure in site.yaml; content is checked against them."""

    enforcement_kinds: list[Text] = _defaults(DEFAULT_ENFORCEMENT_KINDS)
    leniency_kinds: list[Text] = _defaults(DEFAULT_LENIENCY_KINDS)
    leniency_measures: list[Text] = _defaults(DEFAULT_LENIENCY_MEASURES)
    spot_check_classes: list[Text] = _defaults(DEFAULT_SPOT_CHECK_CLASSES)
    check_methods: list[Text] = _defaults(DEFAULT_CHECK_METHODS)


class EnforcementLabels(Model):
    """Column and field labels of the enforcement-item list (行政执法事项清单)."""

    name: Text = "事项名称"
    kind: Text = "事项类别"
    body: Text = "执法主体"
    handling_unit: Text = "承办机构"
    basis: Text = "执法依据"
    object: Text = "实施对象"
    level: Text = "行使层级"
    supervision_phone: Text = "监督电话"
    status: Text = "状态"


class SpotCheckLabels(Model):
    """Column and field labels of the spot-check list (随机抽查事项清单)."""

    category: Text = "抽查类别"
    item: Text = "抽查事项"
    item_class: Text = "事项类别"
    content: Text = "检查内容"
    objects: Text = "检查对象"
    body: Text = "检查主体"
    methods: Text = "检查方式"
    basis: Text = "检查依据"
    ratio: Text = "抽查比例"
    frequency: Text = "抽查频次"
    joint: Text = "联合抽查"
    level: Text = "行使层级"


class LeniencyLabels(Model):
    """Column and field labels of the leniency list (“两轻一免”清单)."""

    kind: Text = "清单类别"
    area: Text = "领域"
    violation: Text = "违法行为"
    violated: Text = "违反的规定"
    penalty_basis: Text = "处罚依据"
    conditions: Text = "适用条件"
    leniency_basis: Text = "适用依据"
    measures: Text = "柔性执法措施"
    outcome: Text = "处理结果"
    body: Text = "执法主体"


class ColumnLabels(Model):
    """The labels the pages use for list columns and item fields, so an office can use its own
    names for the same fields (site.yaml `labels`). The data downloads keep fixed headers."""

    seq: Text = "序号"
    department: Text = "所属部门"
    id: Text = "编号"
    updated: Text = "更新日期"
    notes: Text = "备注"
    enforcement_items: EnforcementLabels = Field(default_factory=EnforcementLabels)
    spot_checks: SpotCheckLabels = Field(default_factory=SpotCheckLabels)
    leniency: LeniencyLabels = Field(default_factory=LeniencyLabels)


class SiteSettings(Model):
    """site/content/site.yaml: what every page shows, including the government footer."""

    title: Text
    organiser: Text  # 主办单位
    operator: str = ""  # 承办单位 (optional)
    icp_number: str = ""  # ICP备案编号, linked to the MIIT filing site
    icp_url: str = "https://beian.miit.gov.cn/"
    psb_number: str = ""  # 公安机关备案号
    psb_url: str = ""  # optional link to the public-security filing record
    site_code: str = ""  # 网站标识码
    complaint_phone: str = ""
    complaint_mailbox: str = ""
    address: str = ""
    api_base: str = ""  # empty: forms post to /api/... on the same origin
    site_url: str = ""  # absolute base for sitemap.xml, e.g. https://example.gov.cn
    copyright: str = ""
    sample: bool = False  # True: pages say the content is demonstration data
    enumerations: Enumerations = Field(default_factory=Enumerations)
    labels: ColumnLabels = Field(default_factory=ColumnLabels)


class Department(Model):
    id: Id
    name: Text
    body: Text  # the enforcement body's full legal name (执法主体)
    hotline: str = ""


class LawRef(Model):
    """One law and the articles of it relied on, e.g. 《食品安全法》第三十五条."""

    law: Text
    provisions: list[Text] = Field(default_factory=list)

    def __str__(self) -> str:
        return self.law + "、".join(self.provisions)


class ChangeEntry(Model):
    """One entry of the list's change log (动态管理: 新增 / 调整 / 取消)."""

    date: dt.date
    action: Text
    items: list[str] = Field(default_factory=list)
    reason: str = ""


class ListMeta(Model):
    """The metadata block a government list page carries (lists-and-forms.md §6.3)."""

    title: Text
    version: str = ""
    index_no: str = ""  # 索引号
    publisher: Text  # 发布机构
    published: dt.date
    validity: str = "有效"
    intro: str = ""  # Markdown shown above the table
    changelog: list[ChangeEntry] = Field(default_factory=list)


class ListItem(Model):
    """Fields every published item has: its permalink, its department, when it last changed."""

    id: Id
    department: Id
    seq: int | None = None
    body: Text  # 执法主体 / 检查主体
    updated: dt.date
    notes: str = ""


class EnforcementItem(ListItem):
    name: Text  # 事项名称
    kind: Text  # 事项类别: one of Enumerations.enforcement_kinds
    handling_unit: Text  # 承办机构
    basis: list[LawRef] = Field(min_length=1)  # 执法依据
    object: str = ""  # 实施对象
    level: str = ""  # 行使层级
    supervision_phone: str = ""
    status: str = "有效"
    cancelled: dt.date | None = None


class JointCheck(Model):
    lead: Text
    partners: list[Text] = Field(default_factory=list)


class SpotCheckItem(ListItem):
    category: Text  # 抽查类别 (thematic group)
    item: Text  # 抽查事项
    content: str = ""  # 检查内容
    objects: Text  # 检查对象
    item_class: Text  # 事项类别: 重点检查事项 / 一般检查事项
    methods: list[Text] = Field(min_length=1)
    basis: list[LawRef] = Field(min_length=1)
    # Percent of the object directory drawn per year: base, and per credit class (A..D).
    ratio_pct: dict[str, float] = Field(min_length=1)
    ratio_note: str = ""
    frequency: Text
    per_year: int | None = None
    max_per_year: int | None = None
    joint: JointCheck | None = None
    level: str = ""


class LeniencyEntry(ListItem):
    kind: Text  # one of Enumerations.leniency_kinds
    area: str = ""
    violation: Text
    violated: list[LawRef] = Field(default_factory=list)  # the rule broken
    penalty_basis: list[LawRef] = Field(default_factory=list)  # the penalty provision
    conditions: list[Text] = Field(min_length=1)
    leniency_basis: Text
    measures: list[Text] = Field(min_length=1)
    degree: str = ""  # 从轻 / 减轻
    outcome: str = ""


class CreditClass(Model):
    code: Text
    name: Text
    rule: Text


class CreditPolicy(Model):
    """How the spot-check ratio depends on credit risk (seed 002 §(二)(三)). Only the rule is
    published; an enterprise's class never is."""

    source: str = ""
    classes: list[CreditClass] = Field(min_length=1)
    fallback: str = ""


class Adjustment(Model):
    """A published rule that moves the ratio, e.g. commended monitoring points (seed 000 §五)."""

    id: Id
    source: str = ""
    rule: Text
    effect: Text


ItemT = TypeVar("ItemT", bound=ListItem)


class PublishedList(Model, Generic[ItemT]):
    """A list file as published: its metadata block and its items (one definition for all six lists;
    the problems of a file are sorted, so field order does not change what is reported)."""

    meta: ListMeta
    items: list[ItemT]


class EnforcementList(PublishedList[EnforcementItem]):
    pass


class SpotCheckList(PublishedList[SpotCheckItem]):
    results_publication: str = ""
    credit_policy: CreditPolicy
    adjustments: list[Adjustment] = Field(default_factory=list)


class LeniencyList(PublishedList[LeniencyEntry]):
    legal_basis: dict[str, str] = Field(default_factory=dict)
    definitions: dict[str, str] = Field(default_factory=dict)
    exclusions: list[Text] = Field(default_factory=list)  # seed 002 §(六): said on the page


class PageMeta(Model):
    """Front matter of a Markdown page under site/content/pages/."""

    title: Text
    description: str = ""
    order: int = 100  # position in the navigation; lower first
    nav: bool = True
    updated: dt.date | None = None
