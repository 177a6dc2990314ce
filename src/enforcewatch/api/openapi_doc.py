"""The OpenAPI description of an app, completed with what FastAPI cannot see.

The submission routes read their bodies themselves (JSON or a no-JS form post), so FastAPI knows
neither their request bodies nor the statuses they answer. This adds both: the pydantic models'
JSON schemas as request bodies, the success status actually used, and every error status in the
one error shape. Clients (and the schema-driven tests) then see the real contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

ERROR_STATUSES = ("400", "401", "403", "404", "405", "409", "413", "415", "422", "429", "500", "503")
ERROR_SCHEMA = {
    "type": "object", "required": ["ok", "status", "errors"],
    "properties": {
        "ok": {"const": False},
        "status": {"type": "integer"},
        "errors": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["loc", "msg"],
            "properties": {"loc": {"type": "array", "items": {"type": ["string", "integer"]}},
                           "msg": {"type": "string"}}}},
    },
}
# (method, path) -> (request model or a JSON schema, success status)
Bodies = Mapping[tuple[str, str], tuple[type[BaseModel] | dict[str, Any], str]]


def describe(app: FastAPI, bodies: Bodies) -> None:
    """Replace `app.openapi` with a generator that adds request bodies and error responses."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        doc = get_openapi(title=app.title, version=app.version, routes=app.routes)
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        schemas["Error"] = ERROR_SCHEMA
        error: dict[str, Any] = {"description": "错误（统一格式）", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Error"}}}}
        page = {"text/html": {"schema": {"type": "string"}}}  # a no-JS form post is answered with a page
        for path, ops in doc.get("paths", {}).items():
            for method, op in ops.items():
                responses = op.setdefault("responses", {})
                answer = error
                if (method, path) in bodies:
                    model, success = bodies[(method, path)]
                    op["requestBody"] = {"required": True, "content": {
                        "application/json": {"schema": _schema(model, schemas)},
                        "application/x-www-form-urlencoded": {"schema": {"type": "object"}}}}
                    ok = responses.pop("200", {"description": "成功"})
                    ok.setdefault("content", {}).update(page)
                    responses[success] = ok
                    answer = {**error, "content": {**error["content"], **page}}
                for status in ERROR_STATUSES:
                    responses[status] = answer  # FastAPI's own 422 shape is not what the handlers send
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]


def _schema(model: type[BaseModel] | dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    if isinstance(model, dict):
        return model
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}
