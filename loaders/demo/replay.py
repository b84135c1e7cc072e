"""Sync a demo history in date order, one published snapshot per month, and read it back.

Used by ``redgov demo --history N`` and by ``benchmarks/bench_snapshots.py``.  A month
whose export (by the loader's fingerprint of its bytes) is already a published snapshot
is not synced again: re-syncing an older month after a newer one would publish the old
state as a new snapshot, so running the same history twice reports every month
``unchanged`` and publishes nothing.
"""

from __future__ import annotations

from typing import Any

from ...graph.cypher import cypher
from ...graph.snapshots import list_snapshots, pick
from ...graph.stores.base import Store
from ..pii import load_key
from ..read import open_export
from ..report import APPLIED, UNCHANGED, SyncReport
from ..sync import fingerprint, sync_export
from .figures import graph_figures
from .history import Month

__all__ = ["snapshot_lines", "sync_history"]

_PUBLISHED_DIGESTS = cypher(
    "demo.published_digests",
    """
MATCH (r:SyncRun)
WHERE r.published = true
RETURN r.id AS run_id, r.export_digest AS digest
ORDER BY r.ordinal
""",
)


def sync_history(store: Store, months: list[Month]) -> list[SyncReport]:
    """Sync each month's folder in order; stop at the first that is not applied or
    unchanged (its report is the last)."""
    key = load_key()
    done = {r["digest"]: r["run_id"] for r in store.read(_PUBLISHED_DIGESTS) if r["digest"]}
    reports: list[SyncReport] = []
    for m in months:
        with open_export(m.folder) as export:
            digest = fingerprint(export, key)
        if digest in done:
            reports.append(SyncReport(status=UNCHANGED, run_id=done[digest], path=str(m.folder),
                                      snapshot_date=m.snapshot.isoformat(), kind="full",
                                      export_digest=digest))
            continue
        reports.append(sync_export(store, m.folder))
        if reports[-1].status not in (APPLIED, UNCHANGED):
            break
    return reports


def snapshot_lines(store: Store, months: list[Month], reports: list[SyncReport]
                   ) -> list[dict[str, Any]]:
    """Per synced month: its published snapshot, what the sync changed, and the headline
    figures read back *in that snapshot* (so the trend is the graph's, not the files')."""
    published = list_snapshots(store.read)
    out = []
    for m, report in zip(months, reports, strict=False):
        date = m.snapshot.isoformat()
        snap = pick(published, report.run_id) or pick(published, date)
        totals = {k: sum(c.get(k, 0) for c in report.changes.values())
                  for k in ("added", "changed", "retired")}
        out.append({
            "snapshot_date": date, "ordinal": snap.ordinal if snap else None,
            "run_id": snap.run_id if snap else report.run_id, "status": report.status,
            "seconds": round(report.duration_s, 1), "changes": totals,
            "churn": dict(m.events),
            "graph": graph_figures(store, date, snap.ordinal) if snap else {},
        })
    return out
