"""Which rows a chart shows first: the worst, as the question's header defines worst.

A chart has room for a few dozen bars; the rows it shows must be the ones a reader has
to act on, not the first few by code.  "Worst" is read from the catalog header, never
guessed per chart:

- ``finding: COLUMN — value, …``: finding rows come first (every row or none: no effect);
- ``headline: RATE``: then the lowest rate first — every headline rate in the catalog is a
  coverage or a share the rules want higher (R1, R5, R7, R8, R19);
- a row with no rate (nothing to divide by) is nothing to act on: it goes last;
- ties keep the question's own order (its codes), so the result is the same on every engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from .catalog import Question

__all__ = ["lowest_first", "worst_first"]

R = TypeVar("R", bound=Mapping[str, Any])


def lowest_first(rate: Any) -> tuple[int, float]:
    """A sort key: the lowest rate first, no rate (None or NaN) last.

    >>> sorted([0.9, None, 0.5, float("nan"), 1.0], key=lowest_first)[:3]
    [0.5, 0.9, 1.0]
    """
    if rate is None or rate != rate:
        return 1, 0.0
    return 0, float(rate)


def worst_first(question: Question, rows: Iterable[R]) -> list[R]:
    """``rows`` with the worst first (see the module's docstring).

    >>> from redgov.queries import get_question
    >>> q = get_question("owners_committee_party_share")
    >>> rows = [{"committee_code": "A", "share": 0.6, "finding": "ok"},
    ...         {"committee_code": "B", "share": 0.9, "finding": "主任非党员"},
    ...         {"committee_code": "C", "share": 0.2, "finding": "ok"},
    ...         {"committee_code": "D", "share": None, "finding": "ok"}]
    >>> [r["committee_code"] for r in worst_first(q, rows)]
    ['B', 'C', 'A', 'D']
    """
    def key(row: R) -> tuple[int, tuple[int, float]]:
        first = 0 if question.is_finding(row) else 1  # every row a finding: all level
        rate = lowest_first(row.get(question.headline)) if question.headline else (0, 0.0)
        return first, rate

    return sorted(rows, key=key)
