"""Apply a plan inside one store transaction: nodes, their structural links, keyed relations.

Everything a sync writes, the ``SyncRun`` node included, goes through the one
:class:`~redgov.graph.stores.base.Writer` of one ``store.transaction(bulk=True)``: on
FalkorDB that is a copy of the graph swapped in at the end, on Neo4j one transaction, so a
failure or a kill anywhere leaves the graph as it was.  Units and organisations come from
the scan (kept whole); people and the relation tables are read from the export a second
time and only the rows the plan names are sent, in batches.

Test hook: ``REDGOV_TEST_KILL_AFTER_BATCHES=N`` makes the process SIGKILL itself after
its N-th batch (``0``: as soon as the transaction is open; ``-1``: after the last write,
just before the commit).  The atomicity tests use it; nothing else should.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..graph.conditions import OPEN
from ..graph.stores.base import DEFAULT_BATCH, Writer, batched
from ..graph.vocabulary import REL
from . import cypher_sync as q
from .diff import Plan, TablePlan
from .pii import Hasher
from .read import Export
from .records import Record
from .state import GraphState
from .tables import PEOPLE, TABLES, Table
from .validate import Scan

__all__ = ["KILL_HOOK", "Batches", "apply_plan"]

KILL_HOOK = "REDGOV_TEST_KILL_AFTER_BATCHES"


class Batches:
    """Sends ``UNWIND $rows`` batches through the writer, counting them (and the hook)."""

    def __init__(
        self, writer: Writer, run: str, date: str | None, batch_size: int, ordinal: int = 1
    ) -> None:
        self.writer = writer
        self.params = {"run": run, "date": date, "ordinal": ordinal, "open": OPEN}
        self.size = batch_size
        self.batches = 0
        self.rows = 0
        hook = os.environ.get(KILL_HOOK)
        self._kill_at = int(hook) if hook and hook.lstrip("-").isdigit() else None
        self._check()

    def _check(self) -> None:
        if self._kill_at is not None and self._kill_at == self.batches:
            os.kill(os.getpid(), signal.SIGKILL)

    def send(self, query: str, rows: Iterable[Mapping[str, Any]], table: str = "") -> int:
        """``$run``, ``$date`` and ``$table`` go once per batch, not once per row."""
        sent = 0
        for batch in batched(rows, self.size):
            self.writer.run(query, {**self.params, "table": table, "rows": list(batch)})
            self.batches += 1
            sent += len(batch)
            self._check()
        self.rows += sent
        return sent

    def before_commit(self) -> None:
        if self._kill_at == -1:
            os.kill(os.getpid(), signal.SIGKILL)


def _provenance(rec: Record) -> dict[str, Any]:
    """Per-row provenance; ``run``, ``src_table`` and ``retired = false`` are set by the query."""
    return {"src_row": rec.row, "sig": rec.sig}


def _node_rows(
    records: Iterable[Record], tp: TablePlan, run: str, extra: Any = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(rows to CREATE, rows to UPDATE) for the records the plan rewrites."""
    creates: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for rec in records:
        if rec.key in tp.add:
            target = creates
        elif rec.key in tp.restore or rec.key in tp.change:
            target = updates
        else:
            continue
        props = {**rec.values, **_provenance(rec)}
        if extra is not None:
            props.update(extra(rec))
        target.append({"key": rec.key, "props": clean(props)})
    return creates, updates


def clean(props: dict[str, Any]) -> dict[str, Any]:
    """Leave nulls out: an absent property is null (see cypher_sync on why not send them)."""
    return {k: v for k, v in props.items() if v is not None}


def _records(export: Export, table: Table, scan: Scan, hasher: Hasher | None) -> Iterator[Record]:
    """The table's valid, non-deleted records, as the scan spooled them."""
    return scan.spool.records(table.name)


def _link(rec: Record, to: str | None) -> dict[str, Any] | None:
    if not to:
        return None
    return {"key": rec.key, "to": to, "row": rec.row}


def apply_plan(
    writer: Writer, plan: Plan, scan: Scan, state: GraphState, export: Export,
    hasher: Hasher | None, run: str, batch_size: int = DEFAULT_BATCH, ordinal: int = 1,
) -> Batches:
    b = Batches(writer, run, scan.manifest.snapshot_date, batch_size, ordinal)
    _units(b, plan, scan, run)
    _orgs(b, plan, scan, state, run)
    _people(b, plan, scan, export, hasher, run)
    _ratings(b, plan, scan, export, hasher, run)
    _relations(b, plan, scan, state, export, hasher, run)
    _retire_nodes(b, plan)
    return b


