"""Lambda entry point for public submissions: reports, complaints, receipt look-ups (issue #3).

Settings, the DynamoDB client and the app are built once per cold start and reused.
"""

import os

from mangum import Mangum

from enforcewatch.api.public_app import create_app
from enforcewatch.config import Settings
from enforcewatch.store.dynamo import DynamoTable

settings = Settings.from_env(os.environ)
app = create_app(settings, DynamoTable.from_settings(settings))
handler = Mangum(app, lifespan="off")
