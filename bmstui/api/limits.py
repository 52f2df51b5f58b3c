"""Limits every request passes before any route: body size and requests per second per key.

Pure ASGI middleware, so a refused request costs no parsing and no database. The rate is a
token bucket per caller (the key id of its bearer key, or its address without one), kept in
this server process: N servers let a key make N times the rate, which still stops a runaway
script or a bot, the purpose here (a shared limit would cost a database write per request).
"""

from __future__ import annotations

import json
import math
import threading
import time

from bmstui.api.problems import PROBLEM_JSON, problem

BURST_SECONDS = 2.0  # a caller may spend this many seconds' worth of requests at once
IDLE_FORGET_SECONDS = 300.0  # buckets of callers gone quiet are dropped (memory stays small)


class Buckets:
    def __init__(self, rate: float, clock=time.monotonic) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate * BURST_SECONDS)
        self.clock = clock
        self.state: dict[str, tuple[float, float]] = {}  # caller -> (tokens, last seen)
        self.lock = threading.Lock()
        self.swept = clock()

    def take(self, caller: str) -> float:
        """0 if the request may go now, else the seconds until it may."""
        now = self.clock()
        with self.lock:
            if now - self.swept > IDLE_FORGET_SECONDS:
                self.state = {c: v for c, v in self.state.items()
                              if now - v[1] < IDLE_FORGET_SECONDS}
                self.swept = now
            tokens, seen = self.state.get(caller, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - seen) * self.rate)
            if tokens >= 1.0:
                self.state[caller] = (tokens - 1.0, now)
                return 0.0
            self.state[caller] = (tokens, now)
            return (1.0 - tokens) / self.rate


def _caller(scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            parts = value.decode("latin-1").split("_")
            if len(parts) >= 3:
                return f"key:{parts[1][:16]}"
    client = scope.get("client") or ("?", 0)
    return f"addr:{client[0]}"


async def _refuse(send, status: int, kind: str, detail: str, headers=()) -> None:
    body = json.dumps(problem(kind, status, detail)).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", PROBLEM_JSON.encode()),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


class Limits:
    def __init__(self, app, *, requests_per_second: float, max_body_bytes: int) -> None:
        self.app = app
        self.buckets = Buckets(requests_per_second)
        self.max_body = max_body_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take(_caller(scope))
        if wait:
            retry = str(max(1, math.ceil(wait)))
            await _refuse(send, 429, "rate-limited",
                          f"Too many requests from this key; try again in {retry} s",
                          [(b"retry-after", retry.encode())])
            return
        length = dict(scope.get("headers", ())).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await _refuse(send, 413, "request-too-large",
                          f"A request body is at most {self.max_body} bytes")
            return
        if length is None and scope.get("method") in ("POST", "PUT", "PATCH", "DELETE"):
            # No length given (chunked): read it here, up to the limit, then hand it on.
            messages, size = [], 0
            while True:
                message = await receive()
                messages.append(message)
                size += len(message.get("body", b""))
                if size > self.max_body:
                    await _refuse(send, 413, "request-too-large",
                                  f"A request body is at most {self.max_body} bytes")
                    return
                if message["type"] != "http.request" or not message.get("more_body"):
                    break
            replay = iter(messages)

            async def replayed():
                return next(replay, None) or await receive()

            await self.app(scope, replayed, send)
            return
        await self.app(scope, receive, send)
