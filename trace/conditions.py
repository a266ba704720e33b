"""Conditions as boolean expressions over facts: `material and not offshore`, `(a or b) and not c`.

The grammar, loosest first: `or`, then `and`, then `not`, then a fact name or a parenthesised expression.
A fact is a word of the vocabulary below; nothing else parses. `parse` gives an `Expr`; `str(expr)` gives it
back in a canonical form (parentheses only where needed), which is what the store keeps.

Facts hold for a subject (an arrangement or the company) on a date. Where each one comes from is stated here
and computed in regtrace.trace.facts (the derived ones by named rules).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# An arrangement's own register flags (`self_managed`: its service model is IaaS or PaaS).
ARRANGEMENT_FACTS: tuple[str, ...] = (
    "material", "offshore", "natural_person_data", "customer_data", "self_managed", "hybrid_cloud",
    "internet_access", "vm_or_container_images", "subcontracting", "foreign_branch",
)
# Computed per arrangement and date by the rules of regtrace.trace.facts.
DERIVED_FACTS: tuple[str, ...] = ("material_npd_offshore_system", "contract_incomplete", "third_party_audit")
# The company register's facts. `foreign_branch` names the company's own fact when the subject is the company
# and the arrangement's flag when the subject is an arrangement; `multi_cloud` holds for both subjects.
COMPANY_FACTS: tuple[str, ...] = ("foreign_branch", "multi_cloud")
FACTS: tuple[str, ...] = tuple(dict.fromkeys((*ARRANGEMENT_FACTS, *DERIVED_FACTS, *COMPANY_FACTS)))
# Facts only the company has: a provision conditioned on them alone still falls on the company.
COMPANY_ONLY_FACTS: frozenset[str] = frozenset(COMPANY_FACTS) - frozenset(ARRANGEMENT_FACTS)

_TOKEN = re.compile(r"\s*(?:(\()|(\))|([A-Za-z_][A-Za-z0-9_]*))")
_WORDS = frozenset({"and", "or", "not"})


class ConditionSyntaxError(ValueError):
    """An expression that does not parse or names an unknown fact (the message says where)."""


@dataclass(frozen=True)
class Expr:
    """A node of a condition: op is `fact` (name set), `not` (one arg), `and` / `or` (two or more args)."""

    op: str
    args: tuple[Expr, ...] = ()
    name: str = ""

    def holds(self, facts: frozenset[str] | set[str]) -> bool:
        if self.op == "fact":
            return self.name in facts
        if self.op == "not":
            return not self.args[0].holds(facts)
        if self.op == "and":
            return all(a.holds(facts) for a in self.args)
        return any(a.holds(facts) for a in self.args)

    def unmet(self, facts: frozenset[str] | set[str]) -> list[str]:
        """What does not hold, in words of the expression: the failing conjuncts of an `and`, else itself."""
        if self.holds(facts):
            return []
        if self.op == "and":
            return [str(a) for a in self.args if not a.holds(facts)]
        return [str(self)]

    def facts(self) -> Iterator[str]:
        if self.op == "fact":
            yield self.name
        for a in self.args:
            yield from a.facts()

    def __str__(self) -> str:
        if self.op == "fact":
            return self.name
        if self.op == "not":
            inner = self.args[0]
            return f"not {inner}" if inner.op in ("fact", "not") else f"not ({inner})"
        joined = f" {self.op} ".join(f"({a})" if a.op in ("and", "or") and a.op != self.op else str(a)
                                     for a in self.args)
        return joined


TRUE = Expr("and")  # the empty conjunction: no condition


def conjunction(parts: Iterable[Expr]) -> Expr:
    """`a and b and …` (flattened); TRUE when there is nothing."""
    args: list[Expr] = []
    for p in parts:
        args.extend(p.args if p.op == "and" else (p,))
    return args[0] if len(args) == 1 else Expr("and", tuple(args))


def all_of(facts: Iterable[str]) -> Expr:
    return conjunction(Expr("fact", name=f) for f in facts)


def parse(text: str, vocabulary: Iterable[str] = FACTS) -> Expr:
    """The expression of `text`; ConditionSyntaxError names the position and the unknown word."""
    known = frozenset(vocabulary)
    tokens: list[tuple[str, int]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ConditionSyntaxError(f"unexpected {text[pos:].strip()[:1]!r} at character {pos + 1}")
        tokens.append((m.group(m.lastindex or 0), m.start(m.lastindex or 0)))
        pos = m.end()
    if not tokens:
        raise ConditionSyntaxError("empty condition")
    parser = _Parser(tokens, known, text)
    expr = parser.disjunction()
    if parser.i < len(tokens):
        word, at = tokens[parser.i]
        raise ConditionSyntaxError(f"unexpected {word!r} at character {at + 1}")
    return expr


class _Parser:
    def __init__(self, tokens: list[tuple[str, int]], known: frozenset[str], text: str) -> None:
        self.tokens, self.known, self.text, self.i = tokens, known, text, 0

    def _peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def _binary(self, op: str, operand: str) -> Expr:
        args = [getattr(self, operand)()]
        while self._peek() == op:
            self.i += 1
            args.append(getattr(self, operand)())
        return args[0] if len(args) == 1 else Expr(op, tuple(args))

    def disjunction(self) -> Expr:
        return self._binary("or", "conjunction")

    def conjunction(self) -> Expr:
        return self._binary("and", "negation")

    def negation(self) -> Expr:
        if self._peek() == "not":
            self.i += 1
            return Expr("not", (self.negation(),))
        return self.atom()

    def atom(self) -> Expr:
        if self.i >= len(self.tokens):
            raise ConditionSyntaxError("the condition ends too early (a fact or '(' expected)")
        word, at = self.tokens[self.i]
        self.i += 1
        if word == "(":
            inner = self.disjunction()
            if self._peek() != ")":
                raise ConditionSyntaxError(f"')' expected to close the '(' at character {at + 1}")
            self.i += 1
            return inner
        if word == ")" or word in _WORDS:
            raise ConditionSyntaxError(f"a fact expected at character {at + 1}, got {word!r}")
        if word not in self.known:
            raise ConditionSyntaxError(
                f"unknown fact {word!r} at character {at + 1}; known: {', '.join(sorted(self.known))}")
        return Expr("fact", name=word)
