"""The ONE place that says what may legitimately differ between the two engines' answers.

The differential test (test_differential.py) syncs the same exports into FalkorDB and
Neo4j and compares graphs and catalog answers after :func:`normalise`.  Everything not
listed here must be equal; a difference that needs a new rule here is a bug unless it is
a property of the drivers or of the run itself:

**Run identity and clock** — the only rule.  Each sync draws a fresh run id
(``SyncRun.id``, and the ``run`` property every node and relation written by it carries)
and reads the clock (``started_at``, ``finished_at``, ``duration_s``).  Run ids are
replaced by their position in the sync order (``run#1``, ``run#2`` …); the three clock
fields are dropped.

Nothing else is normalised: not integer vs float (on these data sets both engines return
``int`` for every integer and every aggregate of integers, so no rule is needed — a
``3`` vs ``3.0`` would show in CSV output and is treated as a bug), not ordering (rows
are compared as lists, in the catalog's order), not nulls, dates or strings.
"""

from __future__ import annotations

from typing import Any

CLOCK_FIELDS = frozenset({"started_at", "finished_at", "duration_s"})


def normalise(value: Any, run_ids: dict[str, str] | None = None) -> Any:
    """``value`` with run ids mapped through ``run_ids`` and clock fields dropped."""
    runs = run_ids or {}
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return runs.get(value, value)
    if isinstance(value, dict):
        return {k: normalise(v, runs) for k, v in value.items() if k not in CLOCK_FIELDS}
    if isinstance(value, list | tuple):
        return [normalise(v, runs) for v in value]
    return value


def run_map(run_ids: list[str]) -> dict[str, str]:
    """Run ids in the order their syncs ran → ``run#1``, ``run#2`` …"""
    return {rid: f"run#{i}" for i, rid in enumerate(run_ids, 1)}
