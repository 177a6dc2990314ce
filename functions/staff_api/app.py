"""Lambda entry point of the staff API (its own function and role: the public submit function
cannot read submissions). Settings and the table are built once, at cold start (with SnapStart,
its clients again after each restore: enforcewatch.store.snapstart)."""

import os

from mangum import Mangum

from enforcewatch.api.staff.app import create_staff_app
from enforcewatch.config import ENV_TOKEN_SECRET, Settings
from enforcewatch.store.dynamo import DynamoTable
from enforcewatch.store.snapstart import after_restore, renew_clients

settings = Settings.from_env(os.environ)
if not settings.token_secret:  # fail at cold start: a per-process key would sign users out at random
    raise RuntimeError(f"{ENV_TOKEN_SECRET} must be set for the staff API")
table = DynamoTable.from_settings(settings)
app = create_staff_app(settings, table)
handler = Mangum(app, lifespan="off")
# SnapStart: the table's and the downloads' S3 clients are built again after each restore.
after_restore(renew_clients(table, app.state.staff.downloads))
