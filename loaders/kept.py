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
- **the row memo** — per table, a keyed digest of each clean row's raw cells → the
  identity, signature and reference codes ``to_record`` made of it.  A row whose digest
  is known and whose identity holds that same signature, live, in the graph state is
  unchanged: it is not normalised again, only its references are checked again
  (``validate._check_refs``), and nothing of it is written.  Any other row is normalised
  as before.  The digest is BLAKE2b keyed with an HMAC of the personal-data key over the
  loader code, the day, the table and its header row, so a memo made under another key,
  by other code or on another day matches nothing.  Rows with warnings or errors, 增量
  exports and the unit and organisation tables (read whole by the level rules) are never
  memoised.

Nothing raw is kept: identities and reference codes (never personal data), signatures,
and keyed digests.  Keeping is best effort: a store that refuses the metadata write (a
read-only account) just reads the graph every time.
"""

from __future__ import annotations

import hashlib
import json
import operator
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from datetime import datetime as _dt
from pathlib import Path
from typing import Any

from ..graph.cypher import cypher
from ..graph.snapshots import list_snapshots
from ..graph.stores.base import Store, StoreError
from .pii import Hasher
from .read import FORMULAS, ROW_ERROR
from .records import Record
from .schema import ORG_T, UNIT_T
from .state import ANCESTRY, RETIRED_MARK, GraphState, UnitInfo, is_retired, read_state
from .tables import Table

__all__ = ["KEPT_FORMAT", "RowMemo", "TableMemo", "after", "forget", "keep", "load",
           "remember"]

#: Bump when the bundle's layout changes (old bundles then stop matching).
KEPT_FORMAT = "kept-1"
#: Characters per stored part (one metadata node each): bounded parameter and value sizes.
PART_CHARS = 1_000_000

_READ = cypher(
    "sync.kept.read",
    """
MATCH (k:SyncKept {run_id: $run_id})
RETURN k.part AS part, k.parts AS parts, k.digest AS digest, k.data AS data
ORDER BY part
""",
)
_DROP = cypher("sync.kept.drop", "MATCH (k:SyncKept) DELETE k")
_WRITE = cypher(
    "sync.kept.write",
    """
CREATE (k:SyncKept {run_id: $run_id, ordinal: $ordinal, part: $part, parts: $parts,
                    digest: $digest, data: $data, at: $at})
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
@dataclass
class TableMemo:
    """One table's memo while it is scanned: what was kept (``old``), what is kept next."""

    table: Table
    key: bytes
    fields: tuple[str, ...]
    cells: Callable[[Mapping[Any, Any]], Any]
    old: Mapping[str, list[Any]]
    new: dict[str, list[Any]]
    graph: Mapping[str, str]
    hits: int = 0
    _digest: str | None = None

    def known(self, number: int, raw: Mapping[Any, Any]) -> Record | None:
        """The row's record when it is known and unchanged in the graph, else None.

        The record returned carries only the values the reference checks read (nothing
        is written for an unchanged row).  Call :meth:`learn` with the record of a row
        this returned None for."""
        self._digest = None
        if ROW_ERROR in raw or FORMULAS in raw:
            return None
        try:
            text = repr(self.cells(raw))
        except KeyError:  # a row without one of the header's columns: read it in full
            return None
        digest = self._digest = hashlib.blake2b(
            text.encode(), key=self.key, digest_size=16).hexdigest()
        entry = self.old.get(digest)
        if entry is None:
            return None
        ident, sig = entry[0], entry[1]
        if self.graph.get(ident) != sig:  # absent, retired or other: normalise it
            return None
        self.new[digest] = entry
        self.hits += 1
        return Record(self.table.name, number, ident, dict(zip(self.fields, entry[2:],
                                                               strict=True)), sig, None)

    def learn(self, record: Record) -> None:
        """Keep the row just looked up (a clean record, no warnings) for the next sync."""
        if self._digest is not None and not record.deleted:
            self.new[self._digest] = [record.key, record.sig,
                                      *(record.values.get(f) for f in self.fields)]
        self._digest = None


@dataclass
class RowMemo:
    """Every memoised table of one scan: the kept digests in, the digests to keep out."""

    hasher: Hasher
    day: str
    old: Mapping[str, Mapping[str, list[Any]]] = field(default_factory=dict)
    new: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    tables: dict[str, TableMemo] = field(default_factory=dict)

    def table(self, table: Table, headers: list[str], incremental: bool,
              graph: Mapping[str, str], fields: tuple[str, ...] | None) -> TableMemo | None:
        """The memo of ``table`` as read with ``headers``; None when it is not memoised."""
        if incremental or fields is None or table.name in (UNIT_T, ORG_T):
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
        memo = TableMemo(table, key, fields, cells, self.old.get(table.name, {}),
                         self.new.setdefault(table.name, {}), graph)
        self.tables[table.name] = memo
        return memo

    @property
    def hits(self) -> int:
        return sum(t.hits for t in self.tables.values())


