"""Issue 21's acceptance: a day of hourly pulls publishes what a person would have.

A registry on 127.0.0.1 (``tests/pull_registry.py``) hands out the history's exports
(``tests/fixtures/history``: full, full, increment, full, full) one after the other over a
simulated day, with faults on the way (an hour of 503s, a body cut mid-way, a re-export of
the same data, the increment zipped again and served late).  ``redgov pull`` runs every hour of the
simulated clock, taking only what is due.  A person syncing the five exports by hand into
another fresh graph is the reference: the pulled graph must list the same snapshots (dates,
kinds) and hold exactly what the hand-synced graph holds at every snapshot
(:func:`engine_diff.dump_at`) and answer the eight required questions identically at each
snapshot date (``redgov audit Q --snapshot DATE``).  On both engines, one after the other
(Neo4j has one database).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from engine_diff import dump_at
from pull_registry import Registry, RegistryServer, zip_export
from redgov.graph.snapshots import list_snapshots
from redgov.loaders import sync_export
from redgov.loaders.fetch import Retry
from redgov.loaders.pull import pull, read_status
from redgov.loaders.sources import HTTP, Source, add_source

from redgov.cli import main

HISTORY = Path(__file__).parent / "fixtures" / "history"
EXPORTS = sorted(p for p in HISTORY.iterdir() if p.is_dir())
ZIPS = [zip_export(p) for p in EXPORTS]
DATES = ["2024-06-30", "2024-09-30", "2024-10-31", "2024-12-31", "2025-03-31"]
REQUIRED = ("compounds_without_branch", "company_party_org_status",
            "owners_committee_party_share", "one_shoulder", "cross_appointment_ratio",
            "supervisory_independence", "overdue_reelection", "coverage_rollup")
T0 = 1_767_225_600.0  # a midnight; the clock of the simulated day
FAST = Retry(attempts=3, first_s=0.0, cap_s=0.0, sleep=lambda _s: None)


def _reexport(body: bytes, *, new_time: bool = True) -> bytes:
    """The same export written again: with another export time (other bytes, same data),
    or the very same tables zipped again in another order (same tables' bytes)."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(body)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in reversed(src.infolist()):
            data = src.read(info)
            if new_time and info.filename == "清单.csv":
                data = data.replace(b"18:00:00", b"21:45:00")
            dst.writestr(info, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


#: hour → what the registry does at that hour (before the pull of that hour).
DAY: dict[int, tuple[str, Any]] = {
    0: ("serve", 0), 4: ("serve", 1), 6: ("fault", "503"), 7: ("fault", None),
    9: ("serve+fault", (2, "cut")), 10: ("fault", None), 14: ("serve", 3),
    17: ("reexport", 3), 20: ("serve", 4), 22: ("rezip", 2),
}


def _audit(env: dict[str, str], name: str, day: str) -> Any:
    res = CliRunner().invoke(main, ["audit", name, "--format", "json", "--snapshot", day],
                             env=env, catch_exceptions=False)
    if res.exit_code != 0:
        return f"exit {res.exit_code}: {res.output.strip()[-300:]}"
    answer = json.loads(res.output)
    answer["params"] = {k: v for k, v in answer["params"].items()
                        if not k.startswith("snapshot")}
    # Which run published the snapshot differs between two graphs (a fresh id per run):
    # the snapshot is named by its ordinal and date, the answer is what must match.
    if isinstance(answer.get("snapshot"), dict):
        answer["snapshot"] = {k: v for k, v in answer["snapshot"].items()
                              if k in ("ordinal", "date", "kind")}
    return answer


def _record(store: Any, env: dict[str, str]) -> dict[str, Any]:
    snaps = list_snapshots(store.read)
    return {
        "snapshots": [(s.ordinal, s.date, s.kind) for s in snaps],
        "dumps": [dump_at(store, s.ordinal) for s in snaps],
        "answers": [{q: _audit(env, q, s.date) for q in REQUIRED} for s in snaps],
    }


def _by_hand(engine: Any) -> dict[str, Any]:
    with engine.fresh_graph("pull day: by hand") as graph, \
            pytest.MonkeyPatch.context() as mp:
        mp.setenv("REDGOV_HOME", str(engine.home))
        store = engine.open(graph)
        try:
            for export in EXPORTS:
                report = sync_export(store, export)
                assert report.status == "applied", (export.name, report.errors)
            return _record(store, engine.env(graph))
        finally:
            store.close()


def _pulled(engine: Any, home: Path) -> tuple[dict[str, Any], list[tuple[int, list[str]]]]:
    reg = Registry()
    srv = RegistryServer(reg)
    lines: list[tuple[int, list[str]]] = []
    try:
        add_source(Source(name="registry", kind=HTTP, location=srv.url, scope="CITY1",
                          schedule_s=3600, timeout_s=1.0), home=home)
        with engine.fresh_graph("pull day: pulled") as graph, \
                pytest.MonkeyPatch.context() as mp:
            mp.setenv("REDGOV_HOME", str(engine.home))
            store = engine.open(graph)
            try:
                for hour in range(24):
                    what, arg = DAY.get(hour, ("", None))
                    if what == "serve":
                        reg.serve(ZIPS[arg])
                    elif what == "serve+fault":
                        reg.serve(ZIPS[arg[0]])
                        reg.fault = arg[1]
                    elif what == "fault":
                        reg.fault = arg
                    elif what == "reexport":
                        reg.serve(_reexport(ZIPS[arg]))
                    elif what == "rezip":
                        reg.serve(_reexport(ZIPS[arg], new_time=False))
                    out = pull(store, only_due=True, home=home, retry=FAST,
                               now=lambda h=hour: T0 + h * 3600)
                    lines.append((hour, [o.status for o in out]))
                    # half an hour later nothing is due (the schedule is hourly)
                    later = pull(store, only_due=True, home=home, retry=FAST,
                                 now=lambda h=hour: T0 + h * 3600 + 1800)
                    assert later == [] or hour in (6, 9), (hour, [o.line() for o in later])
                return _record(store, engine.env(graph)), lines
            finally:
                store.close()
    finally:
        srv.close()


def test_a_day_of_hourly_pulls_publishes_what_a_person_would(engine: Any,
                                                             tmp_path: Path) -> None:
    hand = _by_hand(engine)
    pulled, lines = _pulled(engine, tmp_path)
    statuses = dict(lines)
    assert statuses[0] == ["applied"] and statuses[4] == ["applied"], lines
    assert statuses[6] == ["failed"] and statuses[7] == ["nothing-new"], lines
    assert statuses[9] == ["failed"] and statuses[10] == ["applied"], lines
    assert statuses[17] == ["unchanged"] and statuses[22] == ["already-synced"], lines
    assert sum(s == ["applied"] for s in statuses.values()) == 5, lines
    assert pulled["snapshots"] == hand["snapshots"], (pulled["snapshots"], hand["snapshots"])
    assert [d for _, d, _ in pulled["snapshots"]] == DATES
    for k, (mine, theirs) in enumerate(zip(pulled["dumps"], hand["dumps"], strict=True)):
        assert mine == theirs, (k + 1, sorted(set(mine[0]) ^ set(theirs[0]))[:4])
    for k, (mine, theirs) in enumerate(zip(pulled["answers"], hand["answers"], strict=True)):
        differ = {q: [(key, v, theirs[q].get(key)) for key, v in mine[q].items()
                      if v != theirs[q].get(key)] for q in REQUIRED if mine[q] != theirs[q]}
        assert not differ, (DATES[k], differ)
    assert all(isinstance(a, dict) for r in pulled["answers"] for a in r.values())
    status = read_status(tmp_path)["sources"]["registry"]
    assert status["failures_in_row"] == 0 and status["last_status"] == "nothing-new", status
