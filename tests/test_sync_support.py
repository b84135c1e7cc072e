"""Helpers for the sync tests: copy a fixture export, edit its CSV cells, dump the graph.

The fixture ``tests/fixtures/exports/sync_basic`` is a hand-made city (one district, one
street, one community, two compounds, seven organisations, four people); each test copies
it to ``tmp_path`` and changes exactly what it is about, so the right answer stays
countable by hand.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path

from redgov.graph.cypher import cypher

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
BASIC = FIXTURES / "sync_basic"

#: Raw personal data in the fixture: must never reach the graph, the log or an error.
RAW_PII = ("350206198001011234", "35020619850208567X", "350206199003183456",
           "13812345678", "13900001111")

#: The loader's records only: the compound facts computed at publish time are derived
#: from them (graph/compound_facts.py, org_facts.py) and checked in test_compound_facts.py.
_DUMP_NODES = cypher(
    "test.sync.dump_nodes",
    "MATCH (n) WHERE NOT n:CompoundFact AND NOT n:PartyOrgFact "
    "AND ((n:SyncRun AND n.published = true) OR @live(n)) "
    "RETURN labels(n) AS labels, properties(n) AS props",
)
_DUMP_RELS = cypher(
    "test.sync.dump_rels",
    "MATCH (a)-[r]->(b) WHERE @live(r) RETURN type(r) AS type, properties(r) AS props, "
    "properties(a) AS a, properties(b) AS b",
)


def copy_export(tmp_path: Path, name: str = "sync_basic", to: str = "export") -> Path:
    target = tmp_path / to
    shutil.copytree(FIXTURES / name, target)
    return target


def read_rows(folder: Path, table: str) -> list[list[str]]:
    with open(folder / f"{table}.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def write_rows(folder: Path, table: str, rows: list[list[str]], encoding: str = "utf-8") -> None:
    with open(folder / f"{table}.csv", "w", encoding=encoding, newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(rows)


def edit(folder: Path, table: str, change: Callable[[list[list[str]]], None]) -> None:
    rows = read_rows(folder, table)
    change(rows)
    write_rows(folder, table, rows)


def set_cell(folder: Path, table: str, row: int, column: str, value: str) -> None:
    """Row numbers as in the file: the header is row 1."""
    def change(rows: list[list[str]]) -> None:
        rows[row - 1][rows[0].index(column)] = value
    edit(folder, table, change)


def add_row(folder: Path, table: str, values: dict[str, str]) -> int:
    """Append a row (missing columns empty); returns its row number."""
    rows = read_rows(folder, table)
    rows.append([values.get(h, "") for h in rows[0]])
    write_rows(folder, table, rows)
    return len(rows)


def drop_rows(folder: Path, table: str, keep: Callable[[dict[str, str]], bool]) -> None:
    def change(rows: list[list[str]]) -> None:
        header = rows[0]
        rows[1:] = [r for r in rows[1:] if keep(dict(zip(header, r, strict=False)))]
    edit(folder, table, change)


def set_manifest(folder: Path, item: str, value: str) -> None:
    def change(rows: list[list[str]]) -> None:
        for r in rows[1:]:
            if r[0] == item:
                r[1] = value
                return
        rows.append([item, value])
    edit(folder, "清单", change)


def make_incremental(folder: Path, snapshot: str, keep_tables: dict[str, list[dict[str, str]]]
                     ) -> None:
    """Rewrite ``folder`` as a 增量 export holding only ``keep_tables`` (rows with 操作)."""
    for path in folder.glob("*.csv"):
        if path.stem != "清单":
            path.unlink()
    set_manifest(folder, "类型", "增量")
    set_manifest(folder, "快照日期", snapshot)
    for table, rows in keep_tables.items():
        header = [*BASIC_HEADERS[table], "操作"]
        write_rows(folder, table, [header] + [[r.get(h, "") for h in header] for r in rows])


BASIC_HEADERS = {
    p.stem: tuple(read_rows(BASIC, p.stem)[0]) for p in BASIC.glob("*.csv")
}


#: Version bookkeeping: which snapshots a version belongs to, not what it says.
VERSION_PROPS = ("vf", "vt")


def plain(props: dict) -> dict:  # type: ignore[type-arg]
    return {k: v for k, v in props.items() if k not in VERSION_PROPS}


def dump(store) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    """Every node and relation readers see at the latest snapshot, with every property
    but the version bookkeeping, as sorted JSON lines."""
    nodes = sorted(
        json.dumps([r["labels"], plain(r["props"])], ensure_ascii=False, sort_keys=True)
        for r in store.read(_DUMP_NODES)
    )
    rels = sorted(
        json.dumps([r["type"], plain(r["props"]), plain(r["a"]), plain(r["b"])],
                   ensure_ascii=False, sort_keys=True)
        for r in store.read(_DUMP_RELS)
    )
    return nodes, rels


def one(store, query: str, **params):  # type: ignore[no-untyped-def]
    rows = store.read(query, params)
    assert len(rows) == 1, rows
    return rows[0]


_NODE = {
    label: cypher(f"test.sync.{label}",
                  f"MATCH (n:{label} {{{key}: $key}}) WHERE @live(n) RETURN properties(n) AS p")
    for label, key in (("Unit", "code"), ("Organisation", "code"), ("Person", "code"),
                       ("Rating", "key"))
}
_REL = cypher(
    "test.sync.rel",
    "MATCH (a)-[r]->(b) WHERE type(r) = $type AND r.key = $key AND @live(r) "
    "RETURN properties(r) AS p, properties(a) AS a, properties(b) AS b",
)
_COUNTS = cypher(
    "test.sync.counts",
    "MATCH (n) WHERE NOT n:CompoundFact AND NOT n:PartyOrgFact "
    "AND ((n:SyncRun AND n.published = true) OR @live(n)) "
    "RETURN labels(n)[0] AS label, count(*) AS n ORDER BY label",
)


def node(store, label: str, key: str) -> dict:  # type: ignore[no-untyped-def]
    return plain(one(store, _NODE[label], key=key)["p"])


def rel(store, type_: str, key: str) -> dict:  # type: ignore[no-untyped-def]
    return plain(one(store, _REL, type=type_, key=key)["p"])


def counts(store) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {r["label"]: r["n"] for r in store.read(_COUNTS)}


def status_counts(report) -> dict[str, dict[str, int]]:  # type: ignore[no-untyped-def]
    """Only the non-zero counts, for compact exact assertions."""
    return {t: {k: v for k, v in c.items() if v} for t, c in report.changes.items()}


def issues(report) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [(e.table, e.row, e.column, e.value) for e in report.errors]
