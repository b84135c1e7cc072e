"""Chunks sent on several lanes (loaders/lanes.py; Neo4j's writer offers two) end as one
lane ends: each chunk's batches in order, a lane's error raised before anything else is
sent and its chunk's later batches never sent, a barrier before a chunk of another table.

On FalkorDB the writer offers no lanes (one writer thread on the server): the same calls
go through one lane, so the same answers hold on both engines.  The whole-sync check (a
streamed history on lanes equals the sequential one, version for version) is
tests/test_sync_overlap.py's history test.
"""

from __future__ import annotations

from typing import Any

import pytest
from redgov.graph.cypher import cypher
from redgov.graph.stores.base import StoreError
from redgov.graph.stores.neo4j_store import DEFAULT_LANES, LANES_ENV, write_lanes
from redgov.loaders.apply import Batches

_CREATE = cypher("test.lanes.create",
                 "UNWIND $rows AS row CREATE (n:LaneProbe) SET n.k = row.k, n.t = $table")
#: Finds only what the chunk's create batch committed before it.
_LINK = cypher("test.lanes.link",
               "UNWIND $rows AS row MATCH (a:LaneProbe {k: row.k}) CREATE (a)-[:LANE_SELF]->(a)")
#: Refused by both engines: a map is not a property value.
_BAD = cypher("test.lanes.bad", "UNWIND $rows AS row CREATE (n:LaneProbe) SET n.bad = row.bad")
_COUNT = cypher("test.lanes.count", """
MATCH (n:LaneProbe)
OPTIONAL MATCH (n)-[r:LANE_SELF]->(n)
RETURN n.t AS t, count(DISTINCT n) AS nodes, count(r) AS links
ORDER BY t
""")


def _counts(store: Any) -> dict[str, tuple[int, int]]:
    return {r["t"]: (int(r["nodes"]), int(r["links"])) for r in store.read(_COUNT)}


def test_each_chunk_is_written_in_order_beside_the_others(store: Any) -> None:
    with store.writing() as w:
        assert getattr(w, "lanes", 1) == (DEFAULT_LANES if store.engine == "neo4j" else 1)
        b = Batches(w, "run", None, 3, 1)  # 3-row batches: several per send
        try:
            for table in ("first", "second"):
                for c in range(6):
                    rows = [{"k": f"{table}{c}-{i}"} for i in range(7)]
                    with b.chunk(table):
                        b.send(_CREATE, rows, table)
                        b.send(_LINK, rows, table)
            b.drain()
        finally:
            b.close()
    got = _counts(store)
    assert got == {"first": (42, 42), "second": (42, 42)}, got


def test_a_lanes_error_is_raised_and_its_chunks_later_batches_never_sent(store: Any) -> None:
    with store.writing() as w:
        b = Batches(w, "run", None, 2, 1)
        try:
            with b.chunk("ok"):
                b.send(_CREATE, [{"k": f"ok-{i}"} for i in range(4)], "ok")
            # Raised by the next send (one batch in flight) or by the drain (lanes).
            with pytest.raises(StoreError):
                with b.chunk("ok"):
                    b.send(_BAD, [{"k": "bad", "bad": {"a": 1}}], "bad")
                    b.send(_CREATE, [{"k": f"after-{i}"} for i in range(4)], "after")
                b.drain()
        finally:
            b.close()
    got = _counts(store)
    assert got == {"ok": (4, 0)}, got


@pytest.mark.parametrize(("value", "lanes"), [
    ("1", 1), ("4", 4), (" 3 ", 3), ("", DEFAULT_LANES), ("0", DEFAULT_LANES),
    ("5", DEFAULT_LANES), ("12", DEFAULT_LANES), ("x", DEFAULT_LANES), ("-2", DEFAULT_LANES),
    ("٣", DEFAULT_LANES), ("２", DEFAULT_LANES), ("1.5", DEFAULT_LANES),
])
def test_the_lanes_setting_is_checked(value: str, lanes: int,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LANES_ENV, value)
    assert write_lanes() == lanes, (value, write_lanes())
