"""Issue 9's kill tests: a sync killed at any point leaves readers on the previous snapshot.

The previous snapshot is the history's first export (2024-06-30) with its people-side
tables left empty (units, organisations, contracts and ratings only); the killed sync is
the 2024-12-31 full export on top of it: every person, post, supervision and visit is
added, and units and organisations change (a compound moved, a branch re-affiliated, an
owners' committee re-elected) — versions to close and copy as well as new ones, about
ninety rows.  It runs in a child process with one row per batch, which SIGKILLs itself
through the loader's hook ``REDGOV_TEST_KILL_AFTER_BATCHES`` at eleven points (as soon as
the write opens, after batch 1, 2, 3, 5, 8, 13, 21, 34, 55, and after the last write just
before publishing), the eleven kills one after the other (each killed run first removes
what the previous one left).  After each kill:

- the killed sync's committed batches are in the graph (after batch 1 and later: the
  invisibility is not vacuous), yet what readers see (:func:`engine_diff.dump_at` of the
  latest published snapshot), the list of published snapshots and every required
  question's answer (checked after three of the kills) are exactly what they were before
  the killed syncs, and ``redgov status`` names the previous snapshot;
- after the last kill, a normal run of the same export is applied, and the graph — every snapshot as
  readers see it and every stored version, bookkeeping included — equals that of the same
  history synced without a kill into a fresh graph: nothing of the killed run is left.

On both engines (the ``store``/``redgov_env`` fixtures); the uninterrupted reference is
synced once per engine by a module fixture that hands over plain data.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from engine_diff import dump_at, versions
from redgov.graph.snapshots import latest, list_snapshots
from redgov.loaders import sync_export
from redgov.loaders.apply import KILL_HOOK
from test_snapshot_history import EXPORTS, REQUIRED, Dump, answers, dump_or_why

from redgov.cli import main

CHILD = Path(__file__).parent / "snapshot_sync.py"
KILLED = EXPORTS[3]
BATCH = 1  # rows per batch: the small export gets enough batches to kill it at 11 points
KILL_POINTS = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, -1)
#: Left with their header only in the previous snapshot (so the killed sync adds them).
EMPTIED = ("人员", "任职", "监管", "走访")


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first export without its people-side tables: the snapshot before the kill."""
    folder = tmp_path_factory.mktemp("kill") / "previous"
    shutil.copytree(EXPORTS[0], folder)
    for table in EMPTIED:
        path = folder / f"{table}.csv"
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n",
                        encoding="utf-8")
    return folder


def child_sync(env: dict[str, str], export: Path, kill_at: int | None
               ) -> subprocess.CompletedProcess[str]:
    """Sync ``export`` in a child process (see snapshot_sync.py), the hook set or not."""
    env = {k: v for k, v in env.items() if k != KILL_HOOK}
    if kill_at is not None:
        env[KILL_HOOK] = str(kill_at)
    return subprocess.run([sys.executable, str(CHILD), str(export), str(BATCH)], env=env,
                          capture_output=True, text=True, timeout=600, check=False)


def applied(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["status"] == "applied", report
    return report


def snapshot_rows(store: Any) -> list[tuple[Any, ...]]:
    """Published snapshots without their run ids (which differ between two graphs)."""
    return [(s.ordinal, s.date, s.kind) for s in list_snapshots(store.read)]


@dataclass
class Reference:
    """The history synced without a kill (plain data, the graph released)."""

    snapshots: list[tuple[Any, ...]]
    dumps: dict[int, Dump]
    stored: list[str]
    writes: int


@pytest.fixture(scope="module")
def reference(engine: Any, previous: Path) -> Reference:
    with engine.fresh_graph("module fixture kill reference") as graph, \
            pytest.MonkeyPatch.context() as mp:
        mp.setenv("REDGOV_HOME", str(engine.home))
        store = engine.open(graph)
        try:
            assert sync_export(store, previous).status == "applied"
            report = applied(child_sync({**os.environ, **engine.env(graph)}, KILLED, None))
            snaps = snapshot_rows(store)
            return Reference(snaps, {o: dump_or_why(store, o) for o, _, _ in snaps},
                             versions(store), int(report["writes"]))
        finally:
            store.close()


def status_latest(env: dict[str, str]) -> str | None:
    """The run id ``redgov status --format json`` names as the latest snapshot."""
    res = CliRunner().invoke(main, ["status", "--format", "json"], env=env,
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    info = json.loads(res.output)
    snap = info.get("snapshot") or info.get("latest_snapshot")
    if isinstance(snap, dict):
        return snap.get("run_id") or snap.get("id")
    return (info.get("last_sync") or {}).get("id")


def test_the_killed_export_needs_more_batches_than_the_last_kill_point(
    reference: Reference,
) -> None:
    assert reference.writes > max(KILL_POINTS), reference.writes
    assert reference.snapshots == [(1, "2024-06-30", "full"), (2, "2024-12-31", "full")]


def test_killed_syncs_are_invisible_and_the_rerun_equals_an_uninterrupted_one(
    store: Any, redgov_env: dict[str, str], reference: Reference, previous: Path,
) -> None:
    """Eleven kills in a row, then a normal run.  Each killed run starts by removing what
    the run killed before it left (the clean-up is exercised at every point), so the
    final run's graph — every version, bookkeeping included — equals the uninterrupted
    history only if no kill, and no clean-up, left anything behind."""
    assert sync_export(store, previous).status == "applied"
    ordinal = latest(store.read)
    published = list_snapshots(store.read)
    seen = dump_at(store, ordinal)
    said = answers(redgov_env, REQUIRED)
    kept = versions(store)

    for n, kill_at in enumerate(KILL_POINTS):
        done = child_sync(redgov_env, KILLED, kill_at)
        assert done.returncode == -signal.SIGKILL, (
            f"the sync was not killed at batch {kill_at} (exit {done.returncode}: it ended "
            f"first?) {done.stdout[-500:]} {done.stderr[-2000:]}")
        if kill_at != 0:  # batches were committed before the kill: invisible, not absent
            assert versions(store) != kept, f"the sync killed at {kill_at} left nothing to hide"
        assert latest(store.read) == ordinal, kill_at
        assert list_snapshots(store.read) == published, kill_at
        assert dump_at(store, ordinal) == seen, kill_at
        if n in (1, len(KILL_POINTS) // 2, len(KILL_POINTS) - 1):
            assert answers(redgov_env, REQUIRED) == said, kill_at
    assert status_latest(redgov_env) == published[-1].run_id

    applied(child_sync(redgov_env, KILLED, None))
    assert snapshot_rows(store) == reference.snapshots
    newest = max(reference.dumps)
    assert dump_at(store, newest) == reference.dumps[newest]
    stored = versions(store)
    assert {"left over": sorted(set(stored) - set(reference.stored))[:5],
            "missing": sorted(set(reference.stored) - set(stored))[:5]} == {
        "left over": [], "missing": []}
    assert stored == reference.stored
    for o, want in reference.dumps.items():
        assert isinstance(want, tuple), want  # the reference's own snapshots must dump
        assert dump_at(store, o) == want, f"snapshot {o} differs from the uninterrupted sync"
