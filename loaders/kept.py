"""What a full-diff re-sync needs, kept per published snapshot so it is not rebuilt.

A re-sync of the same content in other bytes (``verify=True``, a re-spelt, re-encoded or
reordered export) must read the graph's identities and signatures and know each row's
identity and signature.  Both are costly (a scan of every live record; normalising every
row) and both are known at the end of the sync before it, so that sync keeps them in the
store's metadata space (:meth:`Store.write_meta`, beside the kept answers of
``graph/summaries.py``), as one bundle for the snapshot it published:

- **the state** — the :class:`GraphState` of that snapshot (per table identity → ``sig``,
  ``~sig`` when retired; the unit and organisation fields the checks use).  An applied
  sync derives it from the state it diffed against and the plan it wrote
  (:func:`after`); a sync that read the state from the graph and found nothing to write
  keeps what it read.  The next sync uses it instead of reading the graph **only** when
  the bundle names the latest published snapshot (run id and ordinal), was made by this
  loader code with this personal-data key, and its digest matches its text; otherwise
  the graph is read as before.  (Like the fingerprint shortcut, this relies on every write
  to a published snapshot going through a sync; :func:`forget` drops the bundle.)
- **the row memo** — per table, a keyed digest of each clean row's raw cells (taken by
  header: column order, quoting and encoding do not change it) → the identity, signature
  and the values the checks across rows read (``validate.REF_FIELDS``: codes, levels,
  kinds, unit names) that ``to_record`` made of it.  A row whose digest is known and whose
  identity holds that same signature, live, in the graph state is unchanged: it is not
  normalised again, its references and level rules are checked again as before, and
  nothing of it is written.  Any other row is normalised as before.  The digest is BLAKE2b
  keyed with an HMAC of the personal-data key over the loader code, the day, the table and
  the declared columns the file has, so a memo made under another key, by other code or on
  another day (the checks of dates and years depend on today) matches nothing.  Rows with
  warnings or errors and 增量 exports are never memoised.  A table whose file has the same
  bytes (keyed digest, input limits included) as one the last sync read cleanly — every
  row memoised, no error, warning or note — is not read at all: its records are replayed
  from the memo, row numbers included, and checked as before.  The memo kept is the one of
  the last sync that published, or that found nothing to write and knew fewer than half of
  its rows (keeping it again costs about what reading it does).  An overlapped first sync
  (loaders/overlap.py) keeps it too: its worker hands each table's memo over with the
  table.  An entry is one 16-byte key and one packed string (:func:`pack`), ≈ 200 bytes a
  row in memory, so a province export's 2.52 M rows fit a sync's 2 GiB; the bound
  :data:`MEMO_MAX_ROWS` (``REDGOV_KEPT_ROWS``) stays as a safety.

Nothing raw is kept: identities, reference codes, levels, kinds and unit names (never
personal data), signatures, and keyed digests.  The bundle is stored in parts of about
:data:`PART_ITEMS` entries, written as they are made and read :data:`READ_PARTS` at a time,
so no text of the whole is built in memory; the head (part 0, with the number of parts
and the digest of their texts) is written last, so a bundle whose writing stopped is
never used.  Keeping is best effort: a store that refuses the metadata write (a read-only
account) just reads the graph every time.
"""

from __future__ import annotations

import hashlib
import json
import operator
import os
import sys
from array import array
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from datetime import datetime as _dt
from pathlib import Path
from typing import Any

from ..graph.cypher import cypher
from ..graph.settings import Setting, whole
from ..graph.snapshots import list_snapshots
from ..graph.stores.base import Store, StoreError
from ..graph.vocabulary import LABEL_SYNC_KEPT
from .pii import Hasher
from .read import FORMULAS, ROW_ERROR
from .records import Record
from .schema import ORG_T, TABLES, UNIT_T
from .state import ANCESTRY, RETIRED_MARK, GraphState, UnitInfo, is_retired, read_state
from .tables import Table

__all__ = ["KEPT_FORMAT", "RowMemo", "TableMemo", "after", "forget", "keep", "load",
           "remember"]

#: Bump when the bundle's layout changes (old bundles then stop matching).
KEPT_FORMAT = "kept-2"

