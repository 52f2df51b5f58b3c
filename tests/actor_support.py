"""The actor tests use for manager actions and refunds: the administrator principal, as a
script would name it (``operator=None`` is nobody and is refused)."""

import bmstui

ADMIN = bmstui.administrator("pytest")
