"""``bmstui show|audit|refund`` as the cinema's IT person runs them (real subprocesses)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from test_cli import run  # noqa: F401 -- the clean-environment subprocess fixture
from test_cli_money import refused

from bmstui.domain.clock import to_local
from bmstui.services import sales, seating
from bmstui.store.db import database
from bmstui.store.models import Movie, Refund, Screen, Show, Theater


def test_show_add_list_overlap_cancel_and_delete(demo_db, run):  # noqa: F811
    with database.connection_context():
        screen = (Screen.select(Screen, Theater).join(Theater)
                  .where(Screen.formats.contains("2D")).order_by(Screen.id).first())
        movie = Movie.select().where(Movie.active == True).order_by(Movie.id).first()  # noqa: E712
    day = datetime(2094, 3, 1) + timedelta(days=secrets.randbelow(300))
    hall = f"{screen.theater.name}/{screen.name}"
    added = run("--db", demo_db, "show", "add", "--movie", movie.title, "--screen", hall,
                "--at", f"{day:%Y-%m-%d} 10:00")
    assert added.returncode == 0, added.stderr
    show_id = int(added.stdout.split()[2])
    assert "already has a show at that time" in refused(
        run("--db", demo_db, "show", "add", "--movie", str(movie.id), "--screen", str(screen.id),
            "--at", f"{day:%Y-%m-%d} 10:30"))
    listed = run("--db", demo_db, "show", "list", "--date", f"{day:%Y-%m-%d}",
                 "--theater", screen.theater.name)
    assert listed.returncode == 0 and str(show_id) in listed.stdout
    assert movie.title in listed.stdout

    booking = sales.confirm(seating.hold(show_id, ["A1"]).token, method="cash")
    assert "cannot be deleted" in refused(run("--db", demo_db, "show", "delete", str(show_id)))
    cancelled = run("--db", demo_db, "show", "cancel", str(show_id), "--reason", "flood")
    assert cancelled.returncode == 0, cancelled.stderr
    assert f"{booking.code}: ₹{booking.total:,.2f} by cash" in cancelled.stdout
    with database.connection_context():
        assert Show.get_by_id(show_id).status == "cancelled"
        assert to_local(Show.get_by_id(show_id).starts_at, "Asia/Kolkata").hour == 10

    unsold = run("--db", demo_db, "show", "add", "--movie", str(movie.id), "--screen", hall,
                 "--at", f"{day:%Y-%m-%d} 16:00")
    unsold_id = int(unsold.stdout.split()[2])
    assert run("--db", demo_db, "show", "delete", str(unsold_id)).returncode == 0
    with database.connection_context():
        assert not Show.select().where(Show.id == unsold_id).exists()
    assert "not a date/time" in run("--db", demo_db, "show", "add", "--movie", "1", "--screen",
                                    "1", "--at", "tomorrow").stderr


def test_refund_then_audit_list_filtered_by_booking(demo_db, new_show, run):  # noqa: F811
    booking = sales.confirm(seating.hold(new_show(), ["C3"]).token, method="upi")
    done = run("--db", demo_db, "refund", booking.code, "25.50", "--reason", "late start")
    assert done.returncode == 0, done.stderr
    assert f"Refunded ₹25.50 of {booking.code} by upi" in done.stdout
    assert "left to refund" in refused(run("--db", demo_db, "refund", booking.code, "99999",
                                           "--reason", "x"))
    with database.connection_context():
        assert Refund.get(Refund.booking == booking.id).reason == "late start"
    trail = run("--db", demo_db, "audit", "list", "--booking", booking.code)
    assert trail.returncode == 0, trail.stderr
    lines = [line for line in trail.stdout.splitlines() if booking.code in line]
    assert len(lines) == 2 and "refund" in lines[0] and "sale" in lines[1]
    only_sales = run("--db", demo_db, "audit", "list", "--booking", booking.code, "--kind", "sale")
    assert "late start" not in only_sales.stdout and booking.code in only_sales.stdout
