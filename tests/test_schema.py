"""One declaration per registry table (loaders/schema.py) and what is derived from it.

The column tables in docs/registry.md are generated (stale docs fail here); the review's
field list, the display labels, the relation properties and the demo headers come from
the declarations; a column declared with no values changes no signature, so a resync
writes nothing, and a column with values reaches the graph with no other edit.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from redgov.graph.display import FIELDS as LABELS
from redgov.loaders import schema, sync_export
from redgov.loaders.demo.export import HEADERS
from redgov.loaders.fielddiff import FIELDS
from redgov.loaders.mapping import REL_MAPS
from redgov.loaders.records import signature, to_record
from redgov.loaders.tables import TABLES
from test_sync_support import copy_export, dump, node, set_manifest

REGISTRY_DOC = Path(__file__).resolve().parent.parent / "docs" / "registry.md"


def test_the_docs_column_tables_are_the_declarations() -> None:
    text = REGISTRY_DOC.read_text(encoding="utf-8")
    begin, end = text.index(schema.DOC_BEGIN), text.index(schema.DOC_END)
    found = text[begin:end + len(schema.DOC_END)]
    assert found == schema.docs_tables(), (
        "docs/registry.md is stale: run python -m redgov.loaders.schema --write-docs")


def _empty_cells(table: schema.Table) -> dict[str, object]:
    return {c.header: ([] if c.kind == schema.CODES else None) for c in table.columns}


@pytest.mark.parametrize("name", list(TABLES))
def test_every_declared_value_is_built_reviewed_and_labelled(name: str) -> None:
    table = TABLES[name]
    _key, values, extra = schema.build(table, _empty_cells(table), None)
    assert set(values) | set(extra) == set(table.fields), (name, values, extra)
    assert set(FIELDS[name]) <= set(table.fields), (name, FIELDS[name])
    unlabelled = [f for f in FIELDS[name] if f not in LABELS]
    assert unlabelled == [], (name, unlabelled)
    assert HEADERS[name] == table.headers


@pytest.mark.parametrize("rm", list(REL_MAPS.values()), ids=lambda rm: rm.table)
def test_a_relation_carries_every_value_but_its_ends(rm) -> None:  # type: ignore[no-untyped-def]
    fields = set(TABLES[rm.table].fields) - {rm.src, rm.dst, rm.type_field}
    assert set(rm.props) == fields, (rm.table, rm.props)


def test_a_stored_key_is_read_back_by_field() -> None:
    posts = TABLES["任职"]
    values = {"person": "P1", "org": "O1", "title": "业委会主任", "role": "director",
              "start": "2021-06-01"}
    key = posts.key_of(values)
    assert key == "P1|O1|director|2021-06-01"
    assert posts.key_fields(key) == {"人员编码": "P1", "组织编码": "O1", "职务": "director",
                                     "开始日期": "2021-06-01"}
    assert posts.key_part(key, "org") == "O1"


@contextlib.contextmanager
def declared(table: schema.Table, column: schema.Column) -> Iterator[None]:
    """The table declared with one more column, as an engineer adding it would (one line
    in schema.py), for the duration of a test."""
    before = table.columns
    object.__setattr__(table, "columns", (*before, column))
    try:
        yield
    finally:
        object.__setattr__(table, "columns", before)


NOTE = schema.Column("地址", schema.TEXT, False, None, False, prop="address")


def test_an_empty_new_column_leaves_the_signature_alone() -> None:
    units = TABLES["单位"]
    row = {"单位编码": "K1", "名称": "大洋雅苑", "层级": "小区", "上级单位编码": "M1"}
    before, _, _ = to_record(units, 2, row, None, None)
    with declared(units, NOTE):
        empty, _, _ = to_record(units, 2, row, None, None)
        filled, _, _ = to_record(units, 2, {**row, "地址": "湖里大道1号"}, None, None)
    assert before is not None and empty is not None and filled is not None
    assert "address" in empty.values and empty.values["address"] is None
    assert empty.sig == before.sig == signature(before.values), (before.sig, empty.sig)
    assert filled.sig != before.sig and filled.values["address"] == "湖里大道1号"


def _add_column(folder: Path, table: str, header: str, values: dict[str, str]) -> None:
    """Give ``table``.csv the column (appended once): ``values`` by the row's code."""
    path = folder / f"{table}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    if header not in rows[0]:
        rows[0].append(header)
        for row in rows[1:]:
            row.append("")
    at, code = rows[0].index(header), rows[0].index(TABLES[table].identity[0])
    for row in rows[1:]:
        row[at] = values.get(row[code], "")
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def test_a_declared_column_without_values_writes_no_new_versions(store, tmp_path: Path) -> None:
    export = copy_export(tmp_path)
    first = sync_export(store, export)
    assert first.status == "applied", first.errors
    graph_before = dump(store)
    set_manifest(export, "快照日期", "2024-04-01")
    with declared(TABLES["单位"], NOTE):
        again = sync_export(store, export)  # the header absent: every cell empty
        assert again.status == "unchanged", (again.status, again.changes, again.errors)
        _add_column(export, "单位", "地址", {})  # the header present, no values
        third = sync_export(store, export, verify=True)
        assert third.status == "unchanged", (third.status, third.changes, third.errors)
        assert dump(store) == graph_before
        _add_column(export, "单位", "地址", {"K1": "湖里大道1号"})  # now one value
        filled = sync_export(store, export)
    assert filled.status == "applied", filled.errors
    assert filled.changes["单位"]["changed"] == 1, filled.changes
    assert node(store, "Unit", "K1")["address"] == "湖里大道1号"
    assert "address" not in node(store, "Unit", "M1")