_READ = cypher(
    "sync.kept.read",
    f"""
MATCH (k:{LABEL_SYNC_KEPT} {{run_id: $run_id}})
WHERE k.part >= $lo AND k.part < $hi
RETURN k.part AS part, k.parts AS parts, k.digest AS digest, k.data AS data
ORDER BY part
""",
)
#: Parts are deleted a few at a time: on Neo4j a deletion holds the deleted values in the
#: transaction's memory, and a province bundle is hundreds of one-megabyte parts.
_DROP = cypher("sync.kept.drop", f"""
MATCH (k:{LABEL_SYNC_KEPT})
WITH k LIMIT 8
DELETE k
RETURN count(*) AS n
""")
_WRITE = cypher(
    "sync.kept.write",
    f"""
CREATE (k:{LABEL_SYNC_KEPT} {{run_id: $run_id, ordinal: $ordinal, part: $part, parts: $parts,
                    digest: $digest, data: $data, at: $at}})
""",
)

#: The modules whose code decides what a row normalises to and how the state is read:
#: any change to them makes earlier bundles match nothing.
_CODE_MODULES = ("records", "normalise", "pii", "schema", "tables", "mapping", "state",
                 "validate", "kept")
_GRAPH_MODULES = ("evaluation_rules", "vocabulary")


def _code_id() -> str:
    h = hashlib.blake2b(KEPT_FORMAT.encode(), digest_size=16)
    base = __name__.rsplit(".", 1)[0]
    graph = base.rsplit(".", 1)[0] + ".graph"
    for name in (*(f"{base}.{m}" for m in _CODE_MODULES),
                 *(f"{graph}.{m}" for m in _GRAPH_MODULES)):
        module = sys.modules.get(name)
        if module is None:
            __import__(name)
            module = sys.modules[name]
        h.update(name.encode() + b"\0" + Path(module.__file__ or "").read_bytes())
    return h.hexdigest()


_CODE_ID: list[str] = []


def code_id() -> str:
    """Digest of the loader code that makes records and states (computed once)."""
    if not _CODE_ID:
        _CODE_ID.append(_code_id())
    return _CODE_ID[0]


def _key_id(hasher: Hasher) -> str:
    """Names the personal-data key (an HMAC under it, never the key)."""
    return hasher._hmac(b"redgov kept key")[:16]


# -- the row memo ---------------------------------------------------------------------------
#: At most this many rows are memoised per scan (all tables together): a safety bound on the
#: memory of a sync (2 GiB), now that an entry is one 16-byte key and one short string
#: (≈ 200 bytes with the dict's own; the province export's 2.52 M rows fit in ≈ 0.5 GiB).
#: Rows past it are normalised at the next re-sync as before.
MEMO_MAX_ROWS = 4_000_000


#: The memo bound's setting (its default is read from :data:`MEMO_MAX_ROWS` when used).
KEPT_ROWS = Setting("REDGOV_KEPT_ROWS", MEMO_MAX_ROWS, 0, 100_000_000,
                    "rows a full-diff sync keeps in its memo")


def memo_max_rows() -> int:
    """The bound: ``REDGOV_KEPT_ROWS`` when it is a whole number from 0 to 100 million,
    else :data:`MEMO_MAX_ROWS` (a cache's size: a bad value must not stop a sync)."""
    return whole(KEPT_ROWS, default=MEMO_MAX_ROWS)


#: A memoised row, packed into one string (a list of a row's values cost ≈ 500 bytes; the
#: string ≈ 100): ``identity US row US value …`` with ``NUL`` for None, or, when a value is
#: not a plain string (a list of codes) or holds a separator, ``RS`` + the JSON list
#: ``[identity, row, *values]``.  Its sig is the one the scan found for the identity
#: (``scan.sigs``), kept only when the state then holds it.
Entry = str
_US, _RS, _NONE = "\x1f", "\x1e", "\x00"


def pack(ident: str, row: int, values: Any) -> Entry:
    """One memo entry (see :data:`Entry`); :func:`unpack` gives back exactly what went in."""
    parts = [ident, str(row)]
    for v in values:
        if v is None:
            parts.append(_NONE)
        elif type(v) is str and v != _NONE:
            parts.append(v)
        else:
            return _RS + json.dumps([ident, row, *values], ensure_ascii=False)
    text = _US.join(parts)
    if text.count(_US) != len(parts) - 1 or ident.startswith(_RS):
        return _RS + json.dumps([ident, row, *values], ensure_ascii=False)
    return text


def unpack(entry: Entry) -> tuple[str, int, list[Any]]:
    """identity, row number, values of a packed entry."""
    if entry.startswith(_RS):
        ident, row, *values = json.loads(entry[1:])
        if type(ident) is not str or type(row) is not int:
            raise ValueError("not a memo entry")
        return ident, row, values
    ident, row, *values = entry.split(_US)
    return ident, int(row), [None if v == _NONE else v for v in values]


