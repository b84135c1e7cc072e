"""``sync_export``: read → validate → diff → apply → record, for one export.

The steps are separate functions (``prepare.prepare`` — state, ``validate.scan``,
``diff.diff``, the plan check — then ``apply.apply_plan`` and ``runlog``); this module only
runs them in order and decides the status:

- any error → ``rejected``, nothing written;
- ``dry_run`` → ``dry-run``, the diff reported, nothing written;
- an empty diff → ``unchanged``, nothing written (not even a ``SyncRun``);
- else a new snapshot: under the writers' lock (``store.writing()``) an unpublished
  ``SyncRun`` with the next ordinal, the versions it writes in bounded batches
  (``apply.apply_plan``), then the ``SyncRun`` published in one step.  Readers pin a
  published snapshot, so they see the previous one until that step and the new one
  after it, never a mix; what a killed sync wrote is removed by the next one.

The graph state is read (at the latest published snapshot) before the lock is taken, so
unchanged and rejected runs never wait; under the lock the latest ordinal is read again,
and if another sync published meanwhile, state, validation and diff are redone.  A large
first sync instead validates in a worker process while it writes, table by table, under
the lock (``overlap.py``: the same errors, nothing published unless all is valid).

Shortcut for the same bytes again: each applied run records a fingerprint of the
export's bytes (with the loader version and the personal-data key's fingerprint).  When
the newest ``SyncRun`` carries the fingerprint of the export at hand, the graph is already
what this export makes of it — every write goes through a sync — so the run is
``unchanged`` without reading the rows (pass ``verify=True`` to diff anyway).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import threading
import time
from pathlib import Path
from typing import Any

from ..graph.compound_facts import facts_reader, warm_facts, write_facts
from ..graph.conditions import OPEN
from ..graph.cypher import cypher
from ..graph.snapshots import latest as latest_snapshot
from ..graph.stores.base import DEFAULT_BATCH, Store
from . import cypher_sync as q
from . import overlap
from .apply import Batches, apply_plan, clean
from .kept import load as load_kept
from .kept import remember
from .limits import BadLimit
from .pii import Hasher, load_key
from .prepare import PlanCheck, change_counts, older_than_latest, prepare
from .progress import PhaseClock
from .read import Export, ExportUnreadable, open_export
from .report import APPLIED, DRY_RUN, REJECTED, UNCHANGED, Issue, SyncReport
from .runlog import (
    RECORD_PHASES,
    WARNINGS_KEPT,
    append_log,
    new_run_id,
    now_iso,
    phases_json,
    sync_run_props,
)
from .state import read_state
from .tables import TABLE_ORDER
from .validate import Scan, read_manifest
from .workdir import private_dir

__all__ = ["LOADER_VERSION", "PlanCheck", "SyncRejected", "base_moved", "change_counts",
           "older_than_latest", "sync_export"]

#: Bump when normalisation or signatures change: old fingerprints then stop matching.
LOADER_VERSION = "sync-1"

_LAST_RUN = cypher(
    "sync.last_run",
    """
MATCH (r:SyncRun)
WHERE r.published = true
RETURN r.id AS id, r.export_digest AS digest, r.records_json AS records,
       r.warnings AS warnings, r.warnings_json AS warnings_json
