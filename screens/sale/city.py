"""Choosing the city this counter sells for (remembered for the next start)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from bmstui.services import catalog
from screens.background import run_service
from screens.widgets.heading import Heading


class CityScreen(Screen):
    def __init__(self, resume: bool = False) -> None:
        super().__init__()
        self.resume = resume  # open the remembered city's movies straight away
        self.cities: dict[str, catalog.CityInfo] = {}

    def compose(self) -> ComposeResult:
        yield Heading()
        yield Static("Which city is this counter selling for?", id="city-heading")
        yield OptionList(id="city-list")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "city"
        run_service(self, catalog.cities, done=self._loaded, group="cities", moves_on=True)

    def _loaded(self, cities: list[catalog.CityInfo]) -> None:
        self.cities = {str(city.id): city for city in cities}
        options = self.query_one("#city-list", OptionList)
        options.clear_options()
        if not cities:
            self.query_one("#city-heading", Static).update(
                "No cities yet: load a catalog with `bmstui db seed` (demo) and restart.")
            return
        options.add_options(Option(f"{c.name}  ({c.state})", id=str(c.id)) for c in cities)
        last = str(self.app.memory.get("city_id", ""))
        options.highlighted = list(self.cities).index(last) if last in self.cities else 0
        options.focus()
        if self.resume and last in self.cities:
            self.resume = False
            self.open_city(self.cities[last])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.open_city(self.cities[event.option.id])

    def open_city(self, city: catalog.CityInfo) -> None:
        from screens.sale.movies import MoviesScreen

        self.app.memory.set("city_id", city.id)
        self.app.push_screen(MoviesScreen(city))
