"""The audit log as staff read it: every action in Chinese, who, the district's name, Beijing time.

`ACTION_LABELS` covers every action the code records (tests/test_auditlabels.py finds each one in the
source and fails on an action without a label, or on an action that is not a plain string there).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

ACTION_LABELS = {
    # inspection plans and the channel to the points (issue 18)
    "plan_add": "备案检查计划", "plan_import": "导入检查计划", "plans_publish": "发布涉企检查计划", "plans": "查看检查计划",
    "notice_send": "向监测点发送通知", "notices": "查看通知", "suggestion_reply": "答复监测点意见建议",
    "suggestions": "查看意见建议",
    # 双随机 draws (issue 21): each step of the staff workflow
    "draws.open": "开启双随机抽取任务", "draws.commit": "提交抽取承诺值", "draws.reveal": "公开抽取秘密值",
    "draws.run": "执行双随机抽取", "draws.publish": "发布抽取记录", "draws.proof": "出具企业入选证明",
    # sign-in and downloads
    "login": "登录", "logout": "退出登录", "download": "下载数据",
    # points and flags
    "point_event": "记录监测点事项", "point_status": "确认监测点状态",
    "revocation_decision": "作出取消资格决定", "access_code_reissue": "重新发放访问码",
    # complaints
    "list_complaints": "查看投诉列表", "complaint_reply": "答复投诉",
    # casework
    "nomination": "提名监测点", "list_nominations": "查看提名列表", "nomination_check": "审查提名资格",
    "nomination_decision": "作出提名决定", "designation": "命名监测点",
    "verification_open": "发起报送核查", "list_verifications": "查看核查列表",
    "verification_request": "要求补充材料", "verification_outcome": "记录核查结论",
    "attachment_download": "下载核查附件", "transfer": "转交问题线索", "list_transfers": "查看转交列表",
    "transfer_progress": "记录转交办理情况", "commendation": "记录表扬", "list_commendations": "查看表扬列表",
    "timeline": "查看监测点案卷",
    # insights
    "scorecards": "查看执法单位评议数据", "inspections": "查看检查记录", "findings": "查看问题线索",
    "finding_transfer": "转交检测发现的问题", "publish_stats": "生成公开统计",
    # staff accounts (command line; enforcewatch.commands.staff)
    "staff_add_user": "新增工作人员账户", "staff_reset": "重置工作人员密码", "staff_disable": "停用工作人员账户",
    "staff_enable": "启用工作人员账户", "staff_totp": "设置动态验证码",
    # administration pages (enforcewatch.api.staff.admin_pages)
    "calendar_upload": "上传节假日安排", "points_import": "导入监测点名单",
}
OUTCOME_LABELS = {"ok": "成功", "denied": "被拒绝", "started": "开始", "incomplete": "未完成"}
CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def action_label(action: str) -> str:
    """The action in Chinese; an unknown one (an entry older than its label) is shown as recorded."""
    return ACTION_LABELS.get(action, action)


def beijing_time(stamp: str) -> str:
    """A stored UTC timestamp (`2026-03-09T02:00:00.000000Z`) as Beijing time, to the second."""
    moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


def entry_view(entry: Mapping[str, Any], district_names: Mapping[str, str]) -> dict[str, Any]:
    """One audit entry for a staff page: the stored fields plus `action_label`, `outcome_label`,
    `time` (Beijing) and `district_name` (when the entry names a district)."""
    details = entry.get("details") or {}
    district = details.get("district") if isinstance(details, Mapping) else None
    return {**entry, "action_label": action_label(str(entry.get("action", ""))),
            "outcome_label": OUTCOME_LABELS.get(str(entry.get("outcome", "")), entry.get("outcome")),
            "time": beijing_time(str(entry["at"])) if entry.get("at") else "",
            "district_name": district_names.get(district, district) if district else None}
