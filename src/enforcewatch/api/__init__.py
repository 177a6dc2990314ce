"""HTTP adapters: the public app (`enforcewatch.api.public.app.create_app`, the submit function) and
the staff app (`enforcewatch.api.staff.app.create_staff_app`, its own function).

Importing a submodule runs this file first, so it imports nothing: the staff function must not pay
for the public routers, nor the submit function for the staff ones. `create_app` and the body limit
are still reachable here, loaded when first asked for.
"""

from __future__ import annotations

from typing import Any

_PUBLIC_APP = ("BodyLimit", "MAX_BODY", "TOO_LARGE", "create_app")


def __getattr__(name: str) -> Any:
    if name in _PUBLIC_APP:
        # cold start: the public app loads only when asked for (see above)
        from enforcewatch.api.public import app as public_app

        return getattr(public_app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
