"""Route groups imported on the first request that reaches them, not at cold start.

FastAPI analyses every endpoint's parameters when its module is imported; the casework, insight,
draw, plan and channel routes, with the domain modules behind them, were a third of the staff
function's cold import beyond an empty FastAPI app (bench/bench_import.py), yet a session starts
with the pages or sign-in. `LazyRoutes` stands in the app's route list where the group's router
was included: it matches nothing outside the group's path prefix, and on the first request
inside it imports the module, includes its router (as `include_router` would have) and from
then on hands each request to the matching route. tests/functions/test_cold_start.py checks
that the groups stay out of a cold start; the API tests reach every route through it.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

ROUTE_KEY = "enforcewatch.lazy_route"  # the matched route, passed from `matches` to `handle` in the scope


class LazyRoutes(BaseRoute):
    def __init__(self, app: FastAPI, module: str, prefix: str | tuple[str, ...]) -> None:
        self.app, self.module, self.prefix = app, module, prefix
        self._routes: Sequence[BaseRoute] | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._routes is not None

    def routes(self) -> Sequence[BaseRoute]:
        """The group's routes, importing its module the first time."""
        with self._lock:
            if self._routes is None:
                # cold start: the group's module (and FastAPI's analysis of its endpoints) waits for its first request
                router = importlib.import_module(self.module).router
                holder = APIRouter()
                holder.include_router(router)
                for route in holder.routes:  # as the app's own include_router sets it (dependency overrides)
                    if hasattr(route, "dependency_overrides_provider"):
                        route.dependency_overrides_provider = self.app
                self._routes = list(holder.routes)
            return self._routes

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or not get_route_path(scope).startswith(self.prefix):
            return Match.NONE, {}
        partial: tuple[Scope, BaseRoute] | None = None
        for route in self.routes():
            match, child = route.matches(scope)
            if match is Match.FULL:
                return match, {**child, ROUTE_KEY: route}
            if match is Match.PARTIAL and partial is None:
                partial = child, route
        if partial is not None:
            return Match.PARTIAL, {**partial[0], ROUTE_KEY: partial[1]}
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = scope.pop(ROUTE_KEY)
        scope["route"] = route
        await route.handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        for route in self.routes():
            try:
                return route.url_path_for(name, **path_params)
            except NoMatchFound:
                continue
        raise NoMatchFound(name, path_params)


def include_lazily(app: FastAPI, module: str, prefix: str | tuple[str, ...]) -> LazyRoutes:
    """Add the router of `module` (all of whose paths start with `prefix`, or one of them) to `app` on its
    first request."""
    lazy = LazyRoutes(app, module, prefix)
    app.router.routes.append(lazy)
    return lazy
