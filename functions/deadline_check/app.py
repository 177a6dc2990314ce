"""Lambda entry point for the daily job (issue #4): the deadline check of monitoring points, overdue
transfers and detection (enforcewatch.jobs.daily).

Run by the schedule; checks as of the event's day in China time, stores new flags and findings and,
when a topic is configured, publishes a per-district summary of counts (no enterprise names).
"""

import os

import boto3

from enforcewatch.clock import utc_now
from enforcewatch.config import Settings
from enforcewatch.jobs.daily import scheduled
from enforcewatch.store.dynamo import DynamoTable
from enforcewatch.store.snapstart import after_restore, renew_clients

settings = Settings.from_env(os.environ)
table = DynamoTable.from_settings(settings)
after_restore(renew_clients(table))  # SnapStart: no client from the snapshot is reused


def publish(subject: str, message: str) -> None:
    sns = boto3.client("sns", region_name=settings.region)
    sns.publish(TopicArn=settings.summary_topic_arn, Subject=subject, Message=message)


def handler(event, context):
    sender = publish if settings.summary_topic_arn else None
    return scheduled(table, settings.content_dir, event["time"], utc_now(), sender, settings.joint_window_days,
                     (settings.repeat_max_inspections, settings.repeat_window_days))
