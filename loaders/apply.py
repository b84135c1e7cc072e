"""Apply a plan as a new, unpublished snapshot: versions written in bounded batches.

Everything goes through the one :class:`~redgov.graph.stores.base.Writer` of
``store.writing()``: each batch commits on its own (bounded memory on both engines), and
nothing is visible to readers until the sync publishes its ``SyncRun`` (readers pin a
published ordinal, :mod:`redgov.graph.conditions`).  A failure or a kill anywhere leaves
an unpublished partial version that no reader sees and the next sync removes.

Order (each step needs the one before): tables in ``TABLE_ORDER`` (units, organisations
and people before the tables that refer to them).  Per node table — fork the current
version of every record that changes (values, retirement, restoration, ancestry),
create added records, rewrite / retire / re-ancestor the fresh versions, re-point the
relations of the closed versions, re-link the rewritten records' own structural
relations; per relation table — close or delete changed rows, create added and changed
ones, fork and retire retired ones; last, duplicate_people's marks on the people written
(:func:`finish`, :mod:`.duplicates`).  Which label, relation and endpoints each table uses
comes from :mod:`.mapping`.  Each table is written by :func:`apply_table`, so a sync may
write a table while the next is still being validated (:mod:`.overlap`).

Test hook: ``REDGOV_TEST_KILL_AFTER_BATCHES=N`` makes the process SIGKILL itself after
its N-th batch (``0``: as soon as the writes start; ``-1``: after the last write, just
before publishing).  The atomicity tests use it; nothing else should.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from ..graph.conditions import OPEN
from ..graph.stores.base import DEFAULT_BATCH, Writer, batched
from ..graph.vocabulary import LABEL_ORGANISATION, LABEL_PERSON, LABEL_UNIT
from . import cypher_sync as q
from .diff import Plan, TablePlan
from .duplicates import mark_duplicates
from .lanes import Lanes
from .mapping import EDGES, IDENTITY, NODE_MAPS, REL_MAPS, Edge, NodeMap, RelMap
from .pii import Hasher
from .progress import advance
from .progress import table as progress_table
from .read import Export
from .records import Record
from .schema import ORG_T, PERSON_T, TABLE_ORDER, TABLES, UNIT_T
from .state import GraphState
from .validate import Scan

__all__ = ["KILL_HOOK", "Batches", "Stream", "apply_plan", "apply_table", "clean", "finish"]

KILL_HOOK = "REDGOV_TEST_KILL_AFTER_BATCHES"


class Batches:
    """Sends ``UNWIND $rows`` batches through the writer, counting them (and the hook)."""

    def __init__(
        self, writer: Writer, run: str, date: str | None, batch_size: int, ordinal: int
    ) -> None:
        self.writer = writer
        self.params = {"run": run, "date": date, "ordinal": ordinal, "open": OPEN}
        self.size = batch_size
        self.batches = 0
        self.rows = 0
        #: Wall seconds inside ``writer.run``: the engine's part of the write as this
        #: process sees it (on FalkorDB with the client's parameter text).
        self.engine_s = 0.0
        #: Wall seconds this process waited for a batch in flight (the rest of
        #: ``engine_s`` overlapped with building the next batch).
        self.wait_s = 0.0
        #: Called after every batch (the overlapped sync relays the validation worker's
        #: messages there); None: nothing.
        self.between: Callable[[], None] | None = None
        self._thread: concurrent.futures.ThreadPoolExecutor | None = None
        self._pending: concurrent.futures.Future[None] | None = None
        #: Several chunks in flight at once when the writer offers lanes (Neo4j; :mod:`.lanes`).
        self._lanes = Lanes.of(writer)
        self._timing = threading.Lock()
        hook = os.environ.get(KILL_HOOK)
        self._kill_at = int(hook) if hook and hook.lstrip("-").isdigit() else None
        self._check()

    def _check(self) -> None:
        if self._kill_at is not None and self._kill_at == self.batches:
            if self.batches:
                self.drain()  # "after the N-th batch": once it is written
            os.kill(os.getpid(), signal.SIGKILL)

    def send(self, query: str, rows: Iterable[Mapping[str, Any]], table: str = "") -> int:
        """``$run``, ``$date``, ``$ordinal`` and ``$table`` go once per batch.

        Pipelined: a batch is handed to one sending thread, and this returns while the
        engine works on it, so the next batch's rows are built meanwhile (the thread
        waits on the socket without the GIL).  One batch at a time is in flight, in
        order; its error is raised by the next :meth:`send` or :meth:`drain`, before
        anything else is sent.  Call :meth:`drain` before using the writer directly.
        Inside :meth:`chunk` on a writer with lanes (Neo4j), the batch goes to the chunk's
        lane instead, beside the table's other chunks (:mod:`.lanes`).
        """
        sent = 0
        size = self.size
        # a list is sliced (its batches are new lists either way: nothing sent is shared)
        batches = ((rows[i:i + size] for i in range(0, len(rows), size))
                   if type(rows) is list else batched(rows, size))
        for batch in batches:
            if self._lanes is not None and self._lanes.open:
                self._lanes.submit(self._run, query, {**self.params, "table": table,
                                                      "rows": batch if type(batch) is list
                                                      else list(batch)})
                self.batches += 1
                sent += len(batch)
                self._check()
                if self.between is not None:
                    self.between()
                continue
            self.drain()
            if self._thread is None:
                self._thread = concurrent.futures.ThreadPoolExecutor(
                    1, thread_name_prefix="redgov-batches")
            self._pending = self._thread.submit(
                self._run, query, {**self.params, "table": table, "rows": batch})
            self.batches += 1
            sent += len(batch)
            self._check()
            if self.between is not None:
                self.between()
        self.rows += sent
        return sent

    def _run(self, query: str, params: dict[str, Any], writer: Writer | None = None) -> None:
        t0 = time.perf_counter()
        try:
            (writer or self.writer).run(query, params)
        finally:
            with self._timing:  # lanes' threads add theirs too
                self.engine_s += time.perf_counter() - t0

    @contextlib.contextmanager
    def chunk(self, table: str) -> Iterator[None]:
        """The sends inside go to one lane, beside the previous chunks of ``table``
        (:mod:`.lanes`); without lanes, nothing changes."""
        if self._lanes is None:
            yield
            return
        self._drain_one()
        t0 = time.perf_counter()
        try:
            self._lanes.begin(table)
        finally:
            self.wait_s += time.perf_counter() - t0
        try:
            yield
        finally:
            self._lanes.end()

    def drain(self) -> None:
        """Wait for every batch in flight (its error raised here); the writer is then free."""
        self._drain_one()
        if self._lanes is not None:
            t0 = time.perf_counter()
            try:
                self._lanes.drain()
            finally:
                self.wait_s += time.perf_counter() - t0

    def _drain_one(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            t0 = time.perf_counter()
            try:
                pending.result()
            finally:
                self.wait_s += time.perf_counter() - t0

    def close(self) -> None:
        """Wait for the batch in flight and end the sending thread.  On the way out of
        an error its own error is dropped (the first one is the one reported)."""
        try:
            pending, self._pending = self._pending, None
            if pending is not None:
                concurrent.futures.wait([pending])
        finally:
            if self._thread is not None:
                self._thread.shutdown(wait=True)
                self._thread = None
            if self._lanes is not None:
                self._lanes.close()

    def before_commit(self) -> None:
        self.drain()
        if self._kill_at == -1:
            os.kill(os.getpid(), signal.SIGKILL)


def _provenance(rec: Record) -> dict[str, Any]:
    """Per-row provenance; ``run``, ``src_table`` and ``retired = false`` are set by the query."""
    return {"src_row": rec.row, "sig": rec.sig}


def clean(props: dict[str, Any]) -> dict[str, Any]:
    """Leave nulls out: an absent property is null (see cypher_sync on why not send them)."""
    return {k: v for k, v in props.items() if v is not None}


def apply_plan(
    writer: Writer, plan: Plan, scan: Scan, state: GraphState, export: Export,
    hasher: Hasher | None, run: str, batch_size: int = DEFAULT_BATCH, ordinal: int = 1,
) -> Batches:
    b = Batches(writer, run, scan.manifest.snapshot_date, batch_size, ordinal)
    try:
        for spec in TABLE_ORDER:
            apply_table(b, spec.name, plan, scan, state)
        finish(b, plan, scan)
    finally:
        b.close()
    return b


def finish(b: Batches, plan: Plan, scan: Scan) -> None:
    """What follows the last table's writes (both the sequential and the overlapped sync
    call it): duplicate_people's marks on the people this sync wrote."""
    b.drain()  # the writer is used directly from here on
    people = plan.tables.get(PERSON_T)
    written = people.writes() if people is not None else set()
    run, ordinal = b.params["run"], b.params["ordinal"]
    # The keys counted over the spooled people serve when those are exactly the written
    # ones (each written person is spooled: equal counts, equal sets), e.g. a first sync.
    shared = scan.duplicate_keys() if written else None
    mark_duplicates(b.writer, run, ordinal, (rec.values for rec in scan.spool.records(PERSON_T)
                                             if rec.key in written) if written else (),
                    shared if shared is not None and shared.rows == len(written) else None)


