"""Issue 18: a sync that validates in a worker process while it writes (loaders/overlap.py)
ends exactly as one that validates first, and keeps every guarantee of a sync.

Forced on with ``REDGOV_SYNC_OVERLAP=on`` (a real sync overlaps only large exports) and
compared with the same syncs forced off, on both engines:

- the snapshot history (full, full, increment, full, full: additions, changes,
  retirements with their cascades, restorations, re-ancestored units) gives the same
  reports (status, counts, records, warnings, rows written), every stored version
  (bookkeeping included) and every snapshot as readers see it; the phases are the usual
  ones, in order, and the overlap really ran (its worker's figures are in the split);
- an export with errors in a late table is rejected with exactly the errors the
  sequential sync lists, although tables before it were written meanwhile; afterwards
  the graph holds exactly what it held (every version), with no unpublished run;
- a sync killed while it writes (``REDGOV_TEST_KILL_AFTER_BATCHES``) takes its worker
  with it, publishes nothing, and the next sync equals an uninterrupted one;
- Ctrl-C (SIGINT) during the overlapped validation ends the command with 130, nothing
  published or left unpublished, and no worker left running (at whatever moment it lands:
  ``test_stop_points.py`` has why a first Ctrl-C is honoured at the loader's stop points).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from engine_diff import dump_at, versions
from redgov.graph.snapshots import latest, list_snapshots
from redgov.loaders import sync_export
from redgov.loaders.apply import KILL_HOOK
from redgov.loaders.overlap import OVERLAP_ENV
from redgov.loaders.progress import reporting
from redgov.loaders.spool import CHUNK_ENV
from test_snapshot_history import EXPORTS

from redgov.progress import PlainReporter

CHILD = Path(__file__).parent / "snapshot_sync.py"
ZH_PHASES = ["读取", "校验", "比对", "写入", "发布"]
WORKER = b"redgov.loaders.overlap"


def _history(store: Any, monkeypatch: pytest.MonkeyPatch, mode: str) -> dict[str, Any]:
    monkeypatch.setenv(OVERLAP_ENV, mode)
    monkeypatch.setenv(CHUNK_ENV, "16")  # the first sync streams its tables in chunks
    reports, lines, streamed = [], [], []
    for export in EXPORTS:
        out = _Lines()
        with reporting(PlainReporter("zh", out)):
            r = sync_export(store, export)
        reports.append({"status": r.status, "changes": r.changes, "records": r.records,
                        "warnings": [w.to_json() for w in r.warnings], "writes": r.writes,
                        "errors": [e.to_json() for e in r.errors], "phases": list(r.phases),
                        "overlapped": "wait_for_validation_s" in r.split})
        streamed.append(r.split.get("chunks_streamed", 0))
        lines.append([line.split()[1] for line in out.lines])
    ordinals = [s.ordinal for s in list_snapshots(store.read)]
    return {"reports": reports, "progress": lines, "versions": versions(store),
            "streamed": streamed, "dumps": {o: dump_at(store, o) for o in ordinals}}


class _Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, text: str) -> None:
        self.lines.extend(x for x in text.splitlines() if x.strip())

    def flush(self) -> None:
        pass


@pytest.mark.timeout(900)  # ten syncs: minutes on a loaded Neo4j
def _rejected_both_ways(store: Any, monkeypatch: pytest.MonkeyPatch, folder: Path,
                        graph: Any, before: Any) -> tuple[dict[str, Any], Any]:
    """Sync ``folder`` sequentially, then overlapped: both reject it and leave ``graph()``
    as ``before``; what each reported (errors, records, changes) and the last report."""
    seen = {}
    for mode in ("off", "on"):
        monkeypatch.setenv(OVERLAP_ENV, mode)
        report = sync_export(store, folder)
        assert report.status == "rejected", (mode, report.status)
        seen[mode] = [e.to_json() for e in report.errors], report.records, report.changes
        assert graph() == before, mode
    return seen, report


def test_an_overlapped_history_equals_a_sequential_one(
    engine: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    got: dict[str, dict[str, Any]] = {}
    for mode in ("off", "on"):
        with engine.fresh_store(f"overlap history {mode}") as store:
            got[mode] = _history(store, monkeypatch, mode)
    on, off = got["on"], got["off"]
    assert [r["overlapped"] for r in on["reports"]] == [True] * len(EXPORTS), on["reports"]
    assert [r["overlapped"] for r in off["reports"]] == [False] * len(EXPORTS)
    assert [r["status"] for r in on["reports"]] == ["applied"] * len(EXPORTS), on["reports"]
    assert on["progress"] == [ZH_PHASES] * len(EXPORTS), on["progress"]
    assert all(r["phases"] == ["read", "validate", "diff", "write", "publish"]
               for r in on["reports"]), on["reports"]
    for a, b in zip(on["reports"], off["reports"], strict=True):
        a.pop("overlapped"), b.pop("overlapped")
    assert on["streamed"][0] > 0 and not any(on["streamed"][1:]), on["streamed"]
    assert on["reports"] == off["reports"]
    assert len(on["dumps"]) == len(EXPORTS) and on["dumps"] == off["dumps"]
    assert {"only overlapped": sorted(set(on["versions"]) - set(off["versions"]))[:5],
            "only sequential": sorted(set(off["versions"]) - set(on["versions"]))[:5]} == {
        "only overlapped": [], "only sequential": []}
    assert on["versions"] == off["versions"]


def _broken(tmp_path: Path) -> Path:
    """The second history export with unknown codes in 走访 and 评价 (late tables: units,
    organisations, people, posts … are valid and get written before the errors show)."""
    folder = tmp_path / "broken"
    shutil.copytree(EXPORTS[1], folder)
    with open(folder / "走访.csv", "a", encoding="utf-8") as fh:
        fh.write("P_NOBODY,CO2,2024-07-01\n")
    with open(folder / "评价.csv", "a", encoding="utf-8") as fh:
        fh.write("CO_NONE,2023,红榜,A\n")
    return folder


def test_an_error_in_a_late_table_rejects_with_the_same_errors_and_leaves_the_graph(
    store: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    assert sync_export(store, EXPORTS[0]).status == "applied"
    before = (versions(store), list_snapshots(store.read), dump_at(store, 1))
    bad = _broken(tmp_path)
    seen, report = _rejected_both_ways(
        store, monkeypatch, bad,
        lambda: (versions(store), list_snapshots(store.read), dump_at(store, 1)), before)
    assert [e["table"] for e in seen["on"][0]] == ["走访", "评价"], seen["on"][0]
    assert seen["on"] == seen["off"]
    # Not vacuous: the overlapped run had written the tables before 走访, then undid them.
    assert report.split["engine_s"] > 0 and "undo" in report.phases, (report.split,
                                                                     report.phases)


def test_an_error_in_a_table_written_in_chunks_stops_the_writes_and_leaves_an_empty_graph(
    store: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    """A first sync streams 人员 in chunks of 4 while it is validated: a repeated person in
    its last row, found after chunks were written, rejects the sync with the sequential
    sync's errors (走访's too), and what was written is removed."""
    folder = tmp_path / "dup"
    shutil.copytree(EXPORTS[0], folder)
    people = (folder / "人员.csv").read_text("utf-8").splitlines()
    (folder / "人员.csv").write_text("\n".join([*people, people[1]]) + "\n", "utf-8")
    with open(folder / "走访.csv", "a", encoding="utf-8") as fh:
        fh.write("P_NOBODY,CO2,2024-07-01\n")
    monkeypatch.setenv(CHUNK_ENV, "4")
    seen, report = _rejected_both_ways(
        store, monkeypatch, folder, lambda: (versions(store), list_snapshots(store.read)),
        ([], []))
    assert [e["table"] for e in seen["on"][0]] == ["人员", "走访"], seen["on"][0]
    assert seen["on"] == seen["off"]
    # Not vacuous: people's first chunks were written before the repeat was found.
    assert report.split["chunks_streamed"] > 0 and "undo" in report.phases, (report.split,
                                                                             report.phases)


def _workers(graph: str) -> list[int]:
    """Running validation workers of syncs on ``graph`` (found by their environment)."""
    mark = f"REDGOV_GRAPH={graph}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if WORKER in (entry / "cmdline").read_bytes() and \
                    mark in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _no_workers(graph: str, timeout: float = 10.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while (left := _workers(graph)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_overlapped_sync_takes_its_worker_and_the_next_sync_equals_a_clean_one(
    engine: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    with engine.fresh_store("overlap kill reference") as clean:
        assert sync_export(clean, EXPORTS[0]).status == "applied"
        assert sync_export(clean, EXPORTS[3]).status == "applied"
        reference = (versions(clean), dump_at(clean, latest(clean.read)))
    with engine.fresh_graph("overlap kill") as graph:
        monkeypatch.setenv("REDGOV_HOME", str(engine.home))
        env = {**os.environ, **engine.env(graph), OVERLAP_ENV: "on"}
        store = engine.open(graph)
        try:
            assert sync_export(store, EXPORTS[0]).status == "applied"
            kept = (list_snapshots(store.read), dump_at(store, 1))
            for kill_at in KILL_POINTS:
                done = _child(env, kill_at)
                assert done.returncode == -signal.SIGKILL, (kill_at, done.stdout,
                                                            done.stderr[-2000:])
                assert _no_workers(graph) == [], kill_at
                assert (list_snapshots(store.read), dump_at(store, 1)) == kept, kill_at
            done = _child(env, None)
            assert done.returncode == 0, done.stderr[-2000:]
            report = json.loads(done.stdout.splitlines()[-1])
            assert report["status"] == "applied" and report["writes"] > max(KILL_POINTS), report
            assert (versions(store), dump_at(store, latest(store.read))) == reference
        finally:
            store.close()


#: Batches (of one row) after which the child kills itself; -1: just before publishing.
KILL_POINTS = (0, 3, 12, -1)


def _child(env: dict[str, str], kill_at: int | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in env.items() if k != KILL_HOOK}
    if kill_at is not None:
        env[KILL_HOOK] = str(kill_at)
    return subprocess.run([sys.executable, str(CHILD), str(EXPORTS[3]), "1"], env=env,
                          capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.timeout(900)
def test_ctrl_c_while_validating_in_the_worker_publishes_nothing_and_leaves_no_worker(
    store: Any, redgov_env: dict[str, str], graph_name: str, tmp_path: Path,
    district_demo: Any,
) -> None:
    export = district_demo(tmp_path / "district")
    env = {k: v for k, v in redgov_env.items() if k != "CI"}
    env[OVERLAP_ENV] = "on"
    proc = subprocess.Popen(
        [sys.executable, "-m", "redgov", "sync", str(export), "--progress", "plain"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 300
    while not _workers(graph_name) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _workers(graph_name), "the sync never started its validation worker"
    time.sleep(0.3)  # the worker starts; the sync waits for its first table
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, (proc.returncode, out, err[-3000:])
    assert "Traceback" not in err, err[-3000:]
    assert "已中断" in err.splitlines()[-1], err[-3000:]
    assert "正在中断" in err, err[-3000:]  # a first Ctrl-C asks; the sync stops at a stop point
    assert _no_workers(graph_name) == []
    assert list_snapshots(store.read) == []
    assert versions(store) == [], versions(store)[:5]  # nothing left unpublished either
    assert not [p for p in (Path(env["REDGOV_HOME"]) / "tmp").glob(f"sync-{proc.pid}-*")]