def _units(b: Batches, plan: Plan, scan: Scan, run: str) -> None:
    tp = plan.table("单位")
    creates, updates = _node_rows(
        scan.units.values(), tp, run, lambda rec: plan.unit_ancestry.get(rec.key, {})
    )
    b.send(q.CREATE_UNIT, creates, "单位")
    b.send(q.UPDATE_UNIT, updates, "单位")
    b.send(q.UPDATE_ANCESTRY, ({"key": k, **a} for k, a in plan.ancestry.items()))
    b.send(q.DROP_PART_OF, ({"key": r["key"]} for r in updates))
    rewritten = tp.writes()
    links = (
        _link(rec, rec.values["parent_code"]) for rec in scan.units.values() if rec.key in rewritten
    )
    b.send(q.LINK_PART_OF, (x for x in links if x), "单位")


def _orgs(b: Batches, plan: Plan, scan: Scan, state: GraphState, run: str) -> None:
    tp = plan.table("组织")
    creates, updates = _node_rows(scan.orgs.values(), tp, run)
    b.send(q.CREATE_ORG, creates, "组织")
    b.send(q.UPDATE_ORG, updates, "组织")
    b.send(q.DROP_ORG_LINKS, ({"key": r["key"]} for r in updates))
    writes = tp.writes()
    rewritten = [rec for rec in scan.orgs.values() if rec.key in writes]
    sits = (_link(rec, rec.values["unit_code"]) for rec in rewritten)
    b.send(q.LINK_SITS_AT, (x for x in sits if x), "组织")
    parents = (_link(rec, rec.values["parent_code"]) for rec in rewritten)
    b.send(q.LINK_AFFILIATED, (x for x in parents if x), "组织")
    unit_codes = scan.codes("单位").keys() | state.units.keys()
    to_units: list[dict[str, Any]] = []
    to_orgs: list[dict[str, Any]] = []
    for rec in rewritten:
        for code in rec.values["built_in_codes"]:
            link = _link(rec, code)
            (to_units if code in unit_codes else to_orgs).append(link)  # type: ignore[arg-type]
    b.send(q.LINK_BUILT_IN_UNIT, to_units, "组织")
    b.send(q.LINK_BUILT_IN_ORG, to_orgs, "组织")


def _people(
    b: Batches, plan: Plan, scan: Scan, export: Export, hasher: Hasher | None, run: str
) -> None:
    tp = plan.table("人员")
    writes = tp.writes()
    if not writes:
        return
    for chunk in batched(_records(export, PEOPLE, scan, hasher), b.size):
        creates, updates = _node_rows(chunk, tp, run)
        if not creates and not updates:
            continue
        b.send(q.CREATE_PERSON, creates, "人员")
        b.send(q.UPDATE_PERSON, updates, "人员")
        b.send(q.DROP_PERSON_LINKS, ({"key": r["key"]} for r in updates))
        written = [rec for rec in chunk if rec.key in writes]
        homes = (_link(rec, rec.values["home_code"]) for rec in written)
        b.send(q.LINK_LIVES_IN, (x for x in homes if x), "人员")
        member = (_link(rec, rec.values["party_org_code"]) for rec in written)
        b.send(q.LINK_MEMBER_OF, (x for x in member if x), "人员")


def _ratings(
    b: Batches, plan: Plan, scan: Scan, export: Export, hasher: Hasher | None, run: str
) -> None:
    tp = plan.table("评价")
    if not tp.writes():
        return
    for chunk in batched(_records(export, TABLES["评价"], scan, hasher), b.size):
        creates, updates = _node_rows(chunk, tp, run)
        rows = creates + updates
        if not rows:
            continue
        for r in rows:
            r["props"]["key"] = r["key"]
        b.send(q.CREATE_RATING, creates, "评价")
        b.send(q.UPDATE_RATING, updates, "评价")
        b.send(q.DROP_RATED, ({"key": r["key"]} for r in updates))
        b.send(q.LINK_RATED, (
            {"key": r["key"], "to": r["props"]["company_code"], "row": r["props"]["src_row"]}
            for r in rows
        ), "评价")


