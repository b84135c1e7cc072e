"""``redgov diff``: what changed between two snapshots, and how the headline figures moved.

Two halves.  Record changes come from :mod:`.changes` (versions live at one snapshot and
not the other).  Figure moves are not computed anew: the catalog questions that define
the figures are asked of each snapshot — ``coverage_rollup`` for party-organisation and
owners'-committee coverage, the 一肩挑 share and the cross-appointment ratio (with the
same definitions as ``one_shoulder`` and ``cross_appointment_ratio``), and
``overdue_reelection`` counted per unit — each as of its own snapshot's date, and the
answers subtracted per unit at the chosen level.  So a figure in a diff is always the
figure ``redgov audit Q --snapshot S`` gives.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Final

from ..graph.snapshots import Snapshot
from ..graph.stores.base import Store
from .changes import Change, record_changes
from .runner import run_question, unknown_scope

__all__ = ["DIFF_LEVELS", "FIGURES", "Diff", "FigureMove", "diff", "figure_moves"]

#: The levels a diff rolls figures up to.
DIFF_LEVELS: Final = ("district", "street", "community", "compound")
#: Rates read from coverage_rollup; the overdue count is counted from overdue_reelection.
RATE_FIGURES: Final = ("party_org_rate", "owners_committee_rate", "one_shoulder_rate",
                       "cross_rate")
FIGURES: Final = (*RATE_FIGURES, "overdue")
_LEVEL_COLUMN = {"compound": "compound_code", "community": "community_code",
                 "street": "street_code", "district": "district_code"}


@dataclass(frozen=True)
class FigureMove:
    """One figure of one unit at two snapshots (None where the unit or its base is absent)."""

    unit_code: str
    unit_name: str | None
    figure: str
    before: float | int | None
    after: float | int | None

    @property
    def delta(self) -> float | int | None:
        if self.before is None or self.after is None:
            return None
        d = self.after - self.before
        return round(d, 4) if isinstance(d, float) else d

    @property
    def moved(self) -> bool:
        return self.before != self.after

    def to_json(self) -> dict[str, Any]:
        return {"unit_code": self.unit_code, "unit_name": self.unit_name,
                "figure": self.figure, "before": self.before, "after": self.after,
                "delta": self.delta}


@dataclass
class Diff:
    first: Snapshot
    second: Snapshot
    scope: str | None
    level: str
    changes: list[Change] = field(default_factory=list)
    figures: list[FigureMove] = field(default_factory=list)

    @property
    def moves(self) -> list[FigureMove]:
        """Only the figures that moved."""
        return [m for m in self.figures if m.moved]

    def counts(self) -> dict[str, dict[str, int]]:
        """Record changes counted per kind and change (for a summary line)."""
        out: dict[str, dict[str, int]] = {}
        for (kind, change), n in sorted(Counter((c.kind, c.change) for c in self.changes).items()):
            out.setdefault(kind, {})[change] = n
        return out

    def to_json(self) -> dict[str, Any]:
        return {"from": self.first.to_json(), "to": self.second.to_json(),
                "scope": self.scope, "level": self.level, "counts": self.counts(),
                "changes": [c.to_json() for c in self.changes],
                "figures": [m.to_json() for m in self.moves]}


def _at(store: Store, snapshot: Snapshot, level: str, scope: str | None,
        account_scope: str | None) -> tuple[dict[str, dict[str, Any]], Counter[str]]:
    params: dict[str, Any] = {"level": level, "scope": scope}
    rollup = run_question(store, "coverage_rollup", params, snapshot=snapshot,
                          account_scope=account_scope)
    units = {r["unit_code"]: r for r in rollup.rows}
    overdue = run_question(store, "overdue_reelection", {"scope": scope}, snapshot=snapshot,
                           account_scope=account_scope)
    column = _LEVEL_COLUMN[level]
    counted = Counter(str(r[column]) for r in overdue.rows if r.get(column))
    return units, counted


def figure_moves(store: Store, first: Snapshot, second: Snapshot, level: str = "street",
                 scope: str | None = None, account_scope: str | None = None) -> list[FigureMove]:
    """Every headline figure of every unit at ``level`` (in either snapshot), both values."""
    if level not in DIFF_LEVELS:
        raise ValueError(f"level {level!r} is not one of {', '.join(DIFF_LEVELS)}")
    with ThreadPoolExecutor(max_workers=2) as pool:  # the engines read on several threads
        earlier = pool.submit(_at, store, first, level, scope, account_scope)
        later = pool.submit(_at, store, second, level, scope, account_scope)
        a_units, a_over = earlier.result()
        b_units, b_over = later.result()
    out: list[FigureMove] = []
    for code in sorted(set(a_units) | set(b_units)):
        a, b = a_units.get(code), b_units.get(code)
        name = (b or a or {}).get("unit_name")
        for figure in RATE_FIGURES:
            out.append(FigureMove(code, name, figure, (a or {}).get(figure),
                                  (b or {}).get(figure)))
        out.append(FigureMove(code, name, "overdue", a_over.get(code, 0) if a else None,
                              b_over.get(code, 0) if b else None))
    return out


def diff(store: Store, first: Snapshot, second: Snapshot, *, level: str = "street",
         scope: str | None = None, account_scope: str | None = None) -> Diff:
    """Record changes and figure moves from ``first`` to ``second`` within ``scope``.

    ``account_scope`` (a dashboard account's unit) narrows like the catalog runner does;
    the record changes then use the narrowed scope too.
    """
    from ..graph import scope as scoping

    effective = scope
    if account_scope is not None:
        try:
            effective = scoping.intersect(store, account_scope, scope)
        except scoping.OutOfScope:  # outside the account: as if it did not exist
            raise unknown_scope(scope) from None
        if effective is not None:  # a roll-up above the scope's own level is lowered to it
            level = scoping.clamp_level(store, effective, level)
    result = Diff(first, second, effective, level)
    with ThreadPoolExecutor(max_workers=1) as pool:
        records = pool.submit(record_changes, store, first, second, effective)
        result.figures = figure_moves(store, first, second, level, effective, account_scope)
        result.changes = records.result()
    return result
