"""``bmstui bench terminals`` at a small scale on both backends: it runs, prints every figure,
and the figures are plausible (the timings themselves are the README's business, not a test's)."""

from __future__ import annotations

import re

from test_cli import run  # noqa: F401 -- the clean-environment CLI fixture


def _number(pattern: str, text: str) -> float:
    found = re.search(pattern, text)
    assert found, f"{pattern!r} not in:\n{text}"
    return float(found.group(1))


def test_bench_terminals_small(run, backend, backends):  # noqa: F811
    url = backends.new_url(backend)
    result = run("bench", "terminals", "--n", "3", "--seconds", "3", "--idle", "1.5",
                 "--db", url)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "Traceback" not in out + result.stderr
    assert _number(r"(\d+) holds", out) > 0
    assert _number(r"refusals: (\d+)", out) >= 0
    pairs = _number(r"= (\d+) sightings", out)
    changes = _number(r"(\d+) seat changes × 2 other grids", out)
    assert 0 < pairs <= 2 * changes
    assert _number(r"p95 (\d+) ms", out) > 0
    assert _number(r"busy ([\d.]+)/s in all", out) > 0
    # An idle grid polls once per poll interval (250 ms by default): one statement each.
    idle = _number(r"idle ([\d.]+)/s per counter on average", out)
    assert 0 < idle <= 4.0
    assert "invariant no seat in two bookings: OK" in out
    assert re.search(r"verdict: .*(targets met|TARGET MISSED)", out)
    if backend == "mysql":
        assert "server cross-check" in out