ORDER BY r.ordinal DESC
LIMIT 1
""",
)
#: Rows a clean-up query touches at once (bounded memory on Neo4j).
CLEANUP_BATCH = 10_000


def remove_unpublished(writer: Any) -> int:
    """Remove what a killed or failed sync wrote, and return the latest published ordinal.

    Only versions above the latest published snapshot are touched, and no reader pins
    those, so this may run in many small transactions.  Cheap when there is nothing to
    do: one query finds no unpublished run.
    """
    _adopt_legacy(writer)
    published = latest_snapshot(writer.run)
    if writer.run(q.UNPUBLISHED_RUNS):
        params = {"published": published, "open": OPEN, "limit": CLEANUP_BATCH}
        for text in q.CLEANUP:
            while int((writer.run(text, params) or [{"n": 0}])[0]["n"] or 0):
                pass
        writer.run(q.DROP_UNPUBLISHED_RUNS)
    return published


def _keep_aside(store: Store, hasher: Hasher | None, state: Any, found: Any, plan: Any,
                published: tuple[str, int]) -> threading.Thread:
    """Keep what the next sync reads instead of the graph (kept.remember) on a thread,
    while this one reads and writes the snapshot's facts: at province the facts' reads
    leave this process waiting on the server and the keeping (≈ 20 s, mostly packing
    text) leaves the server idle.  The bundle names ``published``; it is used only when
    that is the latest published snapshot, so one written for a publish that then fails
    is never used.  The caller joins it before returning."""
    thread = threading.Thread(target=remember, name="redgov-keep", daemon=True,
                              args=(store, hasher, state, found, plan, published))
    thread.start()
    return thread


def _undo(writer: Any) -> None:
    """:func:`remove_unpublished` after a failed or interrupted sync, never raising (a kill
    leaves it to the next sync).  A Ctrl-C that landed inside a Neo4j driver call can leave
    the writer's connection mid-reply, so the undo is tried once more on a new session
    (``afresh``, Neo4j's writer only; FalkorDB's client drops such a connection itself)."""
    try:
        remove_unpublished(writer)
    except Exception:
        again = getattr(writer, "afresh", None)
        if again is not None:
            with contextlib.suppress(Exception):
                remove_unpublished(again())


def _adopt_legacy(writer: Any) -> None:
    """A graph written before snapshots existed becomes snapshot 1 (once)."""
    legacy = writer.run(q.LEGACY_RUNS)
    if not legacy:
        return
    params = {"open": OPEN, "limit": CLEANUP_BATCH}
    for text in q.ADOPT_LEGACY:
        while int((writer.run(text, params) or [{"n": 0}])[0]["n"] or 0):
            pass
    writer.run(q.ADOPT_LEGACY_RUN, {"id": legacy[0]["id"]})
    writer.run(q.MARK_LEGACY_RUNS)


class SyncRejected(Exception):
    """Raised inside the transaction to roll it back when a re-check finds errors."""


def base_moved(expected: int, found: int) -> Issue:
    """The refusal of a reviewed sync whose base snapshot is no longer the latest."""
    return Issue(
        "", None, None, f"{expected} → {found}",
        f"暂存后已有新的快照发布（暂存时基于第 {expected} 个快照，现为第 {found} 个）："
        "未应用任何更改；请重新暂存（redgov sync 路径 --review）后再审核",
        f"another snapshot was published since this change was staged (staged on snapshot "
        f"{expected}, now {found}): nothing was applied; stage it again and review it anew",
    )


class _Unchanged(Exception):
    """Raised inside the transaction to roll it back when a re-check finds nothing to do."""


def _last_run(reader: Any) -> dict[str, Any]:
    rows = reader(_LAST_RUN)
    return rows[0] if rows else {}


def _records(found: Scan) -> dict[str, int]:
    return {t.name: len(found.sigs[t.name]) for t in TABLE_ORDER if t.name in found.sigs}


def fingerprint(export: Export, key: bytes) -> str:
    """The export's bytes, the loader version and the key (by its HMAC, not itself)."""
    key_id = hmac.new(key, b"redgov fingerprint", hashlib.sha256).hexdigest()[:16]
    return hashlib.blake2b(
        f"{LOADER_VERSION}|{key_id}|{export.digest()}".encode(), digest_size=16
    ).hexdigest()


def sync_export(
    store: Store, path: Path | str, *, dry_run: bool = False, verify: bool = False,
    batch_size: int = DEFAULT_BATCH, expect_base: int | None = None,
    check: PlanCheck | None = None,
) -> SyncReport:
    """Sync one export (folder, .zip or .xlsx) into ``store``; see the module docstring.

    ``expect_base`` (an approved review): refuse (``rejected``, nothing written) unless the
    latest published snapshot is still that ordinal — checked first and again under the
    writers' lock, where the latest ordinal is read again.  ``check``: see :data:`PlanCheck`.
    """
    t0 = time.perf_counter()
    report = SyncReport(status=REJECTED, run_id=new_run_id(), path=str(path), started_at=now_iso())
    try:
        _run(store, Path(path), report, dry_run, verify, batch_size, t0, expect_base, check)
    except Exception:
        report.status = "failed"
        _finish(report, t0)
        append_log(report)
        raise
    append_log(report)
    return report


