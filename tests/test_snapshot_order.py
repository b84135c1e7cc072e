"""Snapshots are published in date order: an export dated before the latest is refused.

On ``sync_basic`` (快照日期 2024-03-01): a later export (2024-06-01, K2 renamed) is
published; an earlier one (2024-04-01, another rename) is then refused with one line naming
both dates, directly, through ``--review`` and under the writers' lock (the race of two
clerks), and the graph stays exactly as it was.  A second export of the latest date (a
correction) is accepted.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from redgov.graph.snapshots import list_snapshots, resolve
from redgov.graph.stores.base import Store
from redgov.loaders import sync_export
from test_review import _no_staged_sets
from test_sync_support import BASIC, copy_export, set_cell, set_manifest

from redgov.cli import main

__all__ = ["_no_staged_sets"]  # autouse: the session's data directory starts with no sets

_NAMES = "MATCH (u:Unit) RETURN u.code AS code, u.name AS name ORDER BY code"
LINE = "快照日期 2024-04-01 早于最新快照的日期 2024-06-01，未写入任何数据"


def dated(tmp: Path, day: str, k2_name: str) -> Path:
    folder = copy_export(tmp, to=f"export-{day}-{k2_name}")
    set_manifest(folder, "快照日期", day)
    set_cell(folder, "单位", 7, "名称", k2_name)
    return folder


def _state(store: Store) -> tuple[list[tuple[int, str | None]], list[dict]]:
    return ([(s.ordinal, s.date) for s in list_snapshots(store.read)],
            [dict(r) for r in store.read(_NAMES)])


def test_an_older_export_is_refused_and_changes_nothing(
        store: Store, redgov_env: dict[str, str], tmp_path: Path) -> None:
    assert sync_export(store, BASIC).status == "applied"
    assert sync_export(store, dated(tmp_path, "2024-06-01", "金山花园")).status == "applied"
    before = _state(store)
    older = dated(tmp_path, "2024-04-01", "金山家园")
    report = sync_export(store, older)
    assert report.status == "rejected", report.status
    assert report.errors[0].reason_zh.startswith(LINE), report.errors
    assert _state(store) == before
    dry = sync_export(store, older, dry_run=True)  # a dry run says the same
    assert dry.status == "rejected" and dry.errors[0].reason_zh.startswith(LINE)
    result = CliRunner().invoke(main, ["sync", str(older)])
    assert result.exit_code == 1 and LINE in result.output, result.output
    assert "--snapshot" in result.output  # and what to do
    en = CliRunner().invoke(main, ["sync", str(older), "--lang", "en"]).output
    assert "2024-04-01 is before the latest snapshot's date 2024-06-01" in en, en
    # Staging it for review is refused the same way; nothing is staged.
    result = CliRunner().invoke(main, ["sync", str(older), "--review"])
    assert result.exit_code == 1 and LINE in result.output, result.output
    assert json.loads(CliRunner().invoke(main, ["review", "list", "--format", "json"])
                      .output) == []
    assert _state(store) == before
    # Every date stays reachable by --snapshot, and a correction of the latest date lands.
    assert resolve(store.read, "2024-06-01").ordinal == 2
    fix = sync_export(store, dated(tmp_path, "2024-06-01", "金山苑"))
    assert fix.status == "applied"
    dates = [d for _, d in _state(store)[0]]
    assert dates == ["2024-03-01", "2024-06-01", "2024-06-01"], dates


def test_two_clerks_the_later_date_wins_under_the_lock(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Clerk B (2024-04-01) checks before clerk A (2024-06-01) publishes, then takes the
    writers' lock: the check there refuses it (simulated: B's first look is stale)."""
    from redgov.loaders import sync as sync_module

    assert sync_export(store, BASIC).status == "applied"
    assert sync_export(store, dated(tmp_path, "2024-06-01", "金山花园")).status == "applied"
    before = _state(store)
    real = sync_module.older_than_latest
    looks: list[int] = []

    def stale_first_look(read, snapshot_date):  # type: ignore[no-untyped-def]
        looks.append(1)
        return None if len(looks) == 1 else real(read, snapshot_date)

    monkeypatch.setattr(sync_module, "older_than_latest", stale_first_look)
    report = sync_export(store, dated(tmp_path, "2024-04-01", "金山家园"))
    assert report.status == "rejected" and len(looks) == 2, (report.status, looks)
    assert report.errors[0].reason_zh.startswith(LINE), report.errors
    monkeypatch.undo()
    assert _state(store) == before
    dates = [d for _, d in before[0]]
    assert dates == sorted(dates), dates


def test_a_staged_older_export_is_refused_at_approval(
        store: Store, redgov_env: dict[str, str], tmp_path: Path) -> None:
    """Staged while it was the newest, then a later date is published: approval refuses
    (nothing written) and the snapshots stay in date order."""
    assert sync_export(store, BASIC).status == "applied"
    staged = CliRunner().invoke(main, ["sync", str(dated(tmp_path, "2024-04-01", "金山家园")),
                                       "--review", "--format", "json"])
    sid = json.loads(staged.output)["staged_id"]
    assert sync_export(store, dated(tmp_path, "2024-06-01", "金山花园")).status == "applied"
    before = _state(store)
    result = CliRunner().invoke(main, ["review", "approve", sid])
    assert result.exit_code == 1 and "未写入任何数据" in result.output, result.output
    assert _state(store) == before
    dates = [d for _, d in before[0]]
    assert dates == sorted(dates), dates