def apply_table(b: Batches, name: str, plan: Plan, scan: Scan, state: GraphState) -> None:
    """Write table ``name``'s part of the plan (nothing when it has none).

    Tables go in ``TABLE_ORDER``: units, organisations and people first (every other
    table refers to them, none to a later one), so a table may be written as soon as it
    and the tables before it are validated and diffed (:mod:`.overlap`).
    """
    tp = plan.tables.get(name)
    nm = NODE_MAPS.get(name)
    if nm is None:
        if tp is not None:
            progress_table(name, len(tp.writes()) + len(tp.retire))
            _relation_table(b, REL_MAPS[name], tp, scan, _Codes(scan, state))
        return
    ancestry = plan.ancestry if name == UNIT_T else {}
    if tp is None and not ancestry:
        return
    tp = tp or TablePlan()
    # Progress counts records: written (with their links), retired, re-ancestored.
    progress_table(name, len(tp.writes()) + len(tp.retire) + len(ancestry.keys() - tp.writes()))
    units = scan.sigs.get(UNIT_T, {}).keys() | state.units.keys()
    orgs = scan.sigs.get(ORG_T, {}).keys() | state.org_kinds.keys()
    _node_table(b, nm, tp, plan, scan, (units, orgs), ancestry)


class Stream:
    """One table written chunk by chunk while the worker still validates it (:mod:`.overlap`).

    Only a table whose every valid row is an addition (:meth:`possible`): a full export
    (an increment deletes and modifies), a table of which the graph holds no record (so
    nothing changes, restores, retires or cascades: its diff is "add all"), and not units
    or organisations (kept whole, checked as a whole, linked in a second pass).  A chunk
    is written as :func:`apply_table` writes those records; the table's diff at its end
    (:func:`.diff.diff_table`) then finds exactly the additions already written.
    """

    def __init__(self, b: Batches, name: str, plan: Plan, scan: Scan, state: GraphState) -> None:
        self.b, self.name, self.tp = b, name, plan.table(name)
        self.nm, self.rm = NODE_MAPS.get(name), REL_MAPS.get(name)
        self.scan = scan
        self.codes = _Codes(scan, state)
        self.units = (self.codes.units, self.codes.orgs)
        #: The spool file's bytes written so far (the next chunk starts there).
        self.end = 0

    @staticmethod
    def possible(name: str, scan: Scan, state: GraphState) -> bool:
        nm = NODE_MAPS.get(name)
        if scan.manifest.incremental or state.sigs.get(name) or name in (UNIT_T, ORG_T):
            return False
        if nm is not None:
            return not any(nm.label in link.targets for link in nm.links)
        return name in REL_MAPS

    def write(self, records: list[Record], end: int) -> None:
        """Write one chunk of valid records (all additions), spooled up to byte ``end``."""
        self.tp.add.update(rec.key for rec in records)
        with self.b.chunk(self.name):  # independent of the table's other chunks (lanes.py)
            if self.nm is not None:
                _node_chunk(self.b, self.nm, records, self.tp, None, self.units,
                            (self.tp.add, set()))
            else:
                assert self.rm is not None
                _relation_chunk(self.b, self.rm, records, self.tp, set(), self.codes)
        self.end = end

    def finish(self) -> None:
        """The table is validated whole (and diffed): write the rows after the last chunk."""
        rest = list(self.scan.spool.records(self.name, self.end))
        progress_table(self.name, len(rest))
        for chunk in batched(rest, self.b.size):
            self.write(chunk, self.end)


