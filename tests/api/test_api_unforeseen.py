"""Errors no route foresaw are answered inside the app and never raised out of it.

Starlette's last-resort handler answers a 500 too, but then raises the error again out of the
ASGI app, and the server closes the connection a website was keeping open for its next request.
``app.Unforeseen`` answers instead: a bug is a 500 problem naming a logged incident, a database
that is away a 503 "try again" with Retry-After. httpx's ASGI transport re-raises whatever leaks
out of the app (``raise_app_exceptions``, its default), so a leak fails these tests.
"""

from __future__ import annotations

import logging

import httpx
import peewee as pw
import pytest
from fastapi.responses import StreamingResponse

from bmstui.api import create_app
from bmstui.api.problems import PROBLEM_JSON, RETRY_AFTER_SECONDS
from bmstui.config import get_settings

FAULTS = {
    "lost": pw.OperationalError(2013, "Lost connection to MySQL server during query"),
    "gone": pw.OperationalError(2006, "MySQL server has gone away"),
    "closed": pw.InterfaceError(0, ""),
    "locked": pw.OperationalError("database is locked"),
}


@pytest.fixture
async def api(demo_db):
    app = create_app(get_settings())

    @app.get("/api/v1/test/bug")
    def bug():  # a plain def, on the thread pool as every route is
        raise RuntimeError("a bug nobody foresaw")

    @app.get("/api/v1/test/async-bug")
    async def async_bug():
        raise KeyError("seats")

    @app.get("/api/v1/test/fault/{kind}")
    def fault(kind: str):
        raise FAULTS[kind]

    @app.get("/api/v1/test/half")
    def half():
        def body():
            yield b'{"seats":['
            raise RuntimeError("cut short after the answer began")

        return StreamingResponse(body(), media_type="application/json")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test/api/v1") as client:
        yield client


@pytest.mark.parametrize("path", ["/test/bug", "/test/async-bug"])
async def test_a_bug_is_a_500_problem_naming_a_logged_incident(api, path, caplog):
    with caplog.at_level(logging.ERROR, logger="bmstui.api"):
        answer = await api.get(path)
    assert answer.status_code == 500
    assert answer.headers["content-type"] == PROBLEM_JSON
    document = answer.json()
    assert document["type"] == "internal-error" and document["status"] == 500
    incident = document["incident"]
    assert incident and incident in document["detail"]
    assert "Traceback" not in answer.text and "foresaw" not in answer.text
    logged = [r for r in caplog.records if incident in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # the operator finds the traceback
    again = await api.get(path)  # the same client goes on; each incident is its own
    assert again.status_code == 500 and again.json()["incident"] != incident
    assert (await api.get("/health")).status_code == 200


@pytest.mark.parametrize("kind", sorted(FAULTS))
async def test_a_database_fault_is_503_try_again_with_retry_after(api, kind):
    answer = await api.get(f"/test/fault/{kind}")
    assert answer.status_code == 503
    assert answer.headers["content-type"] == PROBLEM_JSON
    assert answer.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    document = answer.json()
    assert document["type"] == "try-again" and document["status"] == 503
    assert "incident" not in document and "MySQL" not in answer.text


async def test_an_answer_already_begun_is_cut_not_followed_by_a_second_one(api):
    """Half a body is out: only ending the connection can say something went wrong (a 500
    after it would be a second answer on the same request)."""
    with pytest.raises(RuntimeError, match="cut short"):
        await api.get("/test/half")
