"""Running a catalog question: resolve and validate parameters, run, check the columns.

Parameters are always passed to the engine as Cypher parameters, never pasted into the
text.  ``as_of`` defaults to the snapshot date of the latest sync run (else today), and
the derived ``as_of_day`` (days since 1970-01-01) spares the Cypher any date arithmetic.

``account_scope`` (a dashboard account's unit) is enforced here, where the question runs,
whatever the caller asks for: the requested ``scope`` is intersected with it
(``graph.scope.intersect``; a unit outside is "no unit with code …", as if it did not
exist), a roll-up ``level`` above the scope's own level is lowered to it, and unit
columns naming a unit outside the account's subtree are blanked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..graph import scope as scoping
from ..graph.cypher import cypher
from ..graph.snapshots import Snapshot
from ..graph.stores.base import Store
from ..graph.vocabulary import LEVEL_ORDER
from .catalog import Param, Question, get_question

__all__ = ["ParamError", "QueryResult", "resolve_params", "restrict_params", "run_question"]

_EPOCH = date(1970, 1, 1)

_LATEST_SNAPSHOT = cypher(
    "queries.runner.latest_snapshot",
    """
MATCH (r:SyncRun)
RETURN r.snapshot_date AS snapshot_date
ORDER BY r.started_at DESC, r.id DESC
LIMIT 1
""",
)
_UNIT_EXISTS = cypher(
    "queries.runner.unit_exists",
    "MATCH (u:Unit {code: $code}) RETURN u.code AS code LIMIT 1",
)


class ParamError(ValueError):
    """A parameter is unknown or its value does not fit its type; the message names both."""


@dataclass
class QueryResult:
    question: str
    params: dict[str, Any]
    columns: list[str]
    rows: list[dict[str, Any]]
    count: int

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``redgov audit --format json``."""
        return {"query": self.question, "params": self.params, "columns": self.columns,
                "rows": self.rows, "count": self.count}


def _bad(p: Param, value: Any, why: str) -> ParamError:
    return ParamError(f"parameter {p.name} ({p.type}): {value!r} {why}")


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
            raise _bad(p, value, f"is not a level ({', '.join(LEVEL_ORDER)})")
        return text
    text = str(value).strip()  # unit, string
    if t == "unit" and not text:
        return None
    return text


def resolve_params(
    store: Store, question: Question, params: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Defaults filled in, values converted and checked; unknown names refused."""
    given = dict(params or {})
    known = {p.name: p for p in question.params}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ParamError(
            f"{question.name} takes no parameter {', '.join(unknown)}; "
            f"it takes {', '.join(known)}"
        )
    out: dict[str, Any] = {}
    for p in question.params:
        out[p.name] = _coerce(p, given.get(p.name, p.default))
    if out.get("as_of") is None:
        rows = store.read(_LATEST_SNAPSHOT)
        snap = rows[0]["snapshot_date"] if rows else None
        out["as_of"] = _coerce(known["as_of"], snap) if snap else date.today().isoformat()
    if out.get("scope") is not None and not store.read(_UNIT_EXISTS, {"code": out["scope"]}):
        raise ParamError(f"parameter scope (unit): no unit with code {out['scope']!r}")
    return out


def as_day(iso: str) -> int:
    """Days since 1970-01-01, the unit of the loader's ``*_day`` properties.

    >>> as_day("1970-01-02"), as_day("2024-06-30")
    (1, 19904)
    """
    return (date.fromisoformat(iso) - _EPOCH).days


def _not_found(code: Any) -> ParamError:
    return ParamError(f"parameter scope (unit): no unit with code {code!r}")


def restrict_params(
    store: Store, question: Question, resolved: dict[str, Any], account_scope: str | None
) -> dict[str, Any]:
    """Resolved parameters narrowed to an account's scope (see the module docstring)."""
    if account_scope is None:
        return resolved
    out = dict(resolved)
    try:
        out["scope"] = scoping.intersect(store, account_scope, resolved.get("scope"))
    except scoping.OutOfScope:
        raise _not_found(resolved.get("scope")) from None
    for p in question.params:
        if p.type == "level" and out.get(p.name):
            out[p.name] = scoping.clamp_level(store, out["scope"], out[p.name])
    return out


def run_question(
    store: Store, name: str, params: Mapping[str, Any] | None = None, *,
    account_scope: str | None = None, snapshot: Snapshot | None = None,
) -> QueryResult:
    """Run one catalog question and return its rows in the declared column order.

    ``account_scope`` None runs unrestricted (the CLI, an admin without a scope).
    ``snapshot`` pins the published snapshot the question reads (``$snapshot``; default:
    the latest) and, unless ``as_of`` is given, answers as of that snapshot's date — so
    ``diff`` can ask the same question of two snapshots and subtract.
    """
    question = get_question(name)
    if snapshot is not None and snapshot.date and (params or {}).get("as_of") is None:
        params = {**(params or {}), "as_of": snapshot.date}
    try:
        resolved = resolve_params(store, question, params)
    except ParamError as exc:
        if account_scope is not None and str(exc).startswith("parameter scope (unit)"):
            raise _not_found((params or {}).get("scope")) from None
        raise
    resolved = restrict_params(store, question, resolved, account_scope)
    bound = {**resolved, "as_of_day": as_day(resolved["as_of"])}
    if snapshot is not None:
        bound["snapshot"] = snapshot.ordinal
    if question.kind == "analytics":
        raw = question.compute(store, bound)
    else:
        raw = store.read(question.text, bound)
    columns = question.column_names
    if raw and set(raw[0]) != set(columns):
        raise RuntimeError(
            f"{name} returned columns {sorted(raw[0])}, its header declares {sorted(columns)}"
        )
    rows = [{c: r[c] for c in columns} for r in raw]
    rows = scoping.redact_rows(store, account_scope, rows)
    return QueryResult(name, resolved, columns, rows, len(rows))