def _ident(entry: Entry) -> str:
    if entry.startswith(_RS):
        return unpack(entry)[0]
    return entry[:entry.index(_US)]


def _head(entry: Entry) -> tuple[str, int]:
    """identity and row number of a packed entry (its values left packed)."""
    if entry.startswith(_RS):
        ident, row, _ = unpack(entry)
        return ident, row
    ident, row, *_ = entry.split(_US, 2)
    return ident, int(row)


class Packed:
    """A table's memo entries as three buffers instead of a dict of small objects: the
    16-byte keys one after another, the entries' UTF-8 one after another, and where each
    entry ends.  A dict costs ≈ 195 bytes a row (a bytes key, a str, a slot) and pins
    millions of small objects in the sync process for its whole length; this ≈ 90, in
    three objects.  What an overlapped first sync's worker hands over (a province export's
    2.52 M rows were ≈ 470 MiB of the sync process's peak) and what the parent then keeps
    (issue 18: peak RSS ≤ 2 GiB).  Read only: :meth:`items` in the order packed, less the
    rows :meth:`drop` took out."""

    __slots__ = ("ends", "kept", "keys", "text")

    def __init__(self, entries: Mapping[bytes, Entry]) -> None:
        self.keys = b"".join(entries)
        if len(self.keys) != _KEY_BYTES * len(entries):
            raise ValueError("memo keys are not all 16 bytes")
        text, ends, end = bytearray(), array("Q"), 0
        for entry in entries.values():
            data = entry.encode()
            text += data
            end += len(data)
            ends.append(end)
        self.text, self.ends = bytes(text), ends
        #: indices of the rows still kept (None: all of them), see :meth:`drop`
        self.kept: array[int] | None = None

    def _rows(self) -> Iterator[int]:
        return iter(self.kept) if self.kept is not None else iter(range(len(self.ends)))

    def items(self) -> Iterator[tuple[bytes, Entry]]:
        keys, text, ends, k = self.keys, self.text, self.ends, _KEY_BYTES
        for i in self._rows():
            start = ends[i - 1] if i else 0
            yield keys[i * k:(i + 1) * k], text[start:ends[i]].decode()

    def values(self) -> Iterator[Entry]:
        return (entry for _, entry in self.items())

    def __iter__(self) -> Iterator[bytes]:
        return (key for key, _ in self.items())

    def __len__(self) -> int:
        return len(self.kept) if self.kept is not None else len(self.ends)

    def drop(self, keep: Callable[[Entry], bool]) -> int:
        """Keep only the rows whose entry ``keep`` accepts; how many went."""
        kept, gone = array("Q"), 0
        for i, (_, entry) in zip(self._rows(), self.items(), strict=True):
            if keep(entry):
                kept.append(i)
            else:
                gone += 1
        if gone:
            self.kept = kept
        return gone


_KEY_BYTES = 16


def _packed(entries: Mapping[bytes, Entry]) -> Mapping[bytes, Entry] | Packed:
    """``entries`` packed (:class:`Packed`), or as they are when a key is not 16 bytes."""
    if isinstance(entries, Packed):
        return entries
    try:
        return Packed(entries)
    except ValueError:
        return entries


