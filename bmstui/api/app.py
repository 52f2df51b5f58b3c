"""The FastAPI application: routes under /api/v1, refusals as problem documents.

Routes are plain ``def`` functions: FastAPI runs them on its thread pool, where the services'
blocking database calls belong (the event loop only parses and writes HTTP).
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bmstui.api import openapi
from bmstui.api.booking_routes import router as booking_router
from bmstui.api.catalog_routes import router as catalog_router
from bmstui.api.limits import Limits
from bmstui.api.problems import PROBLEM_JSON, RETRY_AFTER_SECONDS, problem, problem_of
from bmstui.api.sale_routes import router as sale_router
from bmstui.domain.errors import BmstuiError
from bmstui.services.faults import is_database_fault

log = logging.getLogger("bmstui.api")
API_PREFIX = "/api/v1"  # a later, incompatible version of the routes would live beside it


def problem_response(document: dict, headers: dict | None = None) -> JSONResponse:
    headers = dict(headers or {})
    if document["status"] == 503:
        headers.setdefault("Retry-After", str(RETRY_AFTER_SECONDS))
    if document["status"] == 401:  # RFC 9110: say which scheme would do
        headers.setdefault("WWW-Authenticate", 'Bearer realm="bmstui"')
    return JSONResponse(document, status_code=document["status"], media_type=PROBLEM_JSON,
                        headers=headers)


def unforeseen_problem(error: Exception) -> dict:
    """A database that is away is 503 (try again); anything else a logged internal error."""
    if is_database_fault(error):
        return problem("try-again", 503, "The database cannot be reached right now; nothing "
                       "was changed. Try again in a moment.")
    return problem_of(error)


class Unforeseen:
    """Errors no handler foresaw (a database gone, a bug) answered as problem documents here,
    inside the app. Starlette's own last handler answers too, but then raises again, and the
    server closes the connection under the client's next request (seen as connection errors by
    a website that keeps its connections open)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as error:
            if started:
                raise  # half an answer is out: only closing the connection can end it
            await problem_response(unforeseen_problem(error))(scope, receive, send)


def create_app(settings=None) -> FastAPI:
    """The API on the configured database (``settings``: the resolved bmstui settings; by
    default those of bmstui.toml, .env and the environment)."""
    import bmstui
    from bmstui.config import get_settings, use_settings

    if settings is not None:
        use_settings(settings)
    settings = get_settings()
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        bmstui.open_database(settings.resolved_database_url)  # the pool, once per process
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.api_threads
        yield

    app = FastAPI(
        title="bmstui online sales", version=bmstui.__version__, lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json", docs_url="/docs", redoc_url=None,
        description="Seats, holds and bookings of the box office's own inventory: what a "
                    "website sells here is what every counter's grid shows.",
    )
    app.state.settings = settings
    openapi.install(app)
    app.add_middleware(Unforeseen)
    app.add_middleware(Limits, requests_per_second=settings.api_requests_per_second,
                       max_body_bytes=settings.api_max_body_bytes)
    app.include_router(catalog_router, prefix=API_PREFIX)
    app.include_router(sale_router, prefix=API_PREFIX)
    app.include_router(booking_router, prefix=API_PREFIX)

    @app.exception_handler(BmstuiError)
    async def refused(request: Request, error: BmstuiError) -> JSONResponse:
        return problem_response(problem_of(error))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        where = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
                          for e in error.errors()[:5])
        return problem_response(problem("invalid-request", 422, where or "Invalid request"))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        kind = {404: "not-found", 401: "unauthenticated", 403: "not-authorized",
                429: "rate-limited"}.get(error.status_code, "invalid-request")
        return problem_response(problem(kind, error.status_code, str(error.detail)),
                                headers=getattr(error, "headers", None))

    return app
