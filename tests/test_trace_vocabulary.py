"""The trace's words come from the ontology: the literal types mypy checks against equal the ontology's
schemes, and the curated facts, the README and the shapes agree with the fact vocabulary."""

from __future__ import annotations

import typing

from regtrace.ontology.model import load_ontology
from regtrace.trace import vocabulary
from regtrace.trace.conditions import FACTS
from regtrace.trace.model import STATUSES

from regtrace import labels


def test_status_and_cause_literals_are_the_ontologys_words() -> None:
    assert typing.get_args(vocabulary.Status) == vocabulary.statuses() == STATUSES
    assert typing.get_args(vocabulary.CauseKind) == vocabulary.cause_kinds()
    assert STATUSES == ("gap", "unevidenced", "stale", "covered", "not_applicable")  # worst first
    assert set(labels.STATUS) == set(STATUSES)


def test_the_shapes_allow_every_fact_and_every_fact_has_a_label() -> None:
    for cls in ("Provision", "Obligation"):
        assert set(load_ontology().classes[cls].field("conditions").allowed) == set(FACTS)
    assert set(labels.FACT) == set(FACTS)
