"""``bmstui bench rush`` at a small scale on both backends: it starts its server, sells the
show out through HTTP while counters watch, and says no seat was sold twice."""

from __future__ import annotations

from test_bench_terminals import _number
from test_cli import run  # noqa: F401 -- the clean-environment CLI fixture


def test_bench_rush_small(run, backend, backends):  # noqa: F811
    url = backends.new_url(backend)
    assert run("db", "init", "--db", url).returncode == 0
    result = run("bench", "rush", "--clients", "12", "--counters", "2", "--workers", "1",
                 "--read-seconds", "1", "--seats", "120", "--db", url)
    out = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 0, out
    assert "Traceback" not in out
    assert "(sold out)" in out
    assert _number(r"sold (\d+) of", out) > 0
    assert _number(r"errors \(5xx, connection\): (\d+)", out) == 0
    assert _number(r"double bookings in the database: (\d+)", out) == 0
    assert _number(r"missed (\d+)", out) == 0
    assert _number(r"([\d.]+) seat maps/s", out) > 0
    assert _number(r"sold (\d+) of 120 seats", out) == 120  # the arena asked for, sold out
