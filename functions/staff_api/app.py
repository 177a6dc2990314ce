"""Lambda entry point of the staff API (its own function and role: the public submit function
cannot read submissions). Settings and the table are built once, at cold start."""

import os

from mangum import Mangum

from enforcewatch.api.staff.app import create_staff_app
from enforcewatch.config import ENV_TOKEN_SECRET, Settings
from enforcewatch.store.dynamo import DynamoTable

settings = Settings.from_env(os.environ)
if not settings.token_secret:  # fail at cold start: a per-process key would sign users out at random
    raise RuntimeError(f"{ENV_TOKEN_SECRET} must be set for the staff API")
handler = Mangum(create_staff_app(settings, DynamoTable.from_settings(settings)), lifespan="off")
