"""The import paths of modules that moved into layer packages keep working.

Scripts, tests and the README's examples import ``bmstui.best_seats``, ``bmstui.tickets``,
``screens.checkout`` and the like; since the code was grouped by layer they live in
``bmstui.domain``, ``bmstui.export``, ``screens.sale`` ... An old name is the *same module
object* as the new one (not a copy), so ``monkeypatch`` and ``isinstance`` see one thing.

The table is the whole mechanism: a finder on ``sys.meta_path`` answers only for these names
and loads them by importing the new module. Nothing here imports the targets until asked, so
the old names add no import edges between the layers.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys

MOVED: dict[str, str] = {
    "bmstui.best_seats": "bmstui.domain.best_seats",
    "bmstui.pricing": "bmstui.domain.pricing",
    "bmstui.refund_policy": "bmstui.domain.refund_policy",
    "bmstui.coupon_rules": "bmstui.domain.coupon_rules",
    "bmstui.layouts": "bmstui.domain.layouts",
    "bmstui.catalog_file": "bmstui.store.catalog_source",
    "bmstui.report_chart": "bmstui.domain.report_chart",
    "bmstui.passwords": "bmstui.domain.passwords",
    "bmstui.money_input": "bmstui.domain.money_input",
    "bmstui.ids": "bmstui.domain.ids",
    "bmstui.clock": "bmstui.domain.clock",
    "bmstui.errors": "bmstui.domain.errors",
    "bmstui.actors": "bmstui.domain.actors",
    "bmstui.db": "bmstui.store.db",
    "bmstui.models": "bmstui.store.models",
    "bmstui.schema": "bmstui.store.schema",
    "bmstui.migrations": "bmstui.store.migrations",
    "bmstui.seat_sql": "bmstui.store.seat_sql",
    "bmstui.seeding": "bmstui.store.seeding",
    "bmstui.catalog_import": "bmstui.services.catalog_import",
    "bmstui.payments": "bmstui.services.gateway",
    "bmstui.tickets": "bmstui.export.tickets",
    "bmstui.report_csv": "bmstui.export.report_csv",
    "bmstui.commands": "bmstui.cli.core",
    "bmstui.admin_cli": "bmstui.cli.admin",
    "bmstui.catalog_cli": "bmstui.cli.catalog",
    "bmstui.money_cli": "bmstui.cli.money",
    "bmstui.operator_cli": "bmstui.cli.operators",
    "bmstui.report_cli": "bmstui.cli.reports",
    "bmstui.bench_holds": "bmstui.bench.holds",
    "bmstui.bench_live": "bmstui.bench.live",
    "bmstui.bench_terminals": "bmstui.bench.terminals",
    "bmstui.bench_ui": "bmstui.bench.ui",
    # bmstui.cli, bmstui.bench and screens.lookup became packages: their __init__ re-exports.
    "screens.city": "screens.sale.city",
    "screens.movies": "screens.sale.movies",
    "screens.seats": "screens.sale.seats",
    "screens.checkout": "screens.sale.checkout",
    "screens.ticket": "screens.sale.ticket",
    "screens.cancel": "screens.lookup.cancel",
    "screens.refund": "screens.lookup.refund",
    "screens.manager": "screens.desk.manager",
    "screens.schedule_view": "screens.desk.schedule",
    "screens.reports_view": "screens.desk.reports",
    "screens.audit_view": "screens.desk.audit",
    "screens.admin_coupons": "screens.desk.coupons",
    "screens.admin_movies": "screens.desk.movies",
    "screens.admin_operators": "screens.desk.operators",
    "screens.seat_grid": "screens.widgets.seat_grid",
    "screens.admin_form": "screens.widgets.admin_form",
    "screens.grid_bench": "bmstui.bench.grid_probe",
    "screens.startup_probe": "bmstui.bench.startup_probe",
}


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path=None, target=None):
        if fullname in MOVED:
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        # The import system hands back whatever sys.modules holds under the name afterwards.
        sys.modules[module.__name__] = importlib.import_module(MOVED[module.__name__])


def install() -> None:
    if not any(isinstance(finder, _Alias) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Alias())
