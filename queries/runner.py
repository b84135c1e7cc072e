"""Running a catalog question: resolve and validate parameters, run, check the columns.

Parameters are always passed to the engine as Cypher parameters, never pasted into the
text.  Every question answers for one published snapshot (``graph.snapshots``): the
caller names it (a date, a run id, ``latest`` or a resolved :class:`Snapshot`; default the
latest) and its ordinal is passed as ``$snapshot``, which the shared conditions
(``@live``/``@current``/``@active``) pin.  ``as_of`` defaults to that snapshot's date (else
today, when nothing is published yet), and the derived ``as_of_day`` (days since
1970-01-01) spares the Cypher any date arithmetic.

``account_scope`` (a dashboard account's unit) is enforced here, where the question runs,
whatever the caller asks for: the requested ``scope`` is intersected with it
(``graph.scope.intersect``; a unit outside is "no unit with code …", as if it did not
exist), a roll-up ``level`` above the scope's own level is lowered to it, and unit
columns naming a unit outside the account's subtree are blanked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..graph import scope as scoping
from ..graph.cypher import cypher
from ..graph.display import display
from ..graph.snapshots import NO_SNAPSHOT, Snapshot
from ..graph.snapshots import resolve as resolve_snapshot
from ..graph.stores.base import Store
from ..graph.summaries import kept
from ..graph.vocabulary import LEVEL_ORDER
from .analytics import COMPUTING_FOR
from .catalog import Param, Question, get_question
from .fact_texts import choose_text
from .kept_answers import kept_rows
from .place_answers import splitter
from .scoped_answers import narrowed

__all__ = [
    "ParamError",
    "QueryResult",
    "choose_snapshot",
    "ordinal",
    "resolve_params",
    "restrict_params",
    "run_question",
    "snapshot_json",
]

_EPOCH = date(1970, 1, 1)

_UNIT_EXISTS = cypher(
    "queries.runner.unit_exists",
    "MATCH (u:Unit {code: $code}) WHERE @live(u) RETURN u.code AS code LIMIT 1",
)


class ParamError(ValueError):
    """A parameter is unknown or its value does not fit its type; the message names both.

    The message is Chinese (``str``); ``en`` holds its English form when it has one, and
    :meth:`text` picks the one a reader asked for.
    """

    def __init__(self, message: str, en: str | None = None) -> None:
        super().__init__(message)
        self.en = en

    def text(self, lang: str = "zh") -> str:
        return self.en if lang == "en" and self.en else str(self)


def snapshot_json(snapshot: Snapshot | None) -> dict[str, Any] | None:
    """What an answer records of its snapshot: ordinal, snapshot date and run id."""
    if snapshot is None:
        return None
    return {"ordinal": snapshot.ordinal, "date": snapshot.date, "run_id": snapshot.run_id}


@dataclass
class QueryResult:
    question: str
    params: dict[str, Any]
    columns: list[str]
    rows: list[dict[str, Any]]
    count: int
    snapshot: Snapshot | None = None  # None: nothing was published yet

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``redgov audit --format json``."""
        return {"query": self.question, "snapshot": snapshot_json(self.snapshot),
                "params": self.params, "columns": self.columns, "rows": self.rows,
                "count": self.count}


#: why a value does not fit its parameter's type: (Chinese, English)
_WHY: dict[str, tuple[str, str]] = {
    "date": ("不是日期（YYYY-MM-DD）", "is not a date (YYYY-MM-DD)"),
    "bool": ("不是“是”或“否”（true/false）", "is not true/false"),
    "int": ("不是整数", "is not an integer"),
    "float": ("不是数值", "is not a number"),
}


def _bad(p: Param, value: Any, why: str, why_zh: str | None = None) -> ParamError:
    zh = why_zh or _WHY.get(p.type, ("取值无效", why))[0]
    return ParamError(f"参数“{p.label()}”：{value!r} {zh}",
                      en=f"parameter {p.name} ({p.type}): {value!r} {why}")


def _coerce(p: Param, value: Any) -> Any:
    if value is None:
        return None
    t = p.type
    if t == "date":
        if isinstance(value, date):
            return value.isoformat()
        try:
            return date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise _bad(p, value, "is not a date (YYYY-MM-DD)") from None
    if t == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "false", "1", "0", "yes", "no"):
            return text in ("true", "1", "yes")
        raise _bad(p, value, "is not true/false")
    if t == "int":
        if isinstance(value, bool):
            raise _bad(p, value, "is not an integer")
        try:
            return int(str(value).strip()) if not isinstance(value, int) else value
        except ValueError:
            raise _bad(p, value, "is not an integer") from None
    if t == "float":
        if isinstance(value, bool):
            raise _bad(p, value, "is not a number")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _bad(p, value, "is not a number") from None
    if t == "level":
        text = str(value).strip()
        if text not in LEVEL_ORDER:
            raise _bad(p, value, f"is not a level ({', '.join(LEVEL_ORDER)})",
                       "不是层级（" + "、".join(display(x, domain="level") for x in LEVEL_ORDER)
                       + "）")
        return text
    text = str(value).strip()  # unit, string
    if t == "unit" and not text:
        return None
    return text


