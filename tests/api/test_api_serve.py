"""`bmstui serve` as a real process: it answers on its port, on the database it was given, and
says how to install what it lacks instead of a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_health_and_the_catalog_of_its_database(demo_db, tmp_path):
    port = free_port()
    env = {**os.environ, "HOME": str(tmp_path)}
    env.pop("BMSTUI_DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-c", "from bmstui.cli import main; raise SystemExit(main())",
         "--db", demo_db, "serve", "--port", str(port)],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"{base}/health", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert health.json() == {"status": "ok", "database": "ok"}
        cities = httpx.get(f"{base}/cities", timeout=5).json()
        assert {c["name"] for c in cities} >= {"Bengaluru", "Mumbai"}
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_without_the_api_extra_says_how_to_install_it(tmp_path):
    code = ("import sys; sys.modules['fastapi'] = None; sys.modules['uvicorn'] = None\n"
            "from bmstui.cli import main; raise SystemExit(main(['serve']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, env={**os.environ, "HOME": str(tmp_path)}, timeout=60)
    assert done.returncode == 2
    assert "bmstui[api]" in done.stdout and "Traceback" not in done.stdout + done.stderr
