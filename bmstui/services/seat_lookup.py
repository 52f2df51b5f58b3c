"""The old home of seat-request checks, text cleaning, the seat index and refusals.

It was a grab-bag imported by nearly every service; each part now lives where it belongs and
this module only keeps the old import path working:

- ``bmstui.domain.requests``: labels, tokens, show ids, durations (pure checks)
- ``bmstui.domain.text``: ``clean_text``, ``plain_text``
- ``bmstui.store.db.db_clock``: the database's clock
- ``bmstui.services.seat_index``: the per-process seat index
- ``bmstui.services.seat_refusals``: why a hold is refused
- ``bmstui.services.operators.operator_id_of``: the one operator lookup
"""

from __future__ import annotations

from bmstui.domain.ids import MAX_ID, parse_id  # noqa: F401
from bmstui.domain.requests import check_show_id, check_token, normalise_labels, seconds_of  # noqa: F401
from bmstui.domain.text import clean_text, plain_text  # noqa: F401
from bmstui.services.operators import operator_id_of  # noqa: F401
from bmstui.services.seat_index import (  # noqa: F401
    forget_show,
    index_is_stale,
    resolve,
    seat_index,
)
from bmstui.services.seat_refusals import (  # noqa: F401
    check_count,
    contested_labels,
    show_refusal,
    taken_labels,
)
from bmstui.store.db import db_clock  # noqa: F401
from bmstui.store.seat_sql import free_seat_condition  # noqa: F401