def _finish(report: SyncReport, t0: float) -> None:
    report.duration_s = time.perf_counter() - t0
    report.finished_at = now_iso()


def _same_bytes(export: Export, report: SyncReport, last: dict[str, Any], dry_run: bool) -> bool:
    """The shortcut: fill in an ``unchanged`` (or ``dry-run``) report from the last run."""
    if not last or last.get("digest") != report.export_digest or not last.get("records"):
        return False
    if int(last.get("warnings") or 0) > WARNINGS_KEPT:
        return False  # its warnings were not all kept: read the rows to list them again
    errors: list[Issue] = []
    m = read_manifest(export, errors)
    if errors:
        return False
    report.snapshot_date, report.kind = m.snapshot_date, m.kind_en
    report.source, report.exported_at = m.source, m.exported_at
    records = json.loads(last["records"])
    report.records = records
    report.changes = {
        t: {"added": 0, "changed": 0, "retired": 0, "unchanged": n} for t, n in records.items()
    }
    report.warnings = [Issue(**{k: w[k] for k in (
        "table", "row", "column", "value", "reason_zh", "reason_en")})
        for w in json.loads(last.get("warnings_json") or "[]")]
    report.status = DRY_RUN if dry_run else UNCHANGED
    return True


def _split(found: Scan, batches: Batches, apply_s: float) -> dict[str, float]:
    """Where a sequential sync's write time went (``SyncReport.split``)."""
    return {"apply_s": apply_s, "engine_s": batches.engine_s, "send_wait_s": batches.wait_s,
            "spool_write_s": found.spool.write_s, "spool_read_s": found.spool.read_s}


def _run(
    store: Store, path: Path, report: SyncReport, dry_run: bool, verify: bool, batch_size: int,
    t0: float, expect_base: int | None = None, check: PlanCheck | None = None,
) -> None:
    clock = PhaseClock(report.phases)  # the phases reported and timed (progress.py)
    clock.start("read")
    with private_dir() as workdir, contextlib.ExitStack() as stack:
        stack.callback(clock.stop)
        try:
            export = open_export(path, workdir)
        except ExportUnreadable as exc:
            report.errors = [Issue("", None, None, str(path), exc.zh, exc.en)]
            _finish(report, t0)
            return
        except BadLimit as exc:
            report.errors = [Issue("", None, None, None, f"输入上限设置无效：{exc}", str(exc))]
            _finish(report, t0)
            return
        with export:
            _run_export(store, export, report, dry_run, verify, batch_size, t0, workdir,
                        expect_base, check, clock)