# --- keyed relations ------------------------------------------------------------------------------
_REL_PROPS = {
    "任职": ("title", "role", "start", "end"),
    "监管": ("kind", "start", "end"),
    "物业服务": ("project", "start", "end"),
    "走访": ("date",),
}
_ENDS = {"任职": ("person", "org"), "监管": ("src", "dst"), "物业服务": ("company", "compound"),
         "走访": ("person", "org")}


def _relation_query(table: str, rec: Record, orgs: set[str] | Any) -> str:
    v = rec.values
    if table == "任职":
        return q.CREATE_SERVES_AS if v["type"] == REL.SERVES_AS else q.CREATE_CROSS
    if table == "物业服务":
        return q.CREATE_MANAGES
    if table == "走访":
        return q.CREATE_VISITED
    person_first = v["kind"] == "party_building_guidance"
    src_org = v["src"] in orgs and not (person_first and v["src"] in orgs.people)
    dst_org = v["dst"] in orgs
    if src_org:
        return q.CREATE_SUPERVISES_OO if dst_org else q.CREATE_SUPERVISES_OU
    return q.CREATE_SUPERVISES_PO if dst_org else q.CREATE_SUPERVISES_PU


class _Codes:
    """Organisation codes (export ∪ graph), with people codes for the 党建指导 tie-break."""

    def __init__(self, scan: Scan, state: GraphState) -> None:
        self.orgs = scan.codes("组织").keys() | state.org_kinds.keys()
        self.people = _Either(scan.codes("人员"), state.sigs.get("人员", {}))

    def __contains__(self, code: object) -> bool:
        return code in self.orgs


class _Either:
    def __init__(self, *maps: Mapping[str, Any]) -> None:
        self.maps = maps

    def __contains__(self, code: object) -> bool:
        return any(code in m for m in self.maps)


_DROPS = {
    "任职": (q.DROP_SERVES_AS, q.DROP_CROSS),
    "监管": (q.DROP_SUPERVISES_O, q.DROP_SUPERVISES_P),
    "物业服务": (q.DROP_MANAGES,),
    "走访": (q.DROP_VISITED,),
}
_RETIRES = {
    "任职": (q.RETIRE_SERVES_AS, q.RETIRE_CROSS),
    "监管": (q.RETIRE_SUPERVISES_O, q.RETIRE_SUPERVISES_P),
    "物业服务": (q.RETIRE_MANAGES,),
    "走访": (q.RETIRE_VISITED,),
}


def _relations(
    b: Batches, plan: Plan, scan: Scan, state: GraphState, export: Export,
    hasher: Hasher | None, run: str,
) -> None:
    codes = _Codes(scan, state)
    for table, names in _REL_PROPS.items():
        tp = plan.tables.get(table)
        if tp is None:
            continue
        src_name, dst_name = _ENDS[table]
        replaced = tp.restore | tp.change
        if tp.writes():
            for chunk in batched(_records(export, TABLES[table], scan, hasher), b.size):
                by_query: dict[str, list[dict[str, Any]]] = {}
                drops: list[dict[str, Any]] = []
                for rec in chunk:
                    if rec.key not in tp.add and rec.key not in replaced:
                        continue
                    if rec.key in replaced:
                        drops.append({"key": rec.key, "src": rec.values[src_name]})
                    props = {n: rec.values[n] for n in names}
                    props.update(_provenance(rec), key=rec.key)
                    props = clean(props)
                    by_query.setdefault(_relation_query(table, rec, codes), []).append({
                        "src": rec.values[src_name], "dst": rec.values[dst_name], "props": props,
                    })
                for query in _DROPS[table]:
                    b.send(query, drops)
                for query, rows in by_query.items():
                    b.send(query, rows, table)
        if tp.retire:
            rows = [{"key": k, "src": k.split("|", 1)[0]} for k in sorted(tp.retire)]
            for query in _RETIRES[table]:
                b.send(query, rows)


def _retire_nodes(b: Batches, plan: Plan) -> None:
    for table, query in (("单位", q.RETIRE_UNIT), ("组织", q.RETIRE_ORG),
                         ("人员", q.RETIRE_PERSON), ("评价", q.RETIRE_RATING)):
        tp = plan.tables.get(table)
        if tp is not None and tp.retire:
            b.send(query, ({"key": k} for k in sorted(tp.retire)))
