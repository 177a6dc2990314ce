"""Lambda entry point for public submissions: reports, complaints, receipt look-ups (issue #3).

Settings, the DynamoDB client and the app are built once per cold start and reused.
"""

import os

from mangum import Mangum

from enforcewatch.api.public.app import create_app
from enforcewatch.config import ENV_RECEIPT_SECRET, Settings
from enforcewatch.store.dynamo import DynamoTable

settings = Settings.from_env(os.environ)
if not settings.receipt_secret:  # fail at cold start: a per-process secret would turn retries into duplicates
    raise RuntimeError(f"{ENV_RECEIPT_SECRET} must be set for the submit function")
app = create_app(settings, DynamoTable.from_settings(settings))
handler = Mangum(app, lifespan="off")
