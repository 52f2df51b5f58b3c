"""The OpenAPI document as a website's developer needs it: the bearer key as a security
scheme, and every refusal as the RFC 9457 problem document it really is (FastAPI's default
describes only its own validation error shape, which this API never sends)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details; `type` names the refusal",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "examples": ["seats-unavailable"]},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "seats": {"type": "array", "items": {"type": "string"},
                  "description": "seats-unavailable: the seats that were taken"},
        "reason": {"type": "string", "description": "coupon-invalid: why"},
        "incident": {"type": "string", "description": "internal-error: quote it"},
    },
}
PROBLEM = {"description": "A refusal (application/problem+json)",
           "content": {"application/problem+json": {
               "schema": {"$ref": "#/components/schemas/Problem"}}}}
PUBLIC = {"/api/v1/health", "/api/v1/cities", "/api/v1/theaters", "/api/v1/movies",
          "/api/v1/movies/{movie_id}/shows", "/api/v1/shows/{show_id}"}


def install(app: FastAPI) -> None:
    def document() -> dict:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version,
                                 description=app.description, routes=app.routes)
            components = schema.setdefault("components", {})
            components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
            components["securitySchemes"] = {"channelKey": {
                "type": "http", "scheme": "bearer",
                "description": "A channel's key: bmstui channel add NAME"}}
            for path, operations in schema.get("paths", {}).items():
                for operation in operations.values():
                    responses = operation.setdefault("responses", {})
                    responses.pop("422", None)  # FastAPI's shape; ours is a problem
                    responses["default"] = PROBLEM
                    if path not in PUBLIC:
                        operation["security"] = [{"channelKey": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = document
