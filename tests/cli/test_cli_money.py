"""``bmstui pricing|coupon|cancel`` as the cinema's IT person runs them (real subprocesses)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from test_cli import run  # noqa: F401 -- the clean-environment subprocess fixture

from bmstui.services import coupons, sales, seating
from bmstui.store.models import Show


def refused(result) -> str:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bmstui: "), result.stderr
    return lines[0]


def test_pricing_explain_prints_the_formula_of_a_seat(demo_db, run):  # noqa: F811
    show = Show.select().where(Show.format == "IMAX").first()
    result = run("--db", demo_db, "pricing", "explain", str(show.id), "a1")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Seat A1" in out and "base price" in out
    assert "IMAX (format IMAX)" in out and "Flagship theater" in out
    price = next(s.price for s in seating.seat_map(show.id) if s.label == "A1")
    assert f"= ₹{price:,.2f}" in out.splitlines()[-1]
    assert "No such seat" in refused(run("--db", demo_db, "pricing", "explain", str(show.id),
                                         "ZZ99"))
    assert "No such show" in refused(run("--db", demo_db, "pricing", "explain", "999999", "A1"))


def test_coupon_add_then_list_and_a_bad_definition_refused(demo_db, run):  # noqa: F811
    code = "CLI" + secrets.token_hex(3).upper()
    made = run("--db", demo_db, "coupon", "add", code, "--percent", "15", "--max-discount",
               "100", "--limit", "5", "--per-customer", "1", "--until", "2099-01-01")
    assert made.returncode == 0, made.stderr
    assert f"Coupon {code}: 15% off (at most ₹100.00)" in made.stdout
    info = coupons.get(code)
    assert (info.usage_limit, info.per_customer_limit) == (5, 1)
    listed = run("--db", demo_db, "coupon", "list")
    assert code in listed.stdout and "0 / 5" in listed.stdout
    assert "exists already" in refused(run("--db", demo_db, "coupon", "add", code, "--flat", "5"))
    assert "0-100%" in refused(run("--db", demo_db, "coupon", "add", code + "X", "--percent",
                                   "150"))


def test_cancel_dry_run_then_some_seats_then_closed_past_the_cutoff(demo_db, new_show,
                                                                    run):  # noqa: F811
    show_id = new_show()
    held = seating.hold(show_id, ["B1", "B2"])
    booking = sales.confirm(held.token, method="card")
    each = booking.total / 2

    dry = run("--db", demo_db, "cancel", booking.code, "--seats", "B1", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"would refund ₹{each:,.2f} (100% of ₹{each:,.2f}) by card" in dry.stdout
    assert sales.find_booking(booking.code).status == "confirmed"

    done = run("--db", demo_db, "cancel", booking.code.lower(), "--seats", "b1")
    assert done.returncode == 0, done.stderr
    assert f"cancelled B1; refund ₹{each:,.2f} by card" in done.stdout
    assert sales.find_booking(booking.code).labels == ("B2",)
    assert "Already cancelled" in refused(run("--db", demo_db, "cancel", booking.code,
                                              "--seats", "B1"))

    soon = new_show(starts_in=timedelta(minutes=20))
    held = seating.hold(soon, ["C3"])
    late = sales.confirm(held.token, method="cash")
    line = refused(run("--db", demo_db, "cancel", late.code, "--reason", "customer ill"))
    assert "Cancellation closed" in line and "overrides are switched off" in line
    assert sales.find_booking(late.code).status == "confirmed"
    override = run("--db", demo_db, "cancel", late.code, "--reason", "customer ill",
                   extra_env={"BMSTUI_ALLOW_CANCEL_OVERRIDE": "1"})
    assert override.returncode == 0, override.stderr
    assert "override: customer ill" in override.stdout


def test_operator_add_reads_the_password_and_the_operator_can_sign_in(demo_db, run):  # noqa: F811
    from bmstui.services import operators

    name = "cli" + secrets.token_hex(3)
    made = run("--db", demo_db, "operator", "add", name, "--role", "manager",
               stdin="a-long-password\n")
    assert made.returncode == 0, made.stderr
    assert f"Operator {name} added as manager" in made.stdout
    assert operators.login(name, "a-long-password").is_manager
    assert "at least 8 characters" in refused(run("--db", demo_db, "operator", "add",
                                                  name + "x", stdin="short\n"))
    listed = run("--db", demo_db, "operator", "list")
    assert name in listed.stdout and "manager" in listed.stdout