@dataclass
class TableMemo:
    """One table's memo while it is scanned: what was kept (``old``: keyed digest of the
    row's cells → packed entry; the sig is the kept state's), what is kept next (``new``)."""

    table: Table
    hash: Any  # a keyed BLAKE2b, copied per row
    fields: tuple[str, ...]
    cells: Callable[[Mapping[Any, Any]], Any]
    old: Mapping[bytes, Entry]
    new: Any  # dict[bytes, Entry] while scanned; a Packed once handed over (RowMemo.adopt)
    graph: Mapping[str, str]
    #: keyed digest of the table's file, and what the last sync kept of it (or None)
    file: str | None = None
    old_file: Mapping[str, Any] | None = None
    seen: int = 0
    hits: int = 0
    clean: bool = False
    replayed: bool = False
    #: replayed and read cleanly again: what is kept of it would be what was kept
    same: bool = False
    _digest: bytes | None = None
    #: rows this scan may still memoise, shared by its tables (``MEMO_MAX_ROWS``)
    budget: list[int] = field(default_factory=lambda: [memo_max_rows()])

    def _keep(self, digest: bytes, entry: Entry) -> None:
        if self.budget[0] > 0:
            self.budget[0] -= 1
            self.new[digest] = entry

    def _live(self, ident: str) -> str | None:
        sig = self.graph.get(ident)
        return sig if sig and not sig.startswith(RETIRED_MARK) else None

    def known(self, number: int, raw: Mapping[Any, Any]) -> Record | None:
        """The row's record when it is known and unchanged in the graph, else None.

        The record returned carries only the values the checks across rows read (nothing
        is written for an unchanged row).  Call :meth:`learn` with the record of a row
        this returned None for."""
        self.seen += 1
        self._digest = None
        if ROW_ERROR in raw or FORMULAS in raw or (not self.old and self.budget[0] <= 0):
            return None
        try:
            cells = self.cells(raw)
        except KeyError:  # a row without one of the header's columns: read it in full
            return None
        h = self.hash.copy()
        try:  # CSV cells are text: joined, unambiguous while no cell holds the separator
            text = "\x1f".join(cells)
            if text.count("\x1f") != len(cells) - 1:
                raise TypeError
            h.update(b"j" + text.encode())
        except TypeError:  # spreadsheet values (numbers, dates, None): their repr
            h.update(b"r" + repr(cells).encode())
        digest = self._digest = h.digest()
        entry = self.old.get(digest)
        if entry is None:
            return None
        ident, row, refs = unpack(entry)
        sig = self._live(ident)
        if sig is None:  # absent or retired in the graph: normalise it
            return None
        self._keep(digest, entry if row == number else pack(ident, number, refs))
        self.hits += 1
        return _record(self.table.name, number, ident, dict(zip(self.fields, refs,
                                                                strict=True)), sig)

    def learn(self, record: Record) -> None:
        """Keep the row just looked up (a clean record, no warnings) for the next sync."""
        if self._digest is not None and not record.deleted:
            values = record.values
            self._keep(self._digest, pack(record.key, record.row,
                                          [values.get(f) for f in self.fields]))
        self._digest = None

    def replay(self) -> Iterator[tuple[int, Record]] | None:
        """The table's records without reading it, when its file has the same bytes (same
        key, code, day and input limits) as a table the last sync read cleanly — every row
        memoised, no error, warning or note — and every record is live, unchanged, in the
        graph state; else None (read the rows)."""
        kept_file = self.old_file
        if (self.file is None or not kept_file or kept_file.get("file") != self.file
                or kept_file.get("rows") != len(self.old)):
            return None
        # The entries were kept in the order their rows were read, which is the rows'
        # order: checked here (with every record live), so nothing is sorted or held twice.
        # (Inlined: at province this loop and the next run 2.5 M times.)
        sigs: list[str] = []
        live, mark, us, rs = self.graph.get, RETIRED_MARK, _US, _RS
        last = 0
        for entry in self.old.values():
            if entry.startswith(rs):
                ident, row = _head(entry)
            else:
                head = entry.split(us, 2)
                ident, row = head[0], int(head[1])
            sig = live(ident)
            if not sig or sig.startswith(mark) or row <= last:
                return None
            sigs.append(sig)
            last = row
        self.replayed = True
        return self._replay(sigs)

    def _replay(self, sigs: list[str]) -> Iterator[tuple[int, Record]]:
        name, fields, new, us, none = self.table.name, self.fields, self.new, _US, _NONE
        new_record = object.__new__
        for (digest, entry), sig in zip(self.old.items(), sigs, strict=True):
            if entry.startswith(_RS):
                ident, row, refs = unpack(entry)
            else:
                ident, text, *refs = entry.split(us)
                row = int(text)
                refs = [None if v == none else v for v in refs]
            new[digest] = entry
            rec = new_record(Record)  # as _record, inlined
            rec.__dict__.update(table=name, row=row, key=ident,
                                values=dict(zip(fields, refs, strict=True)), sig=sig, op=None)
            yield row, rec
        n = len(sigs)  # a replayed table was within the bound when it was kept
        self.budget[0] -= n
        self.seen += n
        self.hits += n

    def finish(self, clean: bool) -> None:
        """The table is scanned; ``clean``: no error, warning or note came from its rows.
        What was kept of it is let go (memory: a million rows each)."""
        self.clean = clean and self.file is not None and len(self.new) == self.seen
        self.same = self.replayed and self.clean
        self.old = {}

    def handover(self) -> tuple[Any, ...]:
        """What :meth:`RowMemo.adopt` needs of this table in another process (the
        overlapped sync's worker, loaders/overlap.py); this side lets its entries go.
        The entries go packed (:class:`Packed`): fewer bytes to pickle, and the other side
        holds them in three buffers until it keeps them."""
        out = (_packed(self.new), self.clean, self.file, self.seen, self.hits)
        self.new = {}
        return out


