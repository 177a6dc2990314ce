"""What the flag queue page adds to the queue itself (`staffing.flag_queue`, a page of points with
their flags and enterprise names, in the monitoring package): the states and steps offered in words."""

from __future__ import annotations

STATES = {"open": "待处理", "closed": "已关闭", "all": "全部"}
# The page's steps: each is one domain action (staffing): an event, a status, or a revocation decision.
STEPS = {"reminder": "记录已提醒", "revoke": "取消资格", "keep": "保留资格", "terminated": "确认终止",
         "withdrawn": "确认退出", "plaque_returned": "记录牌匾已收回"}