def _run_export(
    store: Store, export: Export, report: SyncReport, dry_run: bool, verify: bool,
    batch_size: int, t0: float, workdir: Path, expect_base: int | None = None,
    check: PlanCheck | None = None,
    clock: PhaseClock | None = None,
) -> None:
    clock = clock or PhaseClock(report.phases)
    with contextlib.ExitStack() as stack:
        stack.callback(clock.stop)
        key = load_key()
        hasher = Hasher(key)
        report.export_digest = fingerprint(export, key)
        if expect_base is not None and (now := latest_snapshot(store.read)) != expect_base:
            report.errors = [base_moved(expect_base, now)]
            _finish(report, t0)
            return
        last = _last_run(store.read)
        if not verify and _same_bytes(export, report, last, dry_run):
            _finish(report, t0)
            return
        # The state kept at the last sync, else read from the graph (kept.py).
        t1 = time.perf_counter()
        state, memo = load_kept(store, hasher)
        report.split["state_read_s"] = round(time.perf_counter() - t1, 3)
        # A large first sync validates in a worker process while it writes (overlap.py).
        pipeline, state = overlap.begin(store, export, key, workdir, report, state=state,
                                        allowed=(check is None and expect_base is None
                                                 and not dry_run))
        if pipeline is not None:
            stack.callback(pipeline.close)
            clock.start("validate", len(TABLE_ORDER))
        else:
            prepared = prepare(store, export, hasher, workdir, report, check=check, clock=clock,
                               date_check=older_than_latest, state=state, memo=memo)
            stack.callback(lambda: prepared.close())
            if prepared.plan is not None:
                report.records = _records(prepared.scan)
            if prepared.errors or prepared.plan is None:
                report.errors = prepared.errors
                _finish(report, t0)
                return
            found, state, plan = prepared.scan, prepared.state, prepared.plan
            if dry_run or plan.empty:
                report.status = DRY_RUN if dry_run else UNCHANGED
                remember(store, hasher, state, found, plan, None)  # kept.py: for the next
                _finish(report, t0)
                return
            clock.start("write")
        keeping: threading.Thread | None = None
        try:
            with store.writing() as writer:
                published = remove_unpublished(writer)
                if expect_base is not None and published != expect_base:
                    report.errors = [base_moved(expect_base, published)]
                    raise SyncRejected
                # Again under the lock: another clerk may have published a later date.
                if older := older_than_latest(writer.run, report.snapshot_date):
                    report.errors = [older]
                    raise SyncRejected
                if published != state.snapshot and pipeline is not None:
                    state = pipeline.state = read_state(store)  # its worker waits for it
                elif published != state.snapshot:
                    # Another sync published meanwhile: redo the pure steps under the lock.
                    prepared.close()
                    prepared = prepare(store, export, hasher, workdir, report, check=check,
                                       date_check=None)
                    if prepared.plan is not None:
                        report.records = _records(prepared.scan)
                    if prepared.errors or prepared.plan is None:
                        report.errors = prepared.errors
                        raise SyncRejected
                    found, state, plan = prepared.scan, prepared.state, prepared.plan
                    if plan.empty:
                        raise _Unchanged
                ordinal = published + 1
                writer.run(q.CREATE_SYNC_RUN, {
                    "props": clean(sync_run_props(report)), "ordinal": ordinal})
                # The facts' texts planned beside the row writes (compound_facts.py).
                reader = facts_reader(store)
                warming = warm_facts(reader, report.snapshot_date)
                try:
                    t1 = time.perf_counter()
                    if pipeline is not None:
                        found, plan, batches = pipeline.write(writer, report, clock, batch_size,
                                                              ordinal)
                        report.split.update(pipeline.split)
                        if found.errors:
                            report.errors = found.errors
                            raise SyncRejected
                        report.records = _records(found)
                        report.changes = change_counts(plan)
                        if plan.empty:
                            raise _Unchanged
                    else:
                        batches = apply_plan(
                            writer, plan, found, state, export, hasher, report.run_id,
                            batch_size, ordinal,
                        )
                        report.split.update(_split(found, batches, time.perf_counter() - t1))
                    report.status = APPLIED
                    report.writes = batches.rows
                    clock.start("publish")
                    # What the next sync reads instead of the graph, kept while the facts
                    # are read and written (kept.py: used only once this is published).
                    keeping = _keep_aside(store, hasher, state, found, plan,
                                          (report.run_id, ordinal))
                    # The snapshot's compound facts, before readers can see it (issue 18).
                    # Neo4j: its reads side by side through store.read (fact_versions.py).
                    if warming is not None:
                        warming.join()
                    report.facts = write_facts(writer, report.run_id, ordinal,
                                               report.snapshot_date, batch_size,
                                               read=reader)
                    _finish(report, t0)
                    batches.before_commit()
                    writer.run(q.PUBLISH, {"id": report.run_id, "ordinal": ordinal,
                                           "props": clean(sync_run_props(report))})
                    clock.stop()
                    writer.run(RECORD_PHASES, {"id": report.run_id,
                                               "phases": phases_json(report)})
                except BaseException:
                    # Readers never saw this unpublished version; take it out now if the
                    # store still answers (a kill leaves it to the next sync).
                    clock.start("undo")
                    if keeping is not None:
                        keeping.join()  # its bundle names a snapshot never published
                    _undo(writer)
                    raise
        except SyncRejected:
            report.status = REJECTED
        except _Unchanged:
            report.status = UNCHANGED
        if keeping is not None:  # kept.py: this snapshot's state, for the next re-sync
            keeping.join()
        _finish(report, t0)
