"""One pipeline for sync and review: ``prepare(store, export, …) → Prepared(scan, state, plan)``.

Against the real engines with the hand-made ``sync_basic`` export: on an empty graph the
plan adds every record; after that export is synced the same export prepares to an empty
plan at the new snapshot; a bad cell refuses the export (no plan, the error named); an
older snapshot date is refused; a plan check's refusal keeps the plan and says why.
"""

from __future__ import annotations

from pathlib import Path

from redgov.loaders import sync_export
from redgov.loaders.pii import Hasher, load_key
from redgov.loaders.prepare import Prepared, prepare
from redgov.loaders.read import open_export
from redgov.loaders.report import Issue, SyncReport
from test_sync_support import copy_export, set_cell, set_manifest


def _prepare(store, folder: Path, tmp_path: Path, **kw) -> tuple[Prepared, SyncReport]:  # type: ignore[no-untyped-def]
    report = SyncReport(status="rejected", run_id="t", path=str(folder))
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    with open_export(folder, work) as export:
        prepared = prepare(store, export, Hasher(load_key()), work, report, **kw)
        prepared.close()
    return prepared, report


def test_prepare_plans_what_a_sync_then_applies(store, tmp_path: Path) -> None:
    export = copy_export(tmp_path)
    first, report = _prepare(store, export, tmp_path)
    assert first.ok and first.state.snapshot == 0, first.errors
    assert first.plan is not None and len(first.plan.table("单位").add) == 6
    assert report.changes["人员"] == {"added": 4, "changed": 0, "retired": 0, "unchanged": 0}
    assert report.snapshot_date == "2024-03-01"
    synced = sync_export(store, export)
    assert synced.status == "applied" and synced.changes == report.changes
    again, _ = _prepare(store, export, tmp_path)
    assert again.ok and again.plan is not None and again.plan.empty
    assert again.state.snapshot == 1


def test_prepare_refuses_a_bad_export_without_a_plan(store, tmp_path: Path) -> None:
    export = copy_export(tmp_path)
    set_cell(export, "单位", 2, "层级", "村")
    refused, report = _prepare(store, export, tmp_path)
    assert refused.plan is None and not refused.ok
    found = [(e.table, e.column, e.value) for e in refused.errors]
    assert found[0] == ("单位", "层级", "村"), found
    assert {f[:2] for f in found} == {("单位", "层级")}, found
    assert report.changes == {}


def test_prepare_refuses_an_older_date_and_reports_a_plan_check(store, tmp_path: Path) -> None:
    export = copy_export(tmp_path)
    assert sync_export(store, export).status == "applied"
    set_manifest(export, "快照日期", "2024-01-01")
    older, _ = _prepare(store, export, tmp_path)
    assert older.plan is None and [e.column for e in older.errors] == ["快照日期"]
    unchecked, _ = _prepare(store, export, tmp_path, date_check=None)
    assert unchecked.ok, unchecked.errors
    set_manifest(export, "快照日期", "2024-04-01")
    no = Issue("", None, None, None, "范围外", "outside the scope")
    checked, _ = _prepare(store, export, tmp_path, check=lambda *_: [no])
    assert checked.plan is not None and checked.errors == [no]
