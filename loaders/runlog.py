"""The record of a run: the ``SyncRun`` node's properties and the ``sync-runs.jsonl`` log.

Only applied runs become ``SyncRun`` nodes (written in the same transaction as their
changes); every run, whatever its outcome, is appended to ``sync-runs.jsonl`` in the data
directory, so a rejected or unchanged run still leaves a trace.  Neither holds personal
data: issues carry masked values only.

Both carry the run's phase timings (``phases_json``: seconds per phase, read, validate,
diff, write, publish …), so a slow sync can be explained afterwards.  The node is
published with the timings up to the write; :data:`RECORD_PHASES` then adds the publish
phase's own time (a sync killed in between leaves the node without it, nothing worse).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..graph.cypher import cypher
from ..graph.home import data_dir, open_private
from .report import SyncReport

__all__ = ["LOG_FILE", "RECORD_PHASES", "WARNINGS_KEPT", "append_log", "new_run_id", "now_iso",
           "phases_json", "sync_run_props"]

LOG_FILE = "sync-runs.jsonl"
#: Warnings kept on a SyncRun node (all of them up to this many).
WARNINGS_KEPT = 5000

#: The complete phase timings, written onto the run's node once it is published.
RECORD_PHASES = cypher(
    "sync.record_phases",
    "MATCH (r:SyncRun) WHERE r.id = $id SET r.phases_json = $phases",
)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_run_id() -> str:
    """Sortable (to the microsecond) and unique: ``20261122T031500.123456Z-1a2b3c``.

    The newest run is found by ordering on the id, so two runs in one second must sort
    in the order they ran.
    """
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ") + "-" + secrets.token_hex(3)


def phases_json(report: SyncReport) -> str:
    return json.dumps(report.phases, sort_keys=False)


def sync_run_props(report: SyncReport) -> dict[str, Any]:
    return {
        "id": report.run_id,
        "source": report.source,
        "snapshot_date": report.snapshot_date,
        "exported_at": report.exported_at,
        "kind": report.kind,
        "status": report.status,
        "started_at": report.started_at,
        "finished_at": report.finished_at,
        "duration_s": round(report.duration_s, 3),
        "changes_json": json.dumps(report.changes, ensure_ascii=False, sort_keys=True),
        "warnings": len(report.warnings),
        "warnings_json": json.dumps(
            [w.to_json() for w in report.warnings[:WARNINGS_KEPT]], ensure_ascii=False
        ),
        "path": report.path,
        "export_digest": report.export_digest,
        "records_json": json.dumps(report.records, ensure_ascii=False, sort_keys=True),
        "phases_json": phases_json(report),
    }


def append_log(report: SyncReport, home: Path | None = None) -> Path | None:
    """Append one JSON line; a log that cannot be written never fails the sync."""
    home = home or data_dir()
    path = home / LOG_FILE
    entry = {
        **sync_run_props(report),
        "errors": len(report.errors),
        "errors_json": [e.to_json() for e in report.errors[:200]],
        "writes": report.writes,
    }
    with contextlib.suppress(OSError), open_private(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        return path
    return None
