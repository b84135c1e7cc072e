"""Issue 9's acceptance: every sync publishes a snapshot that can be read back exactly.

The hand-written history in ``tests/fixtures/history/`` (five exports: full, full,
increment, full, full; README.md there lists what each one changes) is synced in order
into a fresh graph.  Right after sync k the test records what ``redgov audit Q --format
json`` answers for every catalog question (default parameters: the latest snapshot, as of
its date) and what readers see (:func:`engine_diff.dump_at` of the latest snapshot).
After the whole history:

- ``redgov audit Q --snapshot D_k`` and ``--snapshot RUN_ID_k`` answer exactly what was
  recorded right after sync k, for every question and every k; a date between two
  snapshots picks the earlier one; a date before the first is an error;
- ``dump_at(store, ordinal_k)`` equals the dump taken right after sync k, and no identity
  has two live versions at one snapshot;
- storage grows with change: fewer versions than snapshots × live elements.

One history per engine (a module fixture that syncs, records and reads back, then hands
the tests plain data and releases the graph); the tests compare.  The fixture's own
sanity is pinned too: the answers really differ between snapshots (so an engine that
answered every snapshot with the latest graph would fail here), and each change the
README lists shows in the answers right after its sync as worked out by hand
(:data:`BY_HAND`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from engine_diff import dump_at, identities, versions
from redgov.graph.snapshots import Snapshot, latest, list_snapshots
from redgov.loaders import sync_export
from redgov.queries import catalog

from redgov.cli import main

HISTORY = Path(__file__).parent / "fixtures" / "history"
EXPORTS = sorted(p for p in HISTORY.iterdir() if p.is_dir())
DATES = ["2024-06-30", "2024-09-30", "2024-10-31", "2024-12-31", "2025-03-31"]
KINDS = ["full", "full", "incremental", "full", "full"]
#: The eight questions the issue measured (the required catalog minus the analytics).
REQUIRED = ("compounds_without_branch", "company_party_org_status",
            "owners_committee_party_share", "one_shoulder", "cross_appointment_ratio",
            "supervisory_independence", "overdue_reelection", "coverage_rollup")
QUESTIONS = [q.name for q in catalog()]
Answer = dict[str, Any] | str  # the JSON answer, or the CLI's output when it failed
Dump = tuple[list[str], list[str]] | str  # or why dump_at refused (an end not live)


def dump_or_why(store: Any, ordinal: int) -> Dump:
    """:func:`dump_at`, or its refusal as text so that only the dump tests fail on it."""
    try:
        return dump_at(store, ordinal)
    except AssertionError as exc:
        return f"dump_at({ordinal}) refused: {exc}"


def audit(env: dict[str, str], name: str, *args: str) -> Answer:
    """``redgov audit NAME --format json ARGS`` through the real CLI, in process."""
    res = CliRunner().invoke(main, ["audit", name, "--format", "json", *args], env=env,
                             catch_exceptions=False)
    if res.exit_code != 0:
        return f"exit {res.exit_code}: {res.output.strip()[-300:]}"
    answer = json.loads(res.output)
    # A snapshot echoed in the parameters names the same snapshot however it was asked
    # for (latest, a date, a run id); what must match is the answer.
    answer["params"] = {k: v for k, v in answer["params"].items()
                        if not k.startswith("snapshot")}
    return answer


def answers(env: dict[str, str], names: list[str] | tuple[str, ...], *args: str
            ) -> dict[str, Answer]:
    return {name: audit(env, name, *args) for name in names}


@dataclass
class History:
    """What one engine recorded during the history and read back after it (plain data)."""

    runs: list[str] = field(default_factory=list)
    ordinals: list[int] = field(default_factory=list)
    recorded: list[dict[str, Answer]] = field(default_factory=list)  # right after sync k
    dumps: list[Dump] = field(default_factory=list)  # right after sync k
    listed: list[Snapshot] = field(default_factory=list)  # after the history
    by_date: list[dict[str, Answer]] = field(default_factory=list)
    by_run: list[dict[str, Answer]] = field(default_factory=list)
    between: list[dict[str, Answer]] = field(default_factory=list)  # day before D_k+1
    default: dict[str, Answer] = field(default_factory=dict)  # no --snapshot
    before_first: Answer = ""
    dumps_at: list[Dump] = field(default_factory=list)
    stored: int = 0  # node and relation versions after the history


@pytest.fixture(scope="module")
def history(engine: Any) -> History:
    h = History()
    with engine.fresh_graph("module fixture snapshot history") as graph, \
            pytest.MonkeyPatch.context() as mp:
        mp.setenv("REDGOV_HOME", str(engine.home))
        env = engine.env(graph)
        store = engine.open(graph)
        try:
            for export in EXPORTS:
                report = sync_export(store, export)
                assert report.status == "applied", (export.name, report.errors)
                h.runs.append(report.run_id)
                h.ordinals.append(latest(store.read))
                h.recorded.append(answers(env, QUESTIONS))
                h.dumps.append(dump_or_why(store, h.ordinals[-1]))
            h.listed = list_snapshots(store.read)
            for k, (day, run) in enumerate(zip(DATES, h.runs, strict=True)):
                h.by_date.append(answers(env, QUESTIONS, "--snapshot", day))
                h.by_run.append(answers(env, QUESTIONS, "--snapshot", run))
                h.dumps_at.append(dump_or_why(store, h.ordinals[k]))
                if k + 1 < len(DATES):
                    day_before_next = date.fromisoformat(DATES[k + 1]) - timedelta(days=1)
                    h.between.append(answers(env, REQUIRED, "--snapshot",
                                             day_before_next.isoformat()))
            h.default = answers(env, QUESTIONS)
            h.before_first = audit(env, "one_shoulder", "--snapshot", "2024-01-01")
            h.stored = len(versions(store))
        finally:
            store.close()
    return h


def mismatches(got: dict[str, Answer], want: dict[str, Answer]) -> dict[str, Any]:
    """The questions whose answers differ, with both sides (short) for the failure message."""
    out: dict[str, Any] = {}
    for name, expected in want.items():
        actual = got.get(name)
        if actual != expected:
            out[name] = {"want": _short(expected), "got": _short(actual)}
    return out


def _short(answer: Answer | None) -> Any:
    if not isinstance(answer, dict):
        return answer
    return {"params": answer["params"], "count": answer["count"], "rows": answer["rows"][:3]}


def rows(answer: Answer) -> Any:
    return answer["rows"] if isinstance(answer, dict) else answer


# --- the fixture itself ------------------------------------------------------------------


def test_every_sync_publishes_one_snapshot(history: History) -> None:
    assert history.ordinals == [1, 2, 3, 4, 5]
    assert [(s.ordinal, s.date, s.run_id, s.kind) for s in history.listed] == list(
        zip(history.ordinals, DATES, history.runs, KINDS, strict=True))


def test_fixture_answers_really_differ_between_snapshots(history: History) -> None:
    """Each snapshot's answers differ from another snapshot's for most required questions
    (rows compared, so an as-of date alone does not count), and every question among the
    eight changes somewhere in the history."""
    recorded = history.recorded
    assert all(isinstance(r[q], dict) for r in recorded for q in REQUIRED), recorded[0]
    for k, at_k in enumerate(recorded):
        differing = [q for q in REQUIRED
                     if any(rows(at_k[q]) != rows(other[q]) for other in recorded)]
        assert len(differing) >= 7, (k + 1, sorted(set(REQUIRED) - set(differing)))
    for q in REQUIRED:
        assert len({json.dumps(rows(r[q]), sort_keys=True) for r in recorded}) >= 2, q


def test_dumps_right_after_each_sync_differ(history: History) -> None:
    assert len({json.dumps(d) for d in history.dumps}) == len(history.dumps)


#: What the README's changes must do to the answers, known by hand: (question, columns)
#: → the rows' projection right after each of the five syncs.
BY_HAND: dict[tuple[str, tuple[str, ...]], list[list[tuple[Any, ...]]]] = {
    # B3 revoked (2) and restored (4); B5 founded (2); CP7 new (5).
    ("compounds_without_branch", ("compound_code", "finding")): [
        [("CP2", "应建未建"), ("CP4", "工作覆盖"), ("CP5", "应建未建"), ("CP6", "未覆盖")],
        [("CP2", "应建未建"), ("CP3", "未覆盖"), ("CP4", "工作覆盖"), ("CP6", "未覆盖")],
        [("CP2", "应建未建"), ("CP3", "未覆盖"), ("CP4", "工作覆盖"), ("CP6", "未覆盖")],
        [("CP2", "应建未建"), ("CP4", "工作覆盖"), ("CP6", "未覆盖")],
        [("CP2", "应建未建"), ("CP4", "工作覆盖"), ("CP6", "未覆盖"), ("CP7", "未覆盖")]],
    # OC3's term lapses (2), it is re-elected (3); OC1's lapses (5).
    ("overdue_reelection", ("committee_code", "days_overdue")): [
        [], [("OC3", 30)], [], [], [("OC1", 30)]],
    # OC2's chair P12 ends and P15 begins (2); P06's post ends and P07 retires (4), P07
    # returns (5).
    ("owners_committee_party_share", ("committee_code", "members", "party_members",
                                      "chair_code")): [
        [("OC1", 5, 3, "P01"), ("OC2", 4, 3, "P12"), ("OC3", 3, 1, "P17")],
        [("OC1", 5, 3, "P01"), ("OC2", 3, 2, "P15"), ("OC3", 3, 1, "P17")],
        [("OC1", 5, 3, "P01"), ("OC2", 3, 2, "P15"), ("OC3", 3, 1, "P17")],
        [("OC1", 3, 3, "P01"), ("OC2", 3, 2, "P15"), ("OC3", 3, 1, "P17")],
        [("OC1", 4, 3, "P01"), ("OC2", 3, 2, "P15"), ("OC3", 3, 1, "P17")]],
    # P06 leaves OC1 (4); P05 joins SC1 while on OC1 (5).
    ("supervisory_independence", ("person_code", "other_org_code")): [
        [("P06", "OC1")], [("P06", "OC1")], [("P06", "OC1")], [], [("P05", "OC1")]],
    # CP4 moves from ST1 to ST2 (4); CP7 (5); B3 and B5 count as party organisations.
    ("coverage_rollup", ("unit_code", "compounds", "with_party_org")): [
        [("ST1", 4, 2), ("ST2", 2, 0)], [("ST1", 4, 1), ("ST2", 2, 1)],
        [("ST1", 4, 1), ("ST2", 2, 1)], [("ST1", 3, 2), ("ST2", 3, 1)],
        [("ST1", 3, 2), ("ST2", 4, 1)]],
    # CB1 re-affiliated from SQ1 to GW1 (3).
    ("company_branch_affiliation", ("party_org_code", "parent_code")): [
        [("CB1", "SQ1")], [("CB1", "SQ1")], [("CB1", "GW1")], [("CB1", "GW1")],
        [("CB1", "GW1")]],
    # P10's post deleted (3); P27's post ends (4).
    ("company_party_org_status", ("company_code", "employees", "full_members", "finding")): [
        [("CO1", 4, 3, "ok"), ("CO2", 3, 3, "应建未建")],
        [("CO1", 4, 3, "ok"), ("CO2", 3, 3, "应建未建")],
        [("CO1", 3, 2, "ok"), ("CO2", 3, 3, "应建未建")],
        [("CO1", 3, 2, "ok"), ("CO2", 2, 2, "ok")],
        [("CO1", 3, 2, "ok"), ("CO2", 2, 2, "ok")]],
    ("one_shoulder", ("compound_code", "one_shoulder")): [
        [("CP1", True), ("CP3", False)], [("CP1", True)], [("CP1", True)],
        [("CP1", True), ("CP3", False)], [("CP1", True), ("CP3", False)]],
}


@pytest.mark.parametrize("question", sorted(BY_HAND), ids=lambda q: q[0])
def test_fixture_changes_show_in_the_answers_as_written(
    history: History, question: tuple[str, tuple[str, ...]]
) -> None:
    name, columns = question
    got = [[tuple(row[c] for c in columns) for row in rows(at[name])]
           for at in history.recorded]
    assert got == BY_HAND[question]


# --- reading a past snapshot back ----------------------------------------------------------


@pytest.mark.parametrize("k", range(5), ids=DATES)
def test_audit_by_snapshot_date_answers_as_right_after_that_sync(
    history: History, k: int
) -> None:
    assert mismatches(history.by_date[k], history.recorded[k]) == {}


@pytest.mark.parametrize("k", range(5), ids=DATES)
def test_audit_by_run_id_answers_as_right_after_that_sync(history: History, k: int) -> None:
    assert mismatches(history.by_run[k], history.recorded[k]) == {}


@pytest.mark.parametrize("k", range(4), ids=DATES[:4])
def test_a_date_between_two_snapshots_picks_the_earlier(history: History, k: int) -> None:
    want = {q: history.recorded[k][q] for q in REQUIRED}
    assert mismatches(history.between[k], want) == {}


def test_latest_is_the_default(history: History) -> None:
    assert mismatches(history.default, history.recorded[-1]) == {}


def test_a_date_before_the_first_snapshot_is_an_error(history: History) -> None:
    assert isinstance(history.before_first, str), history.before_first
    assert re.match(r"exit [12]:", history.before_first), history.before_first
    assert "快照" in history.before_first, history.before_first


@pytest.mark.parametrize("k", range(5), ids=DATES)
def test_what_readers_see_at_a_snapshot_is_what_they_saw_then(history: History, k: int
                                                             ) -> None:
    then, now = history.dumps[k], history.dumps_at[k]
    assert isinstance(then, tuple), then
    assert isinstance(now, tuple), now
    assert {"missing now": sorted(set(then[0]) - set(now[0]))[:5],
            "extra now": sorted(set(now[0]) - set(then[0]))[:5]} == {
        "missing now": [], "extra now": []}, "nodes"
    assert {"missing now": sorted(set(then[1]) - set(now[1]))[:5],
            "extra now": sorted(set(now[1]) - set(then[1]))[:5]} == {
        "missing now": [], "extra now": []}, "relations"
    assert now == then


@pytest.mark.parametrize("k", range(5), ids=DATES)
def test_one_live_version_per_identity(history: History, k: int) -> None:
    dump = history.dumps_at[k]
    assert isinstance(dump, tuple), dump
    ids = identities(dump)
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_storage_grows_with_change_not_with_snapshots(history: History) -> None:
    assert all(isinstance(d, tuple) for d in history.dumps_at), history.dumps_at
    live = [len(d[0]) + len(d[1]) for d in history.dumps_at]
    assert max(live) <= history.stored < len(live) * live[-1], (history.stored, live)