def _record(table: str, row: int, key: str, values: dict[str, Any], sig: str) -> Record:
    """``Record(table, row, key, values, sig, None)`` without the frozen dataclass's
    ``__init__`` (one ``object.__setattr__`` per field: twice the cost, at a million rows)."""
    rec = object.__new__(Record)
    rec.__dict__.update(table=table, row=row, key=key, values=values, sig=sig, op=None)
    return rec


@dataclass
class RowMemo:
    """Every memoised table of one scan: the kept digests in, the digests to keep out."""

    hasher: Hasher
    day: str
    #: as kept: table → keyed digest → packed entry; table → {"file", "rows"}
    old: Mapping[str, Mapping[bytes, Entry]] = field(default_factory=dict)
    old_files: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    tables: dict[str, TableMemo] = field(default_factory=dict)
    budget: list[int] = field(default_factory=lambda: [memo_max_rows()])

    def table(self, export: Any, table: Table, headers: list[str], incremental: bool,
              graph: Mapping[str, str], fields: tuple[str, ...] | None) -> TableMemo | None:
        """The memo of ``table`` as read with ``headers``; None when it is not memoised."""
        if incremental or fields is None:
            return None
        if self.day != date.today().isoformat():
            return None
        present = tuple(c.header for c in table.columns if c.header in headers)
        if not present:
            return None
        # The cells are taken by header, so the file's column order, quoting and encoding
        # do not change a row's digest; which declared columns the file has does.
        label = json.dumps([code_id(), self.day, table.name, present], ensure_ascii=False)
        key = bytes.fromhex(self.hasher._hmac(f"redgov kept rows|{label}".encode()))
        getter = operator.itemgetter(*present)
        cells = getter if len(present) > 1 else (lambda raw: (getter(raw),))
        old = self.old.pop(table.name, {}) if isinstance(self.old, dict) else {}
        memo = TableMemo(table, hashlib.blake2b(key=key, digest_size=16), fields, cells,
                         old, {}, graph,
                         _file_digest(export, table.name, key),
                         self.old_files.get(table.name), budget=self.budget)
        self.tables[table.name] = memo
        return memo

    def adopt(self, name: str, handed: tuple[Any, ...]) -> None:
        """Take a table's memo scanned in another process (:meth:`TableMemo.handover`)."""
        new, clean, file, seen, hits = handed  # new: a Packed, or a dict (kept() takes both)
        self.tables[name] = TableMemo(TABLES[name], None, (), tuple, {}, new, {}, file,
                                      seen=seen, hits=hits, clean=clean, budget=self.budget)

    @property
    def hits(self) -> int:
        return sum(t.hits for t in self.tables.values())

    @property
    def seen(self) -> int:
        return sum(t.seen for t in self.tables.values())

    def kept(self, state: GraphState, scan: Any) -> tuple[dict[str, Any],
                                                          dict[str, dict[str, Any]]]:
        """What to keep with ``state`` (the state after this scan's sync): the rows whose
        record the state holds as the scan found it (the sig is then implied), and the
        tables read cleanly whose every row is among them.  The rows are filtered in place
        (a copy of a province memo would cost another ≈ 200 MB): call it once, at the end."""
        rows: dict[str, Any] = {}
        files: dict[str, dict[str, Any]] = {}
        for name, tm in self.tables.items():
            sigs, found = state.sigs.get(name, {}), scan.sigs.get(name, {})
            out = rows[name] = tm.new
            if sigs is found:
                # The state took the scan's listing as it is (``after``: a table new to the
                # graph, written whole): an entry's record holds when the listing has its
                # identity live, and every memoised row of an applied sync's scan is listed
                # (a clean, undeleted record; a repeated identity is an error, a repeated
                # visit merged).  Not checked row by row: 2.5 M rows at province.
                gone = 0
            elif isinstance(out, Packed):  # adopted from the worker: filtered by index
                gone = out.drop(_holds(found, sigs))
            else:
                drop = [d for d, e in out.items()
                        if not ((sig := found.get(i := _ident(e))) and sigs.get(i) == sig)]
                for d in drop:
                    del out[d]
                gone = len(drop)
            if tm.clean and not gone:
                files[name] = {"file": tm.file, "rows": len(out)}
        return rows, files

    def same(self) -> bool:
        """Every table was replayed as kept and nothing else was kept: keeping again would
        write what is kept already."""
        return bool(self.tables) and all(t.same for t in self.tables.values()) and set(
            self.tables) == set(self.old_files)


