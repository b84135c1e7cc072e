"""Published snapshots: which ones exist, and which one a ``--snapshot`` value names.

Every applied sync publishes one snapshot: its ``SyncRun`` node gets an ``ordinal``
(1, 2, …) and ``published = true`` in one final step; until then the versions it wrote
(``vf`` = its ordinal) are invisible, because every read pins ``$snapshot`` to a
published ordinal (:mod:`.conditions`).  ``SyncRun`` nodes are not versioned.

A ``--snapshot`` value is a run id, a date (the latest snapshot whose snapshot date is on
or before it; the one published last among several of that date) or ``latest``.

>>> pick([Snapshot(1, "2024-06-30", "a"), Snapshot(2, "2024-09-30", "b")], "2024-07-01").ordinal
1
>>> pick([Snapshot(1, "2024-06-30", "a"), Snapshot(2, "2024-09-30", "b")], "b").date
'2024-09-30'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from .cypher import cypher
from .stores.base import Row, StoreError

__all__ = [
    "NO_SNAPSHOT",
    "Snapshot",
    "SnapshotNotFound",
    "latest",
    "list_snapshots",
    "pick",
    "resolve",
    "with_snapshot",
]

#: The ordinal a read pins when nothing is published yet: nothing is visible.
NO_SNAPSHOT = 0
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_PUBLISHED = cypher(
    "snapshots.published",
    """
MATCH (r:SyncRun)
WHERE r.published = true
RETURN r.ordinal AS ordinal, r.snapshot_date AS date, r.id AS run_id, r.kind AS kind,
       r.source AS source, r.finished_at AS published_at
ORDER BY ordinal
""",
)
_LATEST = cypher(
    "snapshots.latest_ordinal",
    "MATCH (r:SyncRun) WHERE r.published = true RETURN max(r.ordinal) AS ordinal",
)


class SnapshotNotFound(StoreError):
    """A ``--snapshot`` value names no published snapshot; the message says which exist."""


@dataclass(frozen=True)
class Snapshot:
    ordinal: int
    date: str | None
    run_id: str
    kind: str | None = None
    source: str | None = None
    published_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"ordinal": self.ordinal, "date": self.date, "run_id": self.run_id,
                "kind": self.kind, "source": self.source, "published_at": self.published_at}


def list_snapshots(read: Any) -> list[Snapshot]:
    """Published snapshots, oldest first.  ``read`` is ``store.read`` (or a writer's run)."""
    return [Snapshot(int(r["ordinal"]), r["date"], r["run_id"], r.get("kind"),
                     r.get("source"), r.get("published_at")) for r in read(_PUBLISHED)]


def latest(read: Any) -> int:
    """The latest published ordinal, :data:`NO_SNAPSHOT` when there is none."""
    rows = read(_LATEST)
    value = rows[0]["ordinal"] if rows else None
    return int(value) if value is not None else NO_SNAPSHOT


def pick(snapshots: Sequence[Snapshot], spec: str | None) -> Snapshot | None:
    """The snapshot ``spec`` names among ``snapshots`` (oldest first), or None."""
    if not snapshots:
        return None
    if spec is None or spec.strip().lower() in ("", "latest"):
        return snapshots[-1]
    spec = spec.strip()
    for s in snapshots:
        if s.run_id == spec:
            return s
    if _DATE.match(spec) and _is_date(spec):
        on_or_before = [s for s in snapshots if s.date is not None and s.date <= spec]
        return on_or_before[-1] if on_or_before else None
    return None


def _is_date(text: str) -> bool:
    """A real calendar date (``2024-13-45`` has the shape but names no day)."""
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def resolve(read: Any, spec: str | None) -> Snapshot | None:
    """The published snapshot ``spec`` names; None only when nothing is published yet.

    Raises :class:`SnapshotNotFound` (its message lists what exists) for a value that
    names none: a date before the first snapshot, an unknown run id, a malformed value.
    """
    snapshots = list_snapshots(read)
    if not snapshots:
        if spec is None or spec.strip().lower() in ("", "latest"):
            return None
        raise SnapshotNotFound(f"没有已发布的快照：图中还没有同步过数据（--snapshot {spec}）")
    found = pick(snapshots, spec)
    if found is None:
        first, last = snapshots[0], snapshots[-1]
        raise SnapshotNotFound(
            f"没有与 --snapshot {spec} 对应的快照：可用 {len(snapshots)} 个，"
            f"快照日期 {first.date} 至 {last.date}，或写同步编号（run id）"
        )
    return found


def with_snapshot(read_latest: Any, query: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """``params`` with ``snapshot`` set to the latest published ordinal when the query
    uses ``$snapshot`` and the caller did not pin one.  Used by every store's ``read``
    so that a plain read answers for the latest snapshot."""
    out: dict[str, Any] = dict(params or {})
    if "snapshot" not in out and "$snapshot" in query:
        out["snapshot"] = latest(read_latest)
    return out


def rows_at(read: Any, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
    return list(read(query, with_snapshot(read, query, params)))
