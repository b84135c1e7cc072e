"""Answers kept per published snapshot (graph/summaries.py), on both engines.

``redgov status`` counts each snapshot once and reads the counts back afterwards; a new
snapshot is counted afresh; an entry is keyed by the snapshot's run id, so a graph
synced again from nothing never reads another graph's counts.
"""

from __future__ import annotations

from pathlib import Path

from redgov.graph.introspection import graph_counts, status
from redgov.graph.snapshots import list_snapshots
from redgov.graph.stores.base import Store
from redgov.graph.summaries import kept, summary_key
from redgov.loaders import sync_export
from test_sync_support import BASIC, add_row, copy_export, set_manifest

_ENTRIES = "MATCH (s:SnapshotSummary) RETURN s.kind AS kind, s.ordinal AS ordinal ORDER BY ordinal"


def test_status_counts_are_kept_per_snapshot(store: Store, tmp_path: Path) -> None:
    assert sync_export(store, BASIC).status == "applied"
    first = status(store)
    assert (first["nodes"], first["relations"]) == graph_counts(store)
    assert first["nodes"]["Person"] == 4, first["nodes"]
    assert store.read_meta(_ENTRIES) == [{"kind": "status.counts", "ordinal": 1}]
    assert status(store)["nodes"] == first["nodes"]  # read back, same answer

    folder = copy_export(tmp_path)
    add_row(folder, "人员", {"人员编码": "P9", "姓名": "赵六", "性别": "男", "政治面貌": "群众"})
    set_manifest(folder, "快照日期", "2024-06-01")
    assert sync_export(store, folder).status == "applied"
    second = status(store)
    assert second["nodes"]["Person"] == 5, second["nodes"]
    assert (second["nodes"], second["relations"]) == graph_counts(store)
    # the first snapshot's counts are still its own
    earlier = status(store, list_snapshots(store.read)[0])
    assert earlier["nodes"] == first["nodes"], earlier["nodes"]
    kinds = store.read_meta(_ENTRIES)
    assert kinds == [{"kind": "status.counts", "ordinal": 1},
                     {"kind": "status.counts", "ordinal": 2}], kinds


def test_kept_computes_once_and_keys_by_run_id(store: Store) -> None:
    assert sync_export(store, BASIC).status == "applied"
    snap = list_snapshots(store.read)[-1]
    calls: list[int] = []

    def compute() -> dict[str, object]:
        calls.append(1)
        return {"rows": [{"n": 1, "rate": 0.25, "codes": ("a", "b")}]}

    one = kept(store, "test.kind", snap, compute, {"p": 1})
    two = kept(store, "test.kind", snap, compute, {"p": 1})
    assert one == two == {"rows": [{"n": 1, "rate": 0.25, "codes": ["a", "b"]}]}, (one, two)
    assert len(calls) == 1, calls
    kept(store, "test.kind", snap, compute, {"p": 2})  # other parameters: another entry
    assert len(calls) == 2, calls
    assert summary_key("test.kind", snap, {"p": 1}) != summary_key("test.kind", snap, {"p": 2})
    assert kept(store, "test.kind", None, compute) == compute()  # nothing published: no entry


def test_an_answer_kept_by_other_code_is_not_read_back(store: Store, monkeypatch) -> None:
    """After an upgrade that changes a question, the answer the old code kept is stale:
    the code's fingerprint is in the key, so the new code computes afresh."""
    from redgov.graph import summaries

    assert sync_export(store, BASIC).status == "applied"
    snap = list_snapshots(store.read)[-1]
    assert kept(store, "test.code", snap, lambda: {"by": "old code"}) == {"by": "old code"}
    assert kept(store, "test.code", snap, lambda: {"by": "again"}) == {"by": "old code"}
    monkeypatch.setattr(summaries, "code_fingerprint", lambda: "another-release")
    assert kept(store, "test.code", snap, lambda: {"by": "new code"}) == {"by": "new code"}



def _ask_at_once(store: Store, snap: object, params: dict[str, str]) -> tuple[list, list]:
    """Six threads asking for one entry at the same moment: (their answers, computations)."""
    import threading
    import time

    calls: list[int] = []
    started = threading.Barrier(6)
    got: list[object] = []

    def compute() -> list[int]:
        calls.append(1)
        time.sleep(0.3)  # long enough for every other thread to arrive meanwhile
        return [1, 2, 3]

    def ask() -> None:
        started.wait()
        got.append(kept(store, "test.flight", snap, compute, params))  # type: ignore[arg-type]

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return got, calls


def test_kept_is_computed_once_when_asked_at_once(store: Store, monkeypatch) -> None:
    """Threads asking for the same entry at once wait for one computation, also when the
    answer is too long to keep (then it is shared in memory, not written)."""
    from redgov.graph import summaries

    assert sync_export(store, BASIC).status == "applied"
    snap = list_snapshots(store.read)[-1]
    for params, limit in (({"p": "kept"}, summaries.MAX_CHARS), ({"p": "long"}, 5)):
        monkeypatch.setattr(summaries, "MAX_CHARS", limit)
        got, calls = _ask_at_once(store, snap, params)
        assert got == [[1, 2, 3]] * 6, got
        assert len(calls) == 1, (params, calls)
    # the long answer was not kept: asked again later, it is computed again
    assert len(_ask_at_once(store, snap, {"p": "long"})[1]) == 1
