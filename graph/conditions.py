r"""The conditions every read shares, written once and expanded into each Cypher text.

Every node and relation the loader writes is a *version*: ``vf`` is the ordinal of the
first snapshot it belongs to, ``vt`` the first it no longer belongs to (``OPEN`` while it
is current).  A read pins one published snapshot with ``$snapshot`` and must keep only
the versions of that snapshot; on top of that most questions keep only records that are
not retired, posts valid on ``$as_of`` and units inside ``$scope``.  Those conditions were
pasted by hand into every question (the activity test 41 times across 17 files); now a
question writes a macro and :func:`expand` turns it into plain Cypher before the text is
registered, so the registered (and linted, and run) text is still one ordinary Cypher
text for both engines.

Macros (each takes one or more variables, comma-separated):

``@live(x)``      x belongs to the snapshot ``$snapshot``
``@current(x)``   live and not retired
``@active(r)``    current and valid on ``$as_of`` (``start <= $as_of < end``, open ends)
``@in_force(o)``  an organisation current and not revoked (``status = 'active'``; a body
                  撤销 at the snapshot is a record of the past, never drawn or counted
                  as serving)
``@in_scope(u)``  the unit ``u`` is ``$scope`` or below it (or ``$scope`` is null)
``@in_subtree(u)`` the unit ``u`` is ``$code`` or below it, as an OR of equalities that
                  each engine answers from the ancestor codes' indexes (graph/schema.py
                  ``LOOKUPS``; docs/engine-notes.md: the list form scans every unit)

A relation version only ever joins versions of its two ends that belong to the same
snapshots (the loader re-points relations when an end gets a new version), so a node
reached through a live relation is live; a pattern's *first* node and every relation
need the condition.

>>> print(expand("WHERE @live(a, r)").replace(" AND (", "\n AND ("))
WHERE ((a.vf <= $snapshot AND $snapshot < a.vt)
 AND (r.vf <= $snapshot AND $snapshot < r.vt))
>>> print(expand("WHERE @active(r)").replace(" AND (", "\n AND ("))
WHERE ((r.vf <= $snapshot AND $snapshot < r.vt) AND coalesce(r.retired, false) = false
 AND (r.start IS NULL OR r.start <= $as_of)
 AND (r.end IS NULL OR $as_of < r.end))
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

__all__ = ["MACROS", "OPEN", "expand", "live"]

#: ``vt`` of a current version (a sentinel rather than null: ``$snapshot < n.vt`` stays one
#: comparison and ``vt = OPEN`` finds current versions by equality).  2**31 - 1.
OPEN: Final = 2_147_483_647


def live(x: str) -> str:
    return f"({x}.vf <= $snapshot AND $snapshot < {x}.vt)"


def _current(x: str) -> str:
    return f"{live(x)} AND coalesce({x}.retired, false) = false"


def _active(x: str) -> str:
    return (f"{_current(x)} AND ({x}.start IS NULL OR {x}.start <= $as_of)"
            f" AND ({x}.end IS NULL OR $as_of < {x}.end)")


def _in_force(x: str) -> str:
    return f"{_current(x)} AND coalesce({x}.status, '') = 'active'"


def _in_scope(x: str) -> str:
    return (f"$scope IS NULL OR $scope IN [{x}.code, {x}.community_code, {x}.street_code, "
            f"{x}.district_code, {x}.city_code]")


def _in_subtree(x: str) -> str:
    return (f"({x}.code = $code OR {x}.community_code = $code OR {x}.street_code = $code"
            f" OR {x}.district_code = $code OR {x}.city_code = $code)")


MACROS: Final[dict[str, Callable[[str], str]]] = {
    "live": live,
    "current": _current,
    "active": _active,
    "in_force": _in_force,
    "in_scope": _in_scope,
    "in_subtree": _in_subtree,
}
_CALL = re.compile(r"@(\w+)\(\s*([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*\)")


def _one(match: re.Match[str]) -> str:
    name, args = match.group(1), [a.strip() for a in match.group(2).split(",")]
    if name not in MACROS:
        raise ValueError(f"unknown condition macro @{name} (known: {', '.join(MACROS)})")
    if name == "live":
        parts = [live(a) for a in args]
    else:
        parts = [f"({MACROS[name](a)})" if len(args) > 1 else MACROS[name](a) for a in args]
    return "(" + " AND ".join(parts) + ")"


def expand(text: str) -> str:
    """Replace every ``@macro(vars)``; an unknown macro or a stray ``@`` is an error."""
    out = _CALL.sub(_one, text)
    if "@" in _strip_strings(out):
        raise ValueError(f"a stray '@' is left in a Cypher text: {out[:80]!r}")
    return out


def _strip_strings(text: str) -> str:
    return re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", "''", text)
