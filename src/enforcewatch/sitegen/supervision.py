"""Models of the three supervision lists of seed 002 (issue 18), beside the first three in `catalog`:

- 重点监管清单 (seed 002 (四)): few, named matters of key supervision, each with the reason, the
  measures, and the units under key supervision *only* where a law requires naming them (the list
  of enterprises is otherwise operational data, lists-and-forms.md §5.1);
- 包容审慎监管清单 (seed 002 (五)): a sector or 四新 activity, its 留观期 from–to, and the soft
  measures in their published order (教育提醒、劝导示范、警示告诫、行政提示、行政指导、行政约谈);
- 抽查结果 (seed 002 (二) 抽查结果要依法及时公开): one entry per completed 双随机 task, with the
  number checked and the results by outcome, published within the period the office sets.

Every model forbids unknown keys, like those in `catalog`.
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field, model_validator

from enforcewatch.sitegen.catalog import DEFAULT_LENIENCY_MEASURES, Id, LawRef, ListItem, PublishedList, Text

# seed 002 (五): the soft measures, in the order they are to be tried (the leniency list's defaults).
PRUDENT_MEASURES = DEFAULT_LENIENCY_MEASURES
INNOVATION_KINDS = ("新技术", "新产业", "新业态", "新模式")  # 四新
# The outcomes a 双随机 result notice counts (国家企业信用信息公示系统 wording).
RESULT_OUTCOMES = ("未发现问题", "发现问题已责令改正", "发现问题已立案查处", "未按规定公示应当公示的信息",
                   "通过登记的住所（经营场所）无法联系", "不配合检查情节严重", "已移交相关部门", "其他")


class KeySupervisionItem(ListItem):
    matter: Text  # 重点监管事项
    area: Text  # 领域 (食品药品、安全生产…)
    reason: Text  # 纳入理由: the risk that makes it key
    measures: list[Text] = Field(min_length=1)  # 监管措施 (跟踪监管、直接指导…)
    basis: list[LawRef] = Field(min_length=1)  # 监管依据
    units: list[Text] = Field(default_factory=list)  # 重点监管单位: only where a law requires naming them
    units_basis: LawRef | None = None  # the law that requires naming them

    @model_validator(mode="after")
    def _units_need_a_law(self) -> KeySupervisionItem:
        if self.units and self.units_basis is None:
            raise ValueError("列出重点监管单位须填写 units_basis（要求公布其名单的法律依据）；否则不得公布单位名单")
        return self


class PrudentItem(ListItem):
    sector: Text  # 行业或领域
    activity: Text  # the 新技术/新产业/新业态/新模式 it concerns
    innovation: Text  # one of INNOVATION_KINDS
    observation_from: dt.date  # 留观期起
    observation_to: dt.date  # 留观期止
    measures: list[Text] = Field(min_length=1)  # soft measures, in PRUDENT_MEASURES order
    bottom_lines: list[Text] = Field(min_length=1)  # 不触碰质量和安全底线: where the 留观期 does not apply
    basis: list[LawRef] = Field(default_factory=list)
    # How a reported inspection is recognised as in this sector (for the 留观期 detection): list items
    # (enforcement or spot-check ids) and words of the inspected matter.
    matters: list[Id] = Field(default_factory=list)
    keywords: list[Text] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> PrudentItem:
        if self.innovation not in INNOVATION_KINDS:
            raise ValueError(f"innovation 应为 {'、'.join(INNOVATION_KINDS)} 之一")
        if self.observation_to < self.observation_from:
            raise ValueError("留观期止（observation_to）不能早于留观期起（observation_from）")
        unknown = [m for m in self.measures if m not in PRUDENT_MEASURES]
        if unknown:
            raise ValueError(f"未知的柔性措施 “{'、'.join(unknown)}”，可选：{'、'.join(PRUDENT_MEASURES)}")
        order = [PRUDENT_MEASURES.index(m) for m in self.measures]
        if order != sorted(set(order)):
            raise ValueError("measures 须按 " + "、".join(PRUDENT_MEASURES) + " 的顺序排列，且不重复")
        return self

    def in_observation(self, day: dt.date) -> bool:
        return self.observation_from <= day <= self.observation_to


class SpotCheckResult(ListItem):
    task: Text  # 抽查任务名称, e.g. 2026年度第001号抽查任务
    matter: Text  # 抽查事项 as published
    spot_check_items: list[Id] = Field(min_length=1)  # the spot-check list items the task drew
    completed: dt.date  # 检查完成日期
    published: dt.date  # 结果公示日期
    checked: int = Field(ge=1)  # 抽查户数
    results: dict[str, int] = Field(min_length=1)  # outcome → number of units
    link: str = ""  # the per-enterprise results on the 公示系统

    @model_validator(mode="after")
    def _check(self) -> SpotCheckResult:
        unknown = [k for k in self.results if k not in RESULT_OUTCOMES]
        if unknown:
            raise ValueError(f"未知的检查结果 “{'、'.join(unknown)}”，可选：{'、'.join(RESULT_OUTCOMES)}")
        if any(v < 0 for v in self.results.values()):
            raise ValueError("各检查结果的户数不能为负数")
        if sum(self.results.values()) != self.checked:
            raise ValueError(f"各检查结果户数之和（{sum(self.results.values())}）应等于抽查户数（{self.checked}）")
        if self.published < self.completed:
            raise ValueError("结果公示日期不能早于检查完成日期")
        if self.link and not self.link.startswith("https://"):
            raise ValueError("link 应为 https:// 开头的地址")
        return self


class KeySupervisionList(PublishedList[KeySupervisionItem]):
    pass


class PrudentList(PublishedList[PrudentItem]):
    pass


class SpotCheckResultList(PublishedList[SpotCheckResult]):
    publish_within_days: int = Field(default=30, ge=1)  # the office's period from completion to publication