def _holds(found: Mapping[str, str], sigs: Mapping[str, str]) -> Callable[[Entry], bool]:
    """Whether an entry's record is held by the state as the scan found it."""
    def holds(entry: Entry) -> bool:
        ident = _ident(entry)
        sig = found.get(ident)
        return bool(sig) and sigs.get(ident) == sig
    return holds


def _file_digest(export: Any, name: str, key: bytes) -> str | None:
    """Keyed digest of a CSV table's bytes and the input limits (None for a sheet)."""
    opener = getattr(export, "_csv", {}).get(name)  # read.Export: one opener per CSV table
    if opener is None:
        return None
    h = hashlib.blake2b(repr(getattr(export, "limits", None)).encode(), key=key,
                        digest_size=16)
    try:
        with opener() as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    except Exception:  # unreadable: the scan reports it; nothing is replayed
        return None
    return h.hexdigest()


def new_memo(hasher: Hasher | None) -> RowMemo | None:
    return None if hasher is None else RowMemo(hasher, date.today().isoformat())


# -- the state as data ----------------------------------------------------------------------
#: The values of a written unit or organisation record that :func:`after` reads: all the
#: sync process needs of them once they are written (:func:`slim`).
STATE_FIELDS: dict[str, tuple[str, ...]] = {UNIT_T: ("level", "name", "parent_code"),
                                            ORG_T: ("kind", "parent_code")}


def slim(records: Mapping[str, Record], table: str) -> dict[str, Record]:
    """The unit or organisation records with only :data:`STATE_FIELDS` left in their
    values.  Why: an overlapped sync holds them whole from their hand-over to the end (at
    province ≈ 200 MB of value dictionaries), though once they are written only
    :func:`after` reads them.  Call it only then."""
    fields = STATE_FIELDS[table]
    return {code: _slimmed(rec, fields) for code, rec in records.items()}


def _slimmed(rec: Record, fields: tuple[str, ...]) -> Record:
    out = object.__new__(Record)
    values = rec.values
    out.__dict__.update(rec.__dict__, values={f: values.get(f) for f in fields})
    return out


def after(state: GraphState, plan: Any, scan: Any, ordinal: int) -> GraphState:
    """The state the graph holds once ``plan`` (diffed from ``scan`` against ``state``) is
    published as snapshot ``ordinal``: what ``apply.apply_plan`` writes, as data.

    Written records take the export's signature (restored ones live again); retired ones
    keep theirs, marked; units rewritten or re-ancestored take their new ancestry; the
    rest is as it was.  ``tests/test_kept.py`` compares this with :func:`read_state` after
    every sync of the history fixtures, on both engines.
    """
    out = GraphState(sigs={t: dict(s) for t, s in state.sigs.items()},
                     units=dict(state.units), org_kinds=dict(state.org_kinds),
                     org_parents=dict(state.org_parents), snapshot=ordinal)
    for name, tp in plan.tables.items():
        listed = scan.sigs.get(name, {})
        if (not out.sigs.get(name) and len(tp.add) == len(listed)
                and not (tp.restore or tp.change or tp.retire)):
            # New to the graph and written whole (every table of a first sync): its state
            # is what the scan listed, shared rather than copied (≈ 50 bytes a row of dict
            # at keep time, 2.52 M rows at province).
            out.sigs[name] = listed
            continue
        sigs = out.table(name)
        for k in tp.writes():
            sigs[k] = listed[k]
        for k in tp.retire:
            old = sigs.get(k, "")
            sigs[k] = old if is_retired(old) else RETIRED_MARK + old
    units = plan.tables.get(UNIT_T)
    for code in units.writes() if units is not None else ():
        v = scan.units[code].values
        anc = plan.unit_ancestry.get(code)
        out.units[code] = UnitInfo(v["level"], v["name"], v["parent_code"],
                                   _ancestry(anc if anc is not None else {}))
    for code, anc in plan.ancestry.items():
        if units is None or code not in units.writes():
            old_info = out.units[code]
            out.units[code] = UnitInfo(old_info.level, old_info.name, old_info.parent_code,
                                       _ancestry(anc))
    orgs = plan.tables.get(ORG_T)
    for code in orgs.writes() if orgs is not None else ():
        v = scan.orgs[code].values
        out.org_kinds[code] = v["kind"]
        out.org_parents[code] = v["parent_code"]
    return out