def choose_snapshot(store: Store, snapshot: Snapshot | str | None) -> Snapshot | None:
    """The published snapshot ``snapshot`` names (a resolved one is kept as it is).

    None only when nothing is published yet; an unknown value raises
    :class:`~redgov.graph.snapshots.SnapshotNotFound` naming what exists.
    """
    if isinstance(snapshot, Snapshot):
        return snapshot
    return resolve_snapshot(store.read, snapshot)


def ordinal(snapshot: Snapshot | None) -> int:
    """The ``$snapshot`` a read pins: nothing is visible before the first publication."""
    return snapshot.ordinal if snapshot is not None else NO_SNAPSHOT


def resolve_params(
    store: Store, question: Question, params: Mapping[str, Any] | None = None,
    snapshot: Snapshot | str | None = "latest",
) -> dict[str, Any]:
    """Defaults filled in, values converted and checked; unknown names refused.

    ``as_of`` defaults to ``snapshot``'s date (today when there is none: None means
    nothing is published); ``scope`` must name a unit of that snapshot.  A date or run id
    is resolved first (:func:`choose_snapshot`).
    """
    if snapshot is not None and not isinstance(snapshot, Snapshot):
        snapshot = choose_snapshot(store, snapshot)
    given = dict(params or {})
    known = {p.name: p for p in question.params}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ParamError(
            f"审计问题“{question.title_zh}”没有参数 {', '.join(map(repr, unknown))}；"
            f"可用的参数：{', '.join(known)}",
            en=f"{question.name} takes no parameter {', '.join(unknown)}; "
            f"it takes {', '.join(known)}",
        )
    out: dict[str, Any] = {}
    for p in question.params:
        out[p.name] = _coerce(p, given.get(p.name, p.default))
    if out.get("as_of") is None:
        snap = snapshot.date if snapshot is not None else None
        out["as_of"] = _coerce(known["as_of"], snap) if snap else date.today().isoformat()
    if out.get("scope") is not None and not _unit_exists(store, out["scope"], snapshot):
        raise unknown_scope(out["scope"])
    return out


