"""Find booking and what follows it (cancel seats, refund money), as approved SVG snapshots.

The booking found is the frozen box office's (tests/snapshot_support.py): three seats paid in
cash with a coupon and a customer's phone, sold on the show day's morning under a fixed code.
Nothing here is confirmed, so every test sees the same booking.
"""

from __future__ import annotations

import pytest
from test_ui_money import text_of

from screens.lookup.cancel import CancelScreen
from screens.lookup.find import LookupScreen
from screens.lookup.refund import RefundScreen
from tests import snapshot_support
from tests.snapshot_support import LOOKS, SIZES, app_for, still
from tests.ui_support import wait_for, wait_for_screen

# The module's frozen box office (fixtures: each module builds its own).
frozen_box_office = snapshot_support.frozen_box_office
frozen = snapshot_support.frozen


async def found(pilot, code: str) -> LookupScreen:
    """Find booking with ``code`` looked up and shown."""
    await wait_for(pilot, lambda: pilot.app.screen.query_one("#city-list").option_count)
    await pilot.press("ctrl+f")
    lookup = await wait_for_screen(pilot, LookupScreen)
    await pilot.press(*code, "enter")
    await wait_for(pilot, lambda: lookup.found, what="the booking")
    await pilot.app.workers.wait_for_complete()
    return lookup


@pytest.mark.parametrize("size", SIZES)
def test_find_booking(snap_compare, frozen, tmp_path, monkeypatch, size):
    async def ready(pilot):
        lookup = await found(pilot, frozen.code)
        still(lookup)
        await pilot.pause()

    assert snap_compare(app_for(tmp_path, monkeypatch), terminal_size=size, run_before=ready)


@pytest.mark.parametrize(("size", "mono"), LOOKS)
def test_cancel_with_two_of_three_seats_ticked(snap_compare, frozen, tmp_path, monkeypatch,
                                               size, mono):
    async def ready(pilot):
        await found(pilot, frozen.code)
        await pilot.press("f8")
        cancel = await wait_for_screen(pilot, CancelScreen)
        ticks = cancel.query_one("#cancel-seats")
        await wait_for(pilot, lambda: cancel.offer is not None, what="the refund offer")
        await pilot.press("space")  # unticks the first seat, the highlighted one
        await wait_for(pilot, lambda: cancel.offer is not None and len(cancel.offer.labels) == 2
                       and "C5, C6" in text_of(cancel, "#refund-offer"),
                       what="the offer for two seats")
        assert list(ticks.selected) == ["C5", "C6"]
        await pilot.app.workers.wait_for_complete()
        still(cancel)
        await pilot.pause()

    app = app_for(tmp_path, monkeypatch, mono)
    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_refund_money(snap_compare, frozen, tmp_path, monkeypatch, size):
    """A manager's refund of money only, the amount typed."""
    async def ready(pilot):
        await found(pilot, frozen.code)
        await pilot.press("f7")
        refund = await wait_for_screen(pilot, RefundScreen)
        await wait_for(pilot, lambda: "Left to refund" in text_of(refund, "#refund-left"),
                       what="what is left to refund")
        await pilot.press(*"100")
        await wait_for(pilot, lambda: "₹100.00" in text_of(refund, "#refund-amount-status"),
                       what="the amount read")
        still(refund)
        await pilot.pause()

    assert snap_compare(app_for(tmp_path, monkeypatch), terminal_size=size, run_before=ready)
