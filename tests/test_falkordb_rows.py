"""The FalkorDB store's one-pass decoding of a read (graph/stores/falkordb_rows.py) gives
exactly the values the client's own parser gave, for every kind of cell: scalars, arrays
(nested, empty, mixed), maps, nodes, edges, paths, nulls; and errors still raise.

FalkorDB only: the decoding is of FalkorDB's reply (Neo4j's driver decodes its own).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from redgov.graph.cypher import cypher
from redgov.graph.stores import falkordb_store as fs
from redgov.graph.stores.base import StoreError
from redgov.graph.stores.falkordb_rows import ro_rows

_SEED = cypher("test.falkordb_rows.seed", falkordb_only=True, text="""
CREATE (:Unit {code: 'u1', name: '小区甲', level: 'compound', households: 120, ratio: 0.25,
               tags: ['a', 'b'], vf: 1, vt: 9})-[:PART_OF {vf: 1, vt: 9, w: 1.5}]->
       (:Unit {code: 'u2', name: '社区乙', level: 'community', vf: 1, vt: 9})
""")
_READS = [
    cypher("test.falkordb_rows.scalars", falkordb_only=True, text=
           "RETURN 'x' AS s, '中文' AS z, 7 AS i, -3 AS n, 1.0 / 3 AS d, true AS t, false AS f, "
           "null AS nul, [] AS e, [1, 'a', null, true, 2.5, [3, ['b']]] AS a, "
           "{k: 1, m: [1, 2], n: null, o: {p: 'q'}} AS m"),
    cypher("test.falkordb_rows.nodes", falkordb_only=True, text=
           "MATCH (a:Unit)-[r:PART_OF]->(b:Unit) RETURN a, r, b, a.tags AS tags, "
           "a.households AS h, a.ratio AS ratio, [a, b] AS both ORDER BY a.code"),
    cypher("test.falkordb_rows.paths", falkordb_only=True, text=
           "MATCH p = (:Unit)-[:PART_OF]->(:Unit) RETURN p, length(p) AS n"),
    cypher("test.falkordb_rows.none", falkordb_only=True,
           text="MATCH (x:Unit {code: 'none'}) RETURN x.code AS code"),
]


def _typed(rows: list[dict[str, Any]]) -> str:
    return json.dumps([[(k, type(v).__name__, v) for k, v in r.items()] for r in rows],
                      ensure_ascii=False, default=str)


def test_one_pass_decoding_gives_the_clients_values(falkor_store: Any) -> None:
    store = falkor_store
    with store.transaction() as w:
        w.run(_SEED)
    for text in _READS:
        got = ro_rows(store._graph, text, None, fs._plain)
        want = fs._rows(store._graph.ro_query(text))
        assert _typed(got) == _typed(want), (text, got, want)
        assert _typed(store.read(text)) == _typed(want), text
    assert store.read(_READS[3]) == []
    assert len(store.read(_READS[0])) == 1 and store.read(_READS[0])[0]["a"][5] == [3, ["b"]]
    with pytest.raises(StoreError):
        # The map comes as a parameter, so the text plans (the suite plans every registered
        # text with placeholder values) and the engine's error comes when it runs.
        store.read(cypher("test.falkordb_rows.bad", falkordb_only=True,
                          text="RETURN toInteger($m) AS x"), {"m": {"a": 1}})


_WRITE = cypher("test.falkordb_rows.write", falkordb_only=True, text="""
CREATE (u:Unit {code: 'u3', name: '小区丙', level: 'compound', vf: 1, vt: 9})
RETURN u, u.code AS code, [u.code, u.name] AS pair
""")


def test_a_writers_rows_are_decoded_as_a_read_s(falkor_store: Any) -> None:
    """The writer's ``run`` decodes in the same pass (the publish step reads its facts on
    the writer): the same values as the client's parser, for reads, for a write that
    returns rows, and a refused text still raises."""
    store = falkor_store
    with store.transaction() as w:
        w.run(_SEED)
        for text in _READS:
            assert _typed(w.run(text)) == _typed(fs._rows(w._graph.query(text))), text
        made = w.run(_WRITE)
        assert [(r["code"], r["pair"], r["u"]["name"]) for r in made] \
            == [("u3", ["u3", "小区丙"], "小区丙")], made
        assert w.run(_READS[3]) == []
        with pytest.raises(StoreError):
            w.run(cypher("test.falkordb_rows.bad_write", falkordb_only=True,
                         text="CREATE (x:Unit {code: toInteger($m)})"), {"m": {"a": 1}})
