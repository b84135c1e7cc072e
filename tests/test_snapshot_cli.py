"""``--snapshot`` on ``redgov audit`` and ``redgov status``, through the real CLI and loader.

The audit fixture is synced twice: audit_base (snapshot date 2024-01-01, ordinal 1), then
audit_main (2024-06-30, ordinal 2).  A date picks the latest snapshot on or before it, a
run id its own snapshot, ``latest`` (the default) the last one; a date before the first
snapshot or a value naming nothing is one Chinese line naming what exists, exit 2;
``--as-of`` defaults to the chosen snapshot's date, and the answer records the snapshot.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook
from redgov.graph.snapshots import Snapshot, SnapshotNotFound, list_snapshots
from redgov.graph.stores.base import Store
from redgov.graph.summaries import forget
from redgov.queries import run_question
from test_questions import synced_store

from redgov.cli import main


@pytest.fixture(scope="module")
def fx(engine: Any) -> Iterator[Store]:
    yield from synced_store(engine, "snapshot cli")


@pytest.fixture(scope="module")
def snaps(fx: Store) -> list[Snapshot]:
    found = list_snapshots(fx.read)
    assert [(s.ordinal, s.date) for s in found] == [(1, "2024-01-01"), (2, "2024-06-30")]
    return found


def cli(fx: Store, engine: Any, *args: str) -> Result:
    env = engine.env(getattr(fx, "graph_name", ""))
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def answer(fx: Store, engine: Any, name: str, *args: str) -> dict[str, Any]:
    res = cli(fx, engine, "audit", name, "--format", "json", *args)
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def test_latest_by_default_by_name_date_and_run_id(fx: Store, engine: Any,
                                                   snaps: list[Snapshot]) -> None:
    latest = {"ordinal": 2, "date": "2024-06-30", "run_id": snaps[1].run_id}
    default = answer(fx, engine, "owners_committee_party_share")
    assert default["snapshot"] == latest and default["params"]["as_of"] == "2024-06-30"
    assert default["count"] == 3  # the fixture's three active owners' committees
    for spec in ("latest", snaps[1].run_id, "2024-06-30", "2030-01-01"):
        assert answer(fx, engine, "owners_committee_party_share", "--snapshot", spec) == \
            default, spec


def test_a_date_picks_the_latest_snapshot_on_or_before_it(fx: Store, engine: Any,
                                                          snaps: list[Snapshot]) -> None:
    first = {"ordinal": 1, "date": "2024-01-01", "run_id": snaps[0].run_id}
    for spec in ("2024-01-01", "2024-06-29", snaps[0].run_id):
        got = answer(fx, engine, "overdue_reelection", "--snapshot", spec)
        assert got["snapshot"] == first, spec
        # --as-of defaults to the chosen snapshot's date, not the latest one's
        assert got["params"]["as_of"] == "2024-01-01", spec
    got = answer(fx, engine, "overdue_reelection", "--snapshot", "2024-01-01",
                 "--as-of", "2024-07-01")
    assert got["snapshot"] == first and got["params"]["as_of"] == "2024-07-01"


@pytest.mark.parametrize("spec", ["2023-12-31", "20990101T000000.000000Z-ffffff", "yesterday",
                                  "2024-13-45"])
def test_an_unknown_snapshot_is_one_chinese_line_and_exit_2(fx: Store, engine: Any,
                                                            spec: str) -> None:
    for args in (("audit", "overdue_reelection"), ("audit", "overdue_reelection", "--format",
                                                  "csv"), ("status",)):
        res = cli(fx, engine, *args, "--snapshot", spec)
        assert res.exit_code == 2, (args, res.output)
        lines = res.output.strip().splitlines()
        assert lines == [f"没有与 --snapshot {spec} 对应的快照：可用 2 个，快照日期 2024-01-01 至 "
                         "2024-06-30，或写同步编号（run id）"], (args, res.output)


def test_all_and_xlsx_write_the_snapshot_on_the_cover(fx: Store, engine: Any,
                                                      snaps: list[Snapshot],
                                                      tmp_path: Path) -> None:
    out = tmp_path / "first.xlsx"
    res = cli(fx, engine, "audit", "--all", "--snapshot", "2024-03-31", "--out", str(out))
    assert res.exit_code == 0, res.output
    facts = {r[0]: r[1] for r in load_workbook(out)["封面"].iter_rows(
        min_row=3, max_row=13, values_only=True)}
    assert facts["快照日期"] == "2024-01-01" and facts["截至日期"] == "2024-01-01", facts
    assert facts["快照序号"] == 1 and facts["快照同步编号"] == snaps[0].run_id, facts
    one = tmp_path / "one.xlsx"
    res = cli(fx, engine, "audit", "overdue_reelection", "--snapshot", snaps[1].run_id,
              "--out", str(one))
    assert res.exit_code == 0, res.output
    facts = {r[0]: r[1] for r in load_workbook(one)["封面"].iter_rows(
        min_row=3, max_row=13, values_only=True)}
    assert facts["快照序号"] == 2 and facts["快照同步编号"] == snaps[1].run_id, facts
    res = cli(fx, engine, "audit", "--all", "--snapshot", "1999-01-01", "--out", str(one))
    assert res.exit_code == 2 and "没有与 --snapshot 1999-01-01 对应的快照" in res.output


def test_status_names_the_snapshot_and_lists_the_published_ones(fx: Store, engine: Any,
                                                               snaps: list[Snapshot]) -> None:
    res = cli(fx, engine, "status", "--format", "json")
    assert res.exit_code == 0, res.output
    info = json.loads(res.output)
    assert info["snapshot"] == snaps[1].to_json()
    assert info["snapshots"] == [s.to_json() for s in snaps]
    assert "SyncRun" not in info["nodes"] and info["nodes"]["Unit"] > 0, info["nodes"]
    chosen = json.loads(cli(fx, engine, "status", "--format", "json", "--snapshot",
                            snaps[0].run_id).output)
    assert chosen["snapshot"] == snaps[0].to_json() and chosen["snapshots"] == info["snapshots"]
    table = cli(fx, engine, "status").output
    assert f"快照：        第 2 个 2024-06-30 全量（编号 {snaps[1].run_id}）" in table, table
    assert "已发布快照：  共 2 个（--snapshot 写日期或编号）" in table, table
    listed = [line.strip() for line in table.splitlines() if line.startswith(" ")]
    assert listed == [f"第 2 个 2024-06-30 全量（编号 {snaps[1].run_id}）",
                      f"第 1 个 2024-01-01 全量（编号 {snaps[0].run_id}）"], table
    table = cli(fx, engine, "status", "--snapshot", "2024-05-01").output
    assert f"快照：        第 1 个 2024-01-01 全量（编号 {snaps[0].run_id}）" in table, table


def test_status_counts_only_what_the_snapshot_holds(fx: Store, engine: Any) -> None:
    """Counts are of the versions live at the snapshot: a version closed before it, or
    written by a later (unpublished) sync, is not counted; SyncRun nodes never are."""
    def units(*spec: str) -> int:
        res = cli(fx, engine, "status", "--format", "json", *spec)
        assert res.exit_code == 0, res.output
        return json.loads(res.output)["nodes"]["Unit"]

    latest, first = units(), units("--snapshot", "2024-01-01")
    with fx.transaction() as w:  # an unpublished sync's new version, and one closed at 2
        w.run("CREATE (:Unit {code: 'NEW', level: 'compound', vf: 3, vt: 2147483647}) "
              "CREATE (:Unit {code: 'OLD', level: 'compound', vf: 1, vt: 2})")
    # The write above changed published snapshot 1 by hand (a sync never does), so the
    # counts status kept for it (graph/summaries.py) are forgotten.
    forget(fx)
    try:
        assert units() == latest
        assert units("--snapshot", "2024-01-01") == first + 1
        assert units("--snapshot", "2024-06-30") == latest
    finally:
        with fx.transaction() as w:
            w.run("MATCH (u:Unit) WHERE u.vf = 3 OR u.code = 'OLD' DETACH DELETE u")
        forget(fx)


def test_run_question_takes_a_snapshot_object_a_spec_or_none(fx: Store,
                                                             snaps: list[Snapshot]) -> None:
    """The API the CLI and the dashboard share: the answer records its snapshot."""
    by_object = run_question(fx, "overdue_reelection", snapshot=snaps[0])
    by_date = run_question(fx, "overdue_reelection", snapshot="2024-02-01")
    assert by_object.snapshot == by_date.snapshot == snaps[0]
    assert by_object.rows == by_date.rows and by_object.params["as_of"] == "2024-01-01"
    latest = run_question(fx, "overdue_reelection")
    assert latest.snapshot == snaps[1] and latest.to_dict()["snapshot"]["ordinal"] == 2
    # an account's scope is read at the chosen snapshot too
    scoped = run_question(fx, "overdue_reelection", snapshot=snaps[0], account_scope="DIST1")
    assert scoped.params["scope"] == "DIST1" and scoped.snapshot == snaps[0]
    with pytest.raises(SnapshotNotFound, match="快照日期 2024-01-01 至 2024-06-30"):
        run_question(fx, "overdue_reelection", snapshot="2023-01-01")
