"""The API's Date scalar: ISO dates (YYYY-MM-DD) within the years 1911–2200, the range regtrace accepts in
registers (民國元年 1912 and the year before it, to 2200).

A date outside the range in a variable is refused with the variable named; one written in the document is
refused by the DateBounds validation rule with the argument or input field named (BAD_USER_INPUT). Without
the bound, `expiringEvidence(withinDays: 36500, asOf: "9999-12-31")` overflowed Python's dates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import graphene
from graphql import (
    ArgumentNode,
    GraphQLError,
    ListValueNode,
    ObjectFieldNode,
    StringValueNode,
    ValidationRule,
    ValueNode,
    VariableDefinitionNode,
    get_named_type,
    print_ast,
)

from .errors import BAD_USER_INPUT

FIRST = dt.date(1911, 1, 1)
LAST = dt.date(2200, 12, 31)
RANGE = f"dates must fall in the years {FIRST.year}–{LAST.year}"


def _parse(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise GraphQLError(f"Date cannot represent {text!r}: write YYYY-MM-DD") from None


def in_range(day: dt.date) -> bool:
    return FIRST <= day <= LAST


class Date(graphene.Scalar):  # type: ignore[misc]
    """日期 / a date (ISO 8601, YYYY-MM-DD) in the years 1911–2200."""

    class Meta:
        name = "Date"

    @staticmethod
    def serialize(value: Any) -> str:
        if isinstance(value, dt.datetime):
            value = value.date()
        if not isinstance(value, dt.date):
            raise GraphQLError(f"Date cannot represent value: {value!r}")
        return value.isoformat()

    @staticmethod
    def parse_literal(node: ValueNode, _variables: Any = None) -> dt.date:
        """A literal out of range is left to DateBounds, which names where it is written."""
        if not isinstance(node, StringValueNode):
            raise GraphQLError(f"Date cannot represent non-string value: {print_ast(node)}")
        return _parse(node.value)

    @staticmethod
    def parse_value(value: Any) -> dt.date:
        if not isinstance(value, str):
            raise GraphQLError(f"Date cannot represent non-string value: {value!r}")
        day = _parse(value)
        if not in_range(day):
            raise GraphQLError(f"{value} is out of range: {RANGE}")
        return day


class DateBounds(ValidationRule):
    """Date literals (arguments, input fields, variable defaults) within 1911–2200, naming where they are."""

    def _check(self, value: ValueNode | None, where: str) -> None:
        if value is None or get_named_type(self.context.get_input_type()) is None:
            return
        if getattr(get_named_type(self.context.get_input_type()), "name", None) != "Date":
            return
        values = value.values if isinstance(value, ListValueNode) else (value,)
        for item in values:
            if not isinstance(item, StringValueNode):
                continue
            try:
                day = dt.date.fromisoformat(item.value)
            except ValueError:
                continue  # ValuesOfCorrectType reports it
            if not in_range(day):
                self.report_error(GraphQLError(f"{where}: {item.value} is out of range; {RANGE}", item,
                                               extensions={"code": BAD_USER_INPUT}))

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        self._check(node.value, node.name.value)

    def enter_object_field(self, node: ObjectFieldNode, *_: Any) -> None:
        self._check(node.value, node.name.value)

    def enter_variable_definition(self, node: VariableDefinitionNode, *_: Any) -> None:
        self._check(node.default_value, f"${node.variable.name.value}")
