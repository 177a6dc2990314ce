"""Lambda entry point for public submissions: reports, complaints, receipt look-ups (issue #3).

Settings, the DynamoDB client and the app are built once per cold start and reused (with
SnapStart, the client is built again after each restore: enforcewatch.store.snapstart).
"""

import os

from mangum import Mangum

from enforcewatch.api.public.app import create_app
from enforcewatch.config import ENV_RECEIPT_SECRET, Settings
from enforcewatch.store.dynamo import DynamoTable
from enforcewatch.store.snapstart import after_restore, renew_clients

settings = Settings.from_env(os.environ)
if not settings.receipt_secret:  # fail at cold start: a per-process secret would turn retries into duplicates
    raise RuntimeError(f"{ENV_RECEIPT_SECRET} must be set for the submit function")
table = DynamoTable.from_settings(settings)
app = create_app(settings, table)
after_restore(renew_clients(table))  # SnapStart: no client from the snapshot is reused
handler = Mangum(app, lifespan="off")
