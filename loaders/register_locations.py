"""Data locations against the offshore flag: a register may not say both "processed in Taiwan only" and list
a country outside Taiwan (issue 10 point 5).

`data_locations` (arrangements and systems) lists ISO 3166-1 alpha-2 codes; their form is checked by the
ontology's pattern. Here: any code other than TW is outside Taiwan, so

* an arrangement whose data_locations list such a code while its own `offshore` is N is refused;
* a system whose data_locations list such a code is refused when its arrangement's `offshore` is N. Systems
  have no offshore flag of their own: a system's locations say where its data is, and the arrangement it
  runs under is the one the offshore flag (and the obligations that use it) is declared on, so that flag
  must agree with every one of its systems.

A blank or unreadable offshore cell is reported by its own column check and is not compared here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

ONSHORE = "TW"
LOCATIONS = "data_locations"
OFFSHORE = "offshore"

RowCheck = Callable[[list[Any]], "tuple[str, str] | None"]


def outside_taiwan(locations: Sequence[str] | None) -> list[str]:
    """The codes of a data_locations list that are not Taiwan, in the order given."""
    return [code for code in locations or () if code != ONSHORE]


def _flag(value: object) -> str:
    return "Y" if value else "N"


def arrangement_check(locations: int, locations_name: str, offshore: int, offshore_name: str) -> RowCheck:
    """An arrangement row's own locations against its own offshore flag (positions in the row's values)."""

    def check(values: list[Any]) -> tuple[str, str] | None:
        abroad = outside_taiwan(values[locations])
        if abroad and values[offshore] is False:
            return locations_name, (f"{locations_name} {';'.join(values[locations])} lists "
                                    f"{', '.join(abroad)} outside Taiwan while {offshore_name} is "
                                    f"{_flag(values[offshore])}: set {offshore_name} to Y or correct the locations")
        return None

    return check


def system_check(locations: int, locations_name: str, arrangement: int, offshore_of: Mapping[str, bool | None],
                 arrangements_source: str) -> RowCheck:
    """A system row's locations against the offshore flag of the arrangement it runs under."""

    def check(values: list[Any]) -> tuple[str, str] | None:
        abroad = outside_taiwan(values[locations])
        arrangement_id = values[arrangement]
        if abroad and arrangement_id is not None and offshore_of.get(arrangement_id) is False:
            return locations_name, (f"{locations_name} {';'.join(values[locations])} lists "
                                    f"{', '.join(abroad)} outside Taiwan while arrangement {arrangement_id} has "
                                    f"{OFFSHORE} N in {arrangements_source}: set its {OFFSHORE} to Y or correct the "
                                    "locations")
        return None

    return check


def offshore_flags(rows: Sequence[tuple[Any, ...]], offshore: int) -> dict[str, bool | None]:
    """Each validated arrangement row's id and offshore flag (None when blank or unreadable)."""
    return {row[0]: row[offshore] for row in rows if row[0] is not None}
