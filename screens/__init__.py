"""The Textual box-office UI. Talks to the database only through ``bmstui.services``.

Grouped by flow: ``sale/`` (city, movies, seats, checkout, ticket), ``lookup/`` (find, cancel,
refund), ``desk/`` (the manager's panes), ``widgets/``; the app, sign-in, help and what guards
the whole app (gate, lock, offline, last resort, exit path) at the top.
"""

from bmstui import moved as _moved

_moved.install()  # screens.checkout and the other old names of moved screens keep working
