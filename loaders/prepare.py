"""One pipeline from an open export to a plan: state → scan → checks → diff → plan check.

A sync (``loaders/sync.py``: before the writers' lock and again under it when another sync
published meanwhile) and a review (``loaders/staging.py``) prepare an export the same way,
so they run this one function and differ only in what they do with the result: publish
it, stage it, or report it.

:func:`prepare` fills the report's manifest fields, warnings and per-table change counts
as it goes (so a refused export still reports what it found) and returns
:class:`Prepared`: the scan (whose spool the caller closes), the graph state it was
checked against, the plan (None when the export itself is refused) and the errors that
refuse it (empty: the plan may be applied or staged).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..graph.snapshots import list_snapshots
from ..graph.stores.base import Store
from . import kept
from .diff import Plan, diff
from .pii import Hasher
from .progress import PhaseClock
from .read import Export
from .report import Issue, SyncReport
from .state import GraphState
from .tables import MANIFEST, TABLE_ORDER
from .validate import Scan, scan

__all__ = ["DateCheck", "PlanCheck", "Prepared", "change_counts", "older_than_latest", "prepare"]

#: A last check of a diffed plan before anything is written (a pull's source scope,
#: loaders/scope_guard.py): the issues it returns reject the sync.  Run after every diff,
#: the one redone under the writers' lock included.
PlanCheck = Callable[[Store, Scan, Any, Plan], list[Issue]]


@dataclass
class Prepared:
    """An export prepared against the graph: ``plan`` is None when the export itself is
    refused (``errors`` say why); with a plan and errors, the plan check refused it."""

    scan: Scan
    state: GraphState
    plan: Plan | None
    errors: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.plan is not None and not self.errors

    def close(self) -> None:
        """Remove the scan's spool (the rows it kept on disk)."""
        self.scan.spool.close()


def older_than_latest(read: Any, snapshot_date: str | None) -> Issue | None:
    """The refusal of an export dated before the latest published snapshot, else None.

    Snapshots are published in date order: an older export published as the newest would
    roll the live graph back and make the later dates unreachable by ``--snapshot DATE``.
    An export of the same date as the latest is a correction and is accepted.
    """
    found = list_snapshots(read)
    latest_date = found[-1].date if found else None
    if not snapshot_date or not latest_date or str(snapshot_date) >= str(latest_date):
        return None
    return Issue(
        MANIFEST, None, "快照日期", str(snapshot_date),
        f"快照日期 {snapshot_date} 早于最新快照的日期 {latest_date}，未写入任何数据：请核对是否"
        f"选错了导出，按 {latest_date} 或之后的日期重新导出后再同步（查阅早先的数据用 "
        f"--snapshot 日期）",
        f"the snapshot date {snapshot_date} is before the latest snapshot's date "
        f"{latest_date}; nothing was applied: check the export, export again as of "
        f"{latest_date} or later and sync that (earlier data: --snapshot DATE)",
    )


#: The snapshot-date check (:func:`older_than_latest`, or a caller's own).
DateCheck = Callable[[Any, str | None], Issue | None]


def change_counts(plan: Plan) -> dict[str, dict[str, int]]:
    """The plan's counts per table, in table order (what a report lists)."""
    counts = plan.counts()
    return {t.name: counts[t.name] for t in TABLE_ORDER if t.name in counts}


def prepare(
    store: Store, export: Export, hasher: Hasher | None, workdir: Path | None,
    report: SyncReport, *, check: PlanCheck | None = None, clock: PhaseClock | None = None,
    date_check: DateCheck | None = older_than_latest, state: GraphState | None = None,
    memo: Any = None,
) -> Prepared:
    """Read the graph's state, validate the export against it, diff, run ``check``.

    ``date_check``: refuses an export older than the latest snapshot (None under the
    writers' lock, where the sync checks that with the writer's own reads first).
    ``clock``: the phases timed (``validate``, ``diff``); none when redone under the lock.
    ``state``: the graph's state when the caller has just read it (else read here), and
    ``memo`` the row memo kept with it (``kept.load``).
    """
    if state is None:  # kept at the last sync, else read (kept.py)
        state, memo = kept.load(store, hasher)
    if clock is not None:
        clock.start("validate", len(TABLE_ORDER))
    found = scan(export, state, hasher, workdir, memo)
    try:
        m = found.manifest
        report.snapshot_date, report.kind = m.snapshot_date, m.kind_en
        report.source, report.exported_at = m.source, m.exported_at
        report.warnings = found.warnings
        older = date_check(store.read, m.snapshot_date) if date_check is not None else None
        if found.errors or older:
            return Prepared(found, state, None, [*([older] if older else []), *found.errors])
        if clock is not None:
            clock.start("diff")
        plan = diff(found, state)
        report.changes = change_counts(plan)
        refused = check(store, found, state, plan) if check is not None else []
        return Prepared(found, state, plan, list(refused or []))
    except BaseException:
        found.spool.close()
        raise