def _ancestry(anc: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(anc.get(f) for f in ANCESTRY)


# -- keeping and loading --------------------------------------------------------------------
def _chunks(items: Mapping[str, Any], size: int) -> Iterator[dict[str, Any]]:
    chunk: dict[str, Any] = {}
    for k, v in items.items():
        chunk[k] = v
        if len(chunk) >= size:
            yield chunk
            chunk = {}
    if chunk:
        yield chunk


#: Entries per stored part (a part is one metadata node; about a megabyte of text).
PART_ITEMS = 10_000
#: Parts read at once when the bundle is loaded (so the whole text is never in memory).
READ_PARTS = 16


def _parts(state: GraphState, rows: Mapping[str, Any]) -> Iterator[str]:
    """The bundle's data as a sequence of small JSON texts, made one at a time.  ASCII
    (the few Chinese names escaped): an ASCII text is read, hashed and parsed faster."""
    for name, sigs in state.sigs.items():
        for chunk in _chunks(sigs, PART_ITEMS):
            yield json.dumps({"sigs": [name, chunk]}, ensure_ascii=True)
    units = {c: [u.level, u.name, u.parent_code, list(u.ancestry)]
             for c, u in state.units.items()}
    for what, data in (("units", units), ("org_kinds", state.org_kinds),
                       ("org_parents", state.org_parents)):
        for chunk in _chunks(data, PART_ITEMS):
            yield json.dumps({what: chunk}, ensure_ascii=True)
    for name, entries in rows.items():
        for chunk in _chunks(entries, PART_ITEMS):
            # keys: one hex text of 16-byte digests in a row; values: the packed entries
            yield json.dumps({"rows": [name, b"".join(chunk).hex(), list(chunk.values())]},
                             ensure_ascii=True)


def keep(store: Store, hasher: Hasher, run_id: str, state: GraphState,
         memo: RowMemo | None, scan: Any = None) -> bool:
    """Keep ``state`` (of the published snapshot ``run_id``) and the scan's row memo;
    replaces any earlier bundle.  False when the store refused (nothing kept then).

    Parts 1… are written as they are made; part 0, the head, last: it carries the number
    of parts and the digest of their texts, so a bundle whose writing stopped has no head
    and is never used."""
    rows, files = memo.kept(state, scan) if memo is not None and scan is not None else ({}, {})
    token = os.urandom(8).hex()  # names this writing's parts
    at = _dt.now().astimezone().isoformat(timespec="seconds")
    whole = hashlib.blake2b(digest_size=16)
    n = 0
    try:
        forget(store)
        for n, text in enumerate(_parts(state, rows), start=1):
            whole.update(text.encode() + b"\0")
            store.write_meta(_WRITE, {"run_id": run_id, "ordinal": state.snapshot, "part": n,
                                      "parts": 0, "digest": token, "data": text, "at": at})
        head = {"format": KEPT_FORMAT, "run_id": run_id, "ordinal": state.snapshot,
                "code": code_id(), "key": _key_id(hasher),
                "day": memo.day if memo is not None else None, "files": files,
                "snapshot": state.snapshot, "parts": n, "whole": whole.hexdigest()}
        store.write_meta(_WRITE, {"run_id": run_id, "ordinal": state.snapshot, "part": 0,
                                  "parts": n + 1, "digest": token,
                                  "data": json.dumps({"head": head}, ensure_ascii=False),
                                  "at": at})
    except Exception:  # best effort: a read-only account, a busy store
        return False
    return True


def forget(store: Store) -> None:
    """Drop the kept bundle (after a write that bypassed the sync, e.g. a repair)."""
    while store.write_meta(_DROP)[0]["n"]:
        pass


def _read_parts(store: Store, run_id: str, parts: int, token: str) -> Iterator[str]:
    """The texts of parts 1 … ``parts - 1``, a few at a time; ValueError when one is
    missing, doubled or of another writing."""
    for lo in range(1, parts, READ_PARTS):
        hi = min(lo + READ_PARTS, parts)
        found = store.read_meta(_READ, {"run_id": run_id, "lo": lo, "hi": hi})
        if [r["part"] for r in found] != list(range(lo, hi)) or any(
                r["digest"] != token for r in found):
            raise ValueError("parts missing or mixed")
        for r in found:
            yield str(r["data"] or "")


def _bundle(store: Store, hasher: Hasher) -> dict[str, Any] | None:
    """The kept bundle of the latest published snapshot, if it is whole and ours:
    ``{"head", "state": GraphState, "rows"}``."""
    snapshots = list_snapshots(store.read)
    if not snapshots:
        return None
    last = snapshots[-1]
    try:
        found = store.read_meta(_READ, {"run_id": last.run_id, "lo": 0, "hi": 1})
        if len(found) != 1 or found[0]["part"] != 0:
            return None
        head = json.loads(found[0]["data"])["head"]
        if (head.get("format") != KEPT_FORMAT or head.get("run_id") != last.run_id
                or head.get("ordinal") != last.ordinal or head.get("code") != code_id()
                or head.get("key") != _key_id(hasher) or head.get("snapshot") != last.ordinal
                or found[0]["parts"] != head.get("parts", -1) + 1):
            return None
        state = GraphState()
        rows: dict[str, dict[bytes, Entry]] = {}
        whole = hashlib.blake2b(digest_size=16)
        for text in _read_parts(store, last.run_id, found[0]["parts"], found[0]["digest"]):
            whole.update(text.encode() + b"\0")
            _take(json.loads(text), state, rows)
        if whole.hexdigest() != head.get("whole"):
            return None
    except (StoreError, ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None
    state.snapshot = last.ordinal
    return {"head": head, "state": state, "rows": rows}


def _take(part: Mapping[str, Any], state: GraphState, rows: dict[str, dict[bytes, Entry]]
          ) -> None:
    """One part's data into the state or the memo."""
    if "sigs" in part:
        state.table(part["sigs"][0]).update(part["sigs"][1])
    elif "units" in part:
        state.units.update((c, UnitInfo(u[0], u[1], u[2], tuple(u[3])))
                           for c, u in part["units"].items())
    elif "org_kinds" in part:
        state.org_kinds.update(part["org_kinds"])
    elif "org_parents" in part:
        state.org_parents.update(part["org_parents"])
    elif "rows" in part:
        name, keys, values = part["rows"]
        raw = bytes.fromhex(keys)
        if len(raw) != 16 * len(values) or not all(type(v) is str for v in values):
            raise ValueError("memo keys and entries differ")
        rows.setdefault(name, {}).update(
            zip([raw[i:i + 16] for i in range(0, len(raw), 16)], values, strict=True))
    else:
        raise ValueError("unknown part")


def load(store: Store, hasher: Hasher | None) -> tuple[GraphState, RowMemo | None]:
    """The latest published state — kept, else read from the graph (``state.kept`` says
    which) — and the row memo to scan with (None without a hasher)."""
    memo = new_memo(hasher)
    bundle = _bundle(store, hasher) if hasher is not None else None
    if bundle is None:
        return read_state(store), memo
    state = bundle["state"]
    state.kept = True
    if memo is not None and bundle["head"].get("day") == memo.day:
        memo.old = bundle["rows"]
        memo.old_files = bundle["head"].get("files") or {}
    return state, memo


def remember(store: Store, hasher: Hasher | None, state: GraphState, scan: Any,
             plan: Any, published: tuple[str, int] | None) -> None:
    """After a sync: keep the state of the snapshot it published (``published``: run id,
    ordinal) or, when it published nothing and read the state from the graph, the state it
    read (so the next re-sync need not read it)."""
    if hasher is None or scan is None:
        return
    try:
        _remember(store, hasher, state, scan, plan, published)
    except Exception:  # keeping is best effort: without it the next sync reads the graph
        return


def _remember(store: Store, hasher: Hasher, state: GraphState, scan: Any, plan: Any,
              published: tuple[str, int] | None) -> None:
    memo = getattr(scan, "memo", None)
    if published is not None:
        run_id, ordinal = published
        keep(store, hasher, run_id, after(state, plan, scan, ordinal), memo, scan)
        return
    if state.kept and (memo is None or memo.same() or memo.hits * 2 >= memo.seen):
        # The bundle kept is this state's: keep it as it is unless its memo knew fewer than
        # half of these rows (writing it again costs about what reading it does).
        return
    snapshots = list_snapshots(store.read)
    if snapshots and snapshots[-1].ordinal == state.snapshot:
        keep(store, hasher, snapshots[-1].run_id, state, memo, scan)