def _node_records(nm: NodeMap, scan: Scan) -> Iterator[Record]:
    if nm.table == UNIT_T:
        return iter(scan.units.values())
    if nm.table == ORG_T:
        return iter(scan.orgs.values())
    return scan.spool.records(nm.table)


def _node_table(
    b: Batches, nm: NodeMap, tp: TablePlan, plan: Plan, scan: Scan, units: Any,
    ancestry: Mapping[str, Mapping[str, Any]],
) -> None:
    """Fork, (re)write, re-ancestor and retire one node table's records, and link them.

    A record's structural links are replaced after the relations of its closed version
    were moved onto its new one (:func:`_repoint`): those copies are what the links
    replace.  A table whose links point at its own label (units, organisations) links in a
    second pass, once all its records exist; the others re-point first and write each
    chunk with its links in one pass, so their spool is read once.
    """
    label, table = nm.label, nm.table
    rewritten = tp.restore | tp.change
    forked = sorted(rewritten | tp.retire | (ancestry.keys() - tp.add))
    b.send(q.FORK[label], ({"key": k} for k in forked))
    writes = tp.writes()
    one_pass = not any(label in link.targets for link in nm.links)
    if one_pass:
        _repoint(b, label, forked)
    if writes:
        for chunk in batched(_node_records(nm, scan), b.size):
            _node_chunk(b, nm, chunk, tp, plan if table == UNIT_T else None, units,
                        one_pass and (writes, rewritten))
    advance(b.send(q.UPDATE_ANCESTRY,
                   ({"key": k, **a} for k, a in ancestry.items() if k not in writes)))
    b.send(q.RETIRE[label], ({"key": k} for k in sorted(tp.retire)))
    if not one_pass:
        _repoint(b, label, forked)
    advance(len(tp.retire))
    if writes and not one_pass:
        for chunk in batched(_node_records(nm, scan), b.size):
            written = [rec for rec in chunk if rec.key in writes]
            if written:
                _links(b, nm, written, rewritten, units)
                advance(len(written) / 2)