def new_memo(hasher: Hasher | None) -> RowMemo | None:
    return None if hasher is None else RowMemo(hasher, date.today().isoformat())


# -- the state as data ----------------------------------------------------------------------
def _state_json(state: GraphState) -> dict[str, Any]:
    return {
        "sigs": state.sigs,
        "units": {c: [u.level, u.name, u.parent_code, list(u.ancestry)]
                  for c, u in state.units.items()},
        "org_kinds": state.org_kinds, "org_parents": state.org_parents,
        "snapshot": state.snapshot,
    }


def _state_of(data: Mapping[str, Any]) -> GraphState:
    return GraphState(
        sigs={t: dict(s) for t, s in data["sigs"].items()},
        units={c: UnitInfo(u[0], u[1], u[2], tuple(u[3])) for c, u in data["units"].items()},
        org_kinds=dict(data["org_kinds"]), org_parents=dict(data["org_parents"]),
        snapshot=int(data["snapshot"]),
    )


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
        sigs = out.table(name)
        listed = scan.sigs.get(name, {})
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
def keep(store: Store, hasher: Hasher, run_id: str, state: GraphState,
         memo: RowMemo | None) -> bool:
    """Keep ``state`` (of the published snapshot ``run_id``) and the scan's row memo;
    replaces any earlier bundle.  False when the store refused (nothing kept then)."""
    bundle = {
        "format": KEPT_FORMAT, "run_id": run_id, "ordinal": state.snapshot,
        "code": code_id(), "key": _key_id(hasher),
        "day": memo.day if memo is not None else None,
        "state": _state_json(state), "rows": memo.new if memo is not None else {},
    }
    text = json.dumps(bundle, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    parts = [text[i:i + PART_CHARS] for i in range(0, len(text), PART_CHARS)] or [""]
    at = _dt.now().astimezone().isoformat(timespec="seconds")
    try:
        store.write_meta(_DROP)
        for n, part in enumerate(parts):
            store.write_meta(_WRITE, {"run_id": run_id, "ordinal": state.snapshot, "part": n,
                                      "parts": len(parts), "digest": digest, "data": part,
                                      "at": at})
    except Exception:  # best effort: a read-only account, a busy store
        return False
    return True


def forget(store: Store) -> None:
    """Drop the kept bundle (after a write that bypassed the sync, e.g. a repair)."""
    store.write_meta(_DROP)


def _bundle(store: Store, hasher: Hasher) -> dict[str, Any] | None:
    """The kept bundle of the latest published snapshot, if it is whole and ours."""
    snapshots = list_snapshots(store.read)
    if not snapshots:
        return None
    last = snapshots[-1]
    try:
        rows = store.read_meta(_READ, {"run_id": last.run_id})
    except StoreError:
        return None
    if not rows or any(r["part"] != n or r["parts"] != len(rows)
                       or r["digest"] != rows[0]["digest"] for n, r in enumerate(rows)):
        return None
    text = "".join(str(r["data"] or "") for r in rows)
    if hashlib.blake2b(text.encode(), digest_size=16).hexdigest() != rows[0]["digest"]:
        return None
    try:
        bundle = json.loads(text)
    except ValueError:
        return None
    if (bundle.get("format") != KEPT_FORMAT or bundle.get("run_id") != last.run_id
            or bundle.get("ordinal") != last.ordinal or bundle.get("code") != code_id()
            or bundle.get("key") != _key_id(hasher)
            or bundle.get("state", {}).get("snapshot") != last.ordinal):
        return None
    return bundle  # type: ignore[no-any-return]


def load(store: Store, hasher: Hasher | None) -> tuple[GraphState, RowMemo | None]:
    """The latest published state — kept, else read from the graph (``state.kept`` says
    which) — and the row memo to scan with (None without a hasher)."""
    memo = new_memo(hasher)
    bundle = _bundle(store, hasher) if hasher is not None else None
    if bundle is None:
        return read_state(store), memo
    state = _state_of(bundle["state"])
    state.kept = True
    if memo is not None and bundle.get("day") == memo.day:
        memo.old = bundle.get("rows") or {}
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
        keep(store, hasher, run_id, after(state, plan, scan, ordinal), memo)
        return
    if state.kept and (memo is None or memo.new == memo.old):
        return  # the kept bundle is already this one (its memo too)
    snapshots = list_snapshots(store.read)
    if snapshots and snapshots[-1].ordinal == state.snapshot:
        keep(store, hasher, snapshots[-1].run_id, state, memo)
