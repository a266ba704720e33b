"""An instrument's status on a date, from the dates the instruments register records (README "Registers")."""

from __future__ import annotations

import datetime as dt

import pytest
from regtrace.loaders.curation import load_curation

from regtrace.instruments import in_force_on, instrument_status, statuses

D = dt.date


def curated(instrument_id: str) -> dict[str, object]:
    found = load_curation().instrument(instrument_id)
    assert found is not None
    return found.to_row()


@pytest.mark.parametrize(("day", "status"), [
    (D(2025, 6, 30), "in_force"), (D(2026, 1, 1), "in_force"),  # the day before its abolition
    (D(2026, 1, 2), "abolished"), (D(2026, 11, 29), "abolished"),  # abolished with immediate effect
])
def test_the_directions_are_in_force_until_2026_01_02(day: dt.date, status: str) -> None:
    assert instrument_status(curated("FSC-OUTSOURCING-DIRECTIONS"), day) == status
    assert in_force_on(curated("FSC-OUTSOURCING-DIRECTIONS"), day) is (status == "in_force")


@pytest.mark.parametrize(("day", "status"), [
    (D(2025, 12, 31), "not_yet_in_force"),  # promulgated that day, effective from 2026-01-02
    (D(2026, 1, 1), "not_yet_in_force"), (D(2026, 1, 2), "in_force"), (D(2030, 1, 1), "in_force"),
])
def test_the_successor_regulations_are_in_force_from_2026_01_02(day: dt.date, status: str) -> None:
    assert instrument_status(curated("FSC-OUTSOURCING-REGS"), day) == status


def test_recorded_statuses_without_dates_stand() -> None:
    day = D(2026, 11, 29)
    assert instrument_status({"status": "in_force"}, day) == "in_force"
    assert instrument_status({"status": "superseded"}, day) == "superseded"
    assert instrument_status({"status": "superseded", "abolished_on": D(2027, 1, 1)}, day) == "in_force"
    assert instrument_status({"status": "superseded", "abolished_on": D(2026, 11, 29)}, day) == "superseded"
    assert instrument_status({"status": "not_yet_in_force"}, day) == "not_yet_in_force"
    assert instrument_status({"status": "not_yet_in_force", "effective_from": D(2026, 11, 29)}, day) == "in_force"


def test_the_status_words_are_the_ontologys() -> None:
    assert statuses() == ("in_force", "not_yet_in_force", "abolished", "superseded")


def test_the_exports_have_words_for_every_status() -> None:
    from regtrace.exports.style import INSTRUMENT_STATUS

    assert set(INSTRUMENT_STATUS) == set(statuses())