def _node_chunk(b: Batches, nm: NodeMap, chunk: list[Record], tp: TablePlan,
                unit_plan: Plan | None, units: Any,
                one_pass: tuple[set[str], set[str]] | bool) -> None:
    """Create and rewrite one chunk's records; ``one_pass``: (the table's writes, its
    rewritten identities) to link them in the same pass, else False (linked later)."""
    label = nm.label
    # keyed nodes store their identity as `key`
    creates, updates = _node_rows(chunk, tp, unit_plan, IDENTITY[label] == "key")
    b.send(q.CREATE[label], creates, nm.table)
    b.send(q.REWRITE[label], updates, nm.table)
    if one_pass:
        writes, rewritten = one_pass
        written = [rec for rec in chunk if rec.key in writes]
        if written:
            _links(b, nm, written, rewritten, units)
        advance(len(creates) + len(updates))
    else:
        advance((len(creates) + len(updates)) / 2)  # the other half with their links


def _node_rows(
    records: Iterable[Record], tp: TablePlan, plan: Plan | None, keyed: bool = False
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(rows to CREATE, rows to REWRITE) for the records the plan (re)writes; ``keyed``:
    the label stores the identity as the property ``key`` too."""
    creates: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    add, restore, change = tp.add, tp.restore, tp.change
    for rec in records:
        key = rec.key
        if key in add:
            target = creates
        elif key in restore or key in change:
            target = updates
        else:
            continue
        if plan is not None:
            props = {**rec.values, **_provenance(rec)}
            props.update(plan.unit_ancestry.get(key, {}))
            props = clean(props)
        else:  # clean({**values, **_provenance(rec)}) in one pass: most rows of a sync
            props = {k: v for k, v in rec.values.items() if v is not None}
            props["src_row"], props["sig"] = rec.row, rec.sig
        if keyed:
            props["key"] = key
        target.append({"key": key, "props": props})
    return creates, updates


def _repoint(b: Batches, label: str, keys: list[str]) -> None:
    """Move the open relations of closed versions onto the new versions."""
    if not keys:
        return
    rows = [{"key": k} for k in keys]
    for edge in EDGES:
        for side, texts in ((edge.src, q.REPOINT_OUT), (edge.dst, q.REPOINT_IN)):
            if side == label:
                for text in texts[edge]:
                    b.send(text, rows)


def _links(
    b: Batches, nm: NodeMap, written: list[Record], rewritten: set[str], units: Any
) -> None:
    """Replace the structural relations of (re)written records with the record's values."""
    redone = [{"key": rec.key} for rec in written if rec.key in rewritten]
    for link in nm.links:
        for target in link.targets:
            b.send(q.DROP_LINKS[(nm.label, link.type, target)], redone)
        if len(link.targets) == 1 and not link.many:  # one code, one label: most links
            field = link.field
            rows = [{"key": rec.key, "to": value, "row": rec.row} for rec in written
                    if (value := rec.values.get(field))]
            if rows:
                b.send(q.LINK[(nm.label, link.type, link.targets[0])], rows, nm.table)
            continue
        by_target: dict[str, list[dict[str, Any]]] = {}
        for rec in written:
            value = rec.values.get(link.field)
            for code in (value or ()) if link.many else ((value,) if value else ()):
                target = link.targets[0]
                if len(link.targets) > 1:
                    unit_codes, org_codes = units
                    target = (LABEL_UNIT if code in unit_codes
                              else LABEL_ORGANISATION if code in org_codes or
                              LABEL_PERSON not in link.targets else LABEL_PERSON)
                by_target.setdefault(target, []).append(
                    {"key": rec.key, "to": code, "row": rec.row})
        for target, rows in by_target.items():
            b.send(q.LINK[(nm.label, link.type, target)], rows, nm.table)


# --- keyed relations ------------------------------------------------------------------------------
class _Codes:
    """Organisation codes (export ∪ graph), with people codes for the 党建指导 tie-break."""

    def __init__(self, scan: Scan, state: GraphState) -> None:
        self.orgs = scan.sigs.get(ORG_T, {}).keys() | state.org_kinds.keys()
        self.people = _Either(scan.sigs.get(PERSON_T, {}), state.sigs.get(PERSON_T, {}))
        self.units = scan.sigs.get(UNIT_T, {}).keys() | state.units.keys()

    def __contains__(self, code: object) -> bool:
        return code in self.orgs


class _Either:
    def __init__(self, *maps: Mapping[str, Any]) -> None:
        self.maps = maps

    def __contains__(self, code: object) -> bool:
        return any(code in m for m in self.maps)


def _edge(rm: RelMap, rec: Record, codes: _Codes) -> Edge:
    """Which relation type and endpoint labels one row becomes."""
    v = rec.values
    rel_type = v[rm.type_field] if rm.type_field else rm.types[0]
    src_label, dst_label = rm.src_labels[0], rm.dst_labels[0]
    if len(rm.src_labels) > 1:  # 监管: an organisation or, for 党建指导, a person
        person_first = v.get("kind") == "party_building_guidance"
        src_is_org = v[rm.src] in codes and not (person_first and v[rm.src] in codes.people)
        src_label = rm.src_labels[0] if src_is_org else rm.src_labels[1]
    if len(rm.dst_labels) > 1:
        dst_label = rm.dst_labels[0] if v[rm.dst] in codes else rm.dst_labels[1]
    return Edge(rel_type, src_label, dst_label)


def _src_keys(rm: RelMap) -> list[tuple[str, str]]:
    return [(t, s) for t in rm.types for s in rm.src_labels]


def _relation_table(b: Batches, rm: RelMap, tp: TablePlan, scan: Scan, codes: _Codes) -> None:
    replaced = tp.restore | tp.change
    if tp.writes():
        for chunk in batched(scan.spool.records(rm.table), b.size):
            _relation_chunk(b, rm, chunk, tp, replaced, codes)
    if tp.retire:
        _retire_relations(b, rm, tp)


def _relation_chunk(b: Batches, rm: RelMap, chunk: list[Record], tp: TablePlan,
                    replaced: set[str], codes: _Codes) -> None:
    """Close the replaced and create the added and changed rows of one chunk."""
    by_edge: dict[Edge, list[dict[str, Any]]] = {}
    drops: list[dict[str, Any]] = []
    for rec in chunk:
        if rec.key not in tp.add and rec.key not in replaced:
            continue
        if rec.key in replaced:
            drops.append({"key": rec.key, "src": rec.values[rm.src]})
        values = rec.values
        # clean() of the relation's values, provenance and key, in one pass
        props = {n: v for n in rm.props if (v := values[n]) is not None}
        props["src_row"], props["sig"], props["key"] = rec.row, rec.sig, rec.key
        by_edge.setdefault(_edge(rm, rec, codes), []).append({
            "src": values[rm.src], "dst": values[rm.dst], "props": props,
        })
    for pair in _src_keys(rm):
        for text in q.DROP_REL[pair]:
            b.send(text, drops)
    for edge, rows in by_edge.items():
        advance(b.send(q.CREATE_REL[edge], rows, rm.table))


def _retire_relations(b: Batches, rm: RelMap, tp: TablePlan) -> None:
    spec = TABLES[rm.table]
    rows = [{"key": k, "src": spec.key_part(k, rm.src)} for k in sorted(tp.retire)]
    for pair in _src_keys(rm):
        b.send(q.FORK_REL[pair], rows)
        b.send(q.RETIRE_REL[pair], rows)
    advance(len(rows))
