"""Fixtures of the UI tests' own: the frozen box office the snapshots are taken in."""

from tests.snapshot_support import frozen, frozen_box_office  # noqa: F401
