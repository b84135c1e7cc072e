"""The post-publish warm step of the commands that publish (dashboard/warm.py), on both
engines.

The dashboard fixture's two exports (test_dashboard_fixture.py) synced with the warm step
forced on: after each sync the store keeps, for the new snapshot, the overview's answers
under the very keys the dashboard reads (``data.question`` → ``warm.kept_question``) and
the network questions' and every other catalog question's unscoped answers under the
runner's keys (queries/kept_answers.py), each equal to the answer computed afresh at that
snapshot; the second snapshot's entries hold its own answers (party
organisations in 1 of 3 compounds, then 2 of 3), never the first's.  Forced off, a sync
keeps nothing; unset, only graphs of at least ``MIN_COMPOUNDS`` compounds are warmed.
``redgov sync`` returns before its warm step, which runs detached
(dashboard/warm_background.py); two quick syncs warm only the latest snapshot.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from redgov.dashboard import warm
from redgov.dashboard import warm_background as wb
from redgov.dashboard.snapshot import PinnedStore
from redgov.graph.introspection import graph_counts
from redgov.graph.snapshots import Snapshot, list_snapshots
from redgov.graph.stores import resolve_store_spec
from redgov.graph.stores.base import Store
from redgov.graph.summaries import summary_key
from redgov.loaders import sync_export
from redgov.loaders.report import SyncReport
from redgov.queries import catalog, get_question, run_question
from redgov.queries import kept_answers as ka
from redgov.queries.fact_texts import choose_text
from redgov.queries.runner import as_day, resolve_params
from test_dashboard_fixture import write_export

_READ = "MATCH (s:SnapshotSummary {key: $key}) RETURN s.json AS json"
_KINDS = "MATCH (s:SnapshotSummary) RETURN DISTINCT s.kind AS kind ORDER BY kind"


def _kept(store: Store, key: str) -> object:
    rows = store.read_meta(_READ, {"key": key})
    assert rows, f"nothing kept under {key}"
    return json.loads(rows[0]["json"])


def _overview_entries(store: Store, snap: Snapshot, fresh: bool = True) -> dict[str, object]:
    """The overview's kept answers at ``snap`` (with ``fresh``, each checked against the
    answer computed afresh at ``snap``)."""
    rows_by_name: dict[str, object] = {}
    for name, params in warm.overview_asks(snap.date):
        text = warm.params_json(name, params, snap.date)
        key = summary_key(f"question.{name}", snap, {"params": text, "account_scope": "*"})
        entry = _kept(store, key)
        if fresh:
            again = run_question(PinnedStore(store, snap.ordinal), name, json.loads(text),
                                 snapshot=snap)
            assert entry["rows"] == json.loads(json.dumps(again.rows, default=str)), (name, entry)
        rows_by_name[name] = entry["rows"]
    return rows_by_name


def _answer_entries(store: Store, snap: Snapshot) -> None:
    """The network questions' and the other catalog questions' unscoped answers kept at
    ``snap`` (the runner's own keys), each equal to the answer computed afresh there."""
    pinned = PinnedStore(store, snap.ordinal)
    names = [*warm.ANALYTICS_WARMED, *(q.name for q in catalog() if q.kind == "cypher")]
    for name in names:
        q = get_question(name)
        resolved = resolve_params(store, q, {"as_of": snap.date}, snap)
        bound = {**resolved, "as_of_day": as_day(resolved["as_of"]), "snapshot": snap.ordinal}
        found = store.read_meta(ka._READ, {"key": summary_key(f"answer.{name}", snap, bound)})
        assert found, f"nothing kept for {name} at {snap}"
        columns, entry = ka.decode(found[0]["z"])
        if q.kind == "analytics":
            fresh = q.compute(pinned, bound)
        else:
            fresh = pinned.read(choose_text(pinned.read, name, q.text, bound, snap), bound)
        assert columns == q.column_names, (name, columns)
        assert entry == [{c: r[c] for c in columns} for r in fresh], (name, entry)


def _sync(store: Store, folder: Path) -> SyncReport:
    """A sync as the commands that publish run it: then the warm step."""
    report = sync_export(store, folder)
    warm.after_sync(store, report)
    return report


def test_a_warmed_sync_keeps_each_snapshot_its_own_answers(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDGOV_WARM", "on")
    # The unit page's reads only plan texts (nothing kept): tested alone below.
    monkeypatch.setattr(warm, "_unit_page", lambda *_: None)
    first = _sync(store, write_export(tmp_path / "e1"))
    assert first.status == "applied", first.errors
    assert first.split.get("warm_s") is not None, first.split
    assert not any(k.endswith("_failed") for k in first.split), first.split
    one = list_snapshots(store.read)[-1]
    before = _overview_entries(store, one)

    second = _sync(store, write_export(tmp_path / "e2", second=True))
    assert second.status == "applied", second.errors
    two = list_snapshots(store.read)[-1]
    assert two.ordinal == one.ordinal + 1, (one, two)
    after = _overview_entries(store, two)
    _answer_entries(store, two)
    # `redgov status`'s counts, kept for each snapshot: as counted afresh there
    for snap in (one, two):
        assert _kept(store, summary_key("status.counts", snap)) == [
            dict(c) for c in graph_counts(store, snap.ordinal)], snap
    # X1 has a party organisation at the first snapshot, X1 and X3 at the second.
    with_org = [sum(int(r["with_party_org"]) for r in rows["coverage_rollup"])  # type: ignore[union-attr]
                for rows in (before, after)]
    assert with_org == [1, 2], with_org
    # the first snapshot's are still its own
    assert _overview_entries(store, one, fresh=False) == before


def test_the_unit_page_part_runs_a_districts_reads(store: Store, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """What the warm step runs on Neo4j to plan a unit page's texts: every read and finding
    question of a district's page, without an error (nothing of it is kept)."""
    monkeypatch.setenv("REDGOV_WARM", "off")
    assert sync_export(store, write_export(tmp_path / "e1")).status == "applied"
    snap = list_snapshots(store.read)[-1]
    warm._unit_page(PinnedStore(store, snap.ordinal), snap)
    assert store.read_meta(_KINDS) == [], store.read_meta(_KINDS)


def test_an_unwarmed_sync_keeps_nothing(store: Store, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDGOV_WARM", "off")
    report = _sync(store, write_export(tmp_path / "e1"))
    assert report.status == "applied", report.errors
    assert "warm_s" not in report.split, report.split
    assert store.read_meta(_KINDS) == [], store.read_meta(_KINDS)


def _cli_sync(folder: Path) -> dict:
    """``redgov sync FOLDER --format json`` as a person runs it; its JSON report."""
    from click.testing import CliRunner

    from redgov.cli import main

    done = CliRunner().invoke(main, ["sync", str(folder), "--format", "json"],
                              catch_exceptions=False)
    assert done.exit_code == 0, done.output
    return json.loads(done.output)


def _kinds(store: Store) -> list:
    return store.read_meta(_KINDS)


def test_redgov_sync_returns_before_its_warm_step(store: Store, redgov_env: dict,
                                                  tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The command prints its report and returns while the warm step is still to come (it
    runs detached: dashboard/warm_background.py); waited for, it keeps the same answers
    as a fresh computation.  No timing: the test holds the store's warm lock, so the
    background warm cannot have run before the command returned."""
    monkeypatch.setenv("REDGOV_WARM", "on")
    spec = resolve_store_spec(None)
    with wb._store_lock(spec):
        report = _cli_sync(write_export(tmp_path / "e1"))
        assert report["status"] == "applied" and report["warm"] == "started", report
        assert wb.pending(spec), "no background warm pending"
        assert _kinds(store) == [], _kinds(store)  # nothing kept yet: the report came first
    assert wb.wait(spec, timeout=600), wb.pending(spec)
    snap = list_snapshots(store.read)[-1]
    _overview_entries(store, snap)
    _answer_entries(store, snap)


def test_two_quick_syncs_warm_only_the_latest(store: Store, redgov_env: dict, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Two syncs before the first's warm could start: the first snapshot's warm finds it
    is no longer the latest and does nothing; the second is warmed with its own answers."""
    monkeypatch.setenv("REDGOV_WARM", "on")
    spec = resolve_store_spec(None)
    with wb._store_lock(spec):
        for name, second in (("e1", False), ("e2", True)):
            assert _cli_sync(write_export(tmp_path / name, second=second))["warm"] == "started"
        assert len(wb.pending(spec)) == 2, wb.pending(spec)
    assert wb.wait(spec, timeout=600), wb.pending(spec)
    one, two = list_snapshots(store.read)[-2:]
    key = summary_key("question.coverage_rollup", one, {
        "params": warm.params_json("coverage_rollup", warm.overview_asks(one.date)[0][1],
                                   one.date), "account_scope": "*"})
    assert store.read_meta(_READ, {"key": key}) == [], "the older snapshot was warmed"
    after = _overview_entries(store, two)
    assert sum(int(r["with_party_org"]) for r in after["coverage_rollup"]) == 2, after


def test_an_approved_review_returns_before_its_warm_step(
        store: Store, redgov_env: dict, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``redgov review approve`` publishes through loaders/staging.py: its warm step is
    detached too, and waited for it keeps the approved snapshot's answers."""
    from click.testing import CliRunner

    from redgov.cli import main

    monkeypatch.setenv("REDGOV_WARM", "on")
    spec = resolve_store_spec(None)
    runner = CliRunner()
    staged = runner.invoke(main, ["sync", str(write_export(tmp_path / "e1")), "--review",
                                  "--format", "json"], catch_exceptions=False)
    assert staged.exit_code == 0, staged.output
    assert wb.pending(spec) == [], wb.pending(spec)  # staging publishes nothing: no warm
    with wb._store_lock(spec):
        done = runner.invoke(main, ["review", "approve", json.loads(staged.output)["staged_id"],
                                    "--format", "json"], catch_exceptions=False)
        assert done.exit_code == 0, done.output
        assert wb.pending(spec), "no background warm pending"
        assert _kinds(store) == [], _kinds(store)
    assert wb.wait(spec, timeout=600), wb.pending(spec)
    _overview_entries(store, list_snapshots(store.read)[-1])


def test_redgov_sync_with_warming_off_starts_nothing(store: Store, redgov_env: dict,
                                                     tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDGOV_WARM", "off")
    spec = resolve_store_spec(None)
    report = _cli_sync(write_export(tmp_path / "e1"))
    assert report["status"] == "applied" and report["warm"] == "off", report
    assert wb.pending(spec) == [], wb.pending(spec)
    assert _kinds(store) == [], _kinds(store)


def test_when_a_sync_warms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDGOV_WARM", raising=False)
    assert [warm.wanted(n) for n in (None, 3, warm.MIN_COMPOUNDS)] == [False, False, True]
    monkeypatch.setenv("REDGOV_WARM", "on")
    assert warm.wanted(3)
    monkeypatch.setenv("REDGOV_WARM", "off")
    assert not warm.wanted(10 * warm.MIN_COMPOUNDS)


def test_redgov_warm_by_hand_and_a_failed_warm_logs_masked(
        store: Store, redgov_env: dict, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``redgov warm`` by hand warms the latest snapshot; a warm that fails says so in
    ``warm.log`` with personal data masked, and leaves the published snapshot as it was."""
    from click.testing import CliRunner
    from redgov.graph.home import data_dir

    from redgov.cli import main

    monkeypatch.setenv("REDGOV_WARM", "off")
    assert _cli_sync(write_export(tmp_path / "e1"))["warm"] == "off"
    snap = list_snapshots(store.read)[-1]
    spec = resolve_store_spec(None)

    def broken(*_: object, **__: object) -> dict[str, float]:
        raise RuntimeError("联系电话 13812345678")

    original = warm.warm
    monkeypatch.setattr(warm, "warm", broken)
    outcome, line = wb.run(store, spec, snap.ordinal)
    logged = (data_dir() / "warm.log").read_text(encoding="utf-8")
    assert outcome == "failed" and "13812345678" not in line + logged, (line, logged)
    assert list_snapshots(store.read)[-1] == snap, list_snapshots(store.read)
    monkeypatch.setattr(warm, "warm", original)
    monkeypatch.setattr(warm, "_unit_page", lambda *_: None)  # plans only: tested above
    done = CliRunner().invoke(main, ["warm"], catch_exceptions=False)
    assert done.exit_code == 0 and "已预热" in done.output, done.output
    _overview_entries(store, snap)