#: A run id as the loader makes them (loaders/runlog.py ``new_run_id``): unique to one sync.
_RUN_ID = re.compile(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{6}")
_KNOWN_UNITS: set[tuple[str, str, str, str]] = set()
_KNOWN_MAX = 20_000


def _unit_exists(store: Store, code: str, snapshot: Snapshot | None) -> bool:
    """Whether unit ``code`` is live at ``snapshot``; a yes is remembered per process.

    A unit's page asks ~20 questions scoped to it, each checking its scope first: under
    load each check queued behind the page's other reads (24 checks, 0.8 s of a city
    district page at load 16).  A published snapshot never changes, and a run id made by
    the loader names one sync of one graph, so a unit live at it stays live; a snapshot
    without such an id (written by hand) is always asked.
    """
    run_id = snapshot.run_id if snapshot is not None else None
    key = (getattr(store, "description", ""), str(getattr(store, "graph_name", "")),
           run_id or "", code)
    if key in _KNOWN_UNITS:
        return True
    found = bool(store.read(_UNIT_EXISTS, {"code": code, "snapshot": ordinal(snapshot)}))
    if found and run_id and _RUN_ID.fullmatch(run_id):
        if len(_KNOWN_UNITS) >= _KNOWN_MAX:
            _KNOWN_UNITS.clear()
        _KNOWN_UNITS.add(key)
    return found


def as_day(iso: str) -> int:
    """Days since 1970-01-01, the unit of the loader's ``*_day`` properties.

    >>> as_day("1970-01-02"), as_day("2024-06-30")
    (1, 19904)
    """
    return (date.fromisoformat(iso) - _EPOCH).days


def unknown_scope(code: Any) -> ParamError:
    """A scope naming no unit (or one outside the account's: the same words)."""
    return ParamError(f"范围：没有编码为 {code!r} 的单位",
                      en=f"parameter scope (unit): no unit with code {code!r}")


_not_found = unknown_scope


def restrict_params(
    store: Store, question: Question, resolved: dict[str, Any], account_scope: str | None,
    snapshot: int | None = None,
) -> dict[str, Any]:
    """Resolved parameters narrowed to an account's scope (see the module docstring), the
    units read at ``snapshot`` (an ordinal; None: the latest)."""
    if account_scope is None:
        return resolved
    out = dict(resolved)
    try:
        out["scope"] = scoping.intersect(store, account_scope, resolved.get("scope"),
                                         snapshot=snapshot)
    except scoping.OutOfScope:
        raise _not_found(resolved.get("scope")) from None
    for p in question.params:
        if p.type == "level" and out.get(p.name):
            out[p.name] = scoping.clamp_level(store, out["scope"], out[p.name],
                                              snapshot=snapshot)
    return out


def _analytics(
    store: Store, question: Question, bound: dict[str, Any], snapshot: Snapshot | None
) -> list[dict[str, Any]]:
    """A network question's rows, kept per published snapshot (graph/summaries.py).

    Its answer is pure in the snapshot and ``bound`` (the parameters, the scope already
    narrowed to the account's), and it costs a read of every active post in scope plus the
    Python network work, so the first asker of a snapshot computes it and every later one
    (any process, any host) reads it back.  Rows are JSON values, so what comes back is
    what was computed.  Unscoped answers can be too large for a JSON entry (``interlocks``
    at province: 60 k rows), so they are kept compressed (:mod:`.kept_answers`).
    """
    def compute() -> list[dict[str, Any]]:
        # A loader-made run id names one sync's snapshot: its network read can be kept
        # and shared (queries/analytics.py read_network).
        run_id = snapshot.run_id if snapshot is not None else None
        token = COMPUTING_FOR.set(snapshot if run_id and _RUN_ID.fullmatch(run_id) else None)
        try:
            return question.compute(store, bound)
        finally:
            COMPUTING_FOR.reset(token)

    if bound.get("scope") is None:
        return kept_rows(store, question.name, snapshot, question.column_names, compute,
                         bound, keep=True)
    return kept(store, f"question.{question.name}", snapshot, compute, bound)


def run_question(
    store: Store, name: str, params: Mapping[str, Any] | None = None, *,
    account_scope: str | None = None, snapshot: Snapshot | str | None = None,
    use_facts: bool = True, keep: bool = False,
) -> QueryResult:
    """Run one catalog question and return its rows in the declared column order.

    ``account_scope`` None runs unrestricted (the CLI, an admin without a scope).
    ``snapshot``: the published snapshot to answer for — a :class:`Snapshot`, a date
    (the latest snapshot on or before it), a run id, ``latest`` or None (the latest).
    ``use_facts``: read the snapshot's per-compound facts where they give the definition's
    answer (:mod:`.fact_texts`); False always computes from the graph (tests, benchmarks).
    An unscoped answer is read back when it was kept for the snapshot and parameters
    (:mod:`.kept_answers`: large or slow ones, and every one the post-publish warm step
    asks with ``keep``); a few scoped answers are narrowed from it (:mod:`.scoped_answers`);
    ``use_facts`` False never reads or keeps one.
    """
    question = get_question(name)
    chosen = choose_snapshot(store, snapshot)
    pinned = ordinal(chosen)
    try:
        resolved = resolve_params(store, question, params, chosen)
    except ParamError as exc:
        if account_scope is not None and str(exc).startswith("parameter scope (unit)"):
            raise _not_found((params or {}).get("scope")) from None
        raise
    resolved = restrict_params(store, question, resolved, account_scope, pinned)
    bound = {**resolved, "as_of_day": as_day(resolved["as_of"]), "snapshot": pinned}
    if question.kind == "analytics":
        raw = _analytics(store, question, bound, chosen)
    elif not use_facts:
        raw = store.read(question.text, bound)
    else:
        def compute() -> list[dict[str, Any]]:
            return store.read(choose_text(store.read, name, question.text, bound, chosen),
                              bound)

        if bound.get("scope") is None:
            raw = kept_rows(store, name, chosen, question.column_names, compute, bound,
                            keep=keep, split=splitter(name))
        else:
            narrow = narrowed(store, name, chosen, question.column_names, bound)
            raw = compute() if narrow is None else narrow
    columns = question.column_names
    if raw and set(raw[0]) != set(columns):
        raise RuntimeError(
            f"{name} returned columns {sorted(raw[0])}, its header declares {sorted(columns)}"
        )
    # One read's (or one computation's) rows all share their keys' order: already in the
    # declared order (a kept answer always is), they are used as they are, not copied.
    ordered = bool(raw) and list(raw[0]) == columns
    rows = raw if ordered else [{c: r[c] for c in columns} for r in raw]
    rows = scoping.redact_rows(store, account_scope, rows, snapshot=pinned)
    return QueryResult(name, resolved, columns, rows, len(rows), chosen)
