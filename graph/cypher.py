"""A registry of every Cypher text the Python code runs, so one test can lint them all.

Cypher lives in constants declared with :func:`cypher`; nothing builds query text from
user input or with ``str.format``.  The shared read conditions are written as macros and
expanded on registration (:mod:`.conditions`).  The lint test imports every module and runs Neo4j's
offline linter over :data:`REGISTRY` (minus the entries marked FalkorDB-only).

>>> q = cypher("doc.example", "MATCH (u:Unit {code: $code}) RETURN u.name AS name")
>>> REGISTRY["doc.example"].text == q
True
"""

from __future__ import annotations

from dataclasses import dataclass

from .conditions import expand

__all__ = ["REGISTRY", "CypherText", "cypher"]


@dataclass(frozen=True)
class CypherText:
    name: str
    text: str
    falkordb_only: bool = False
    neo4j_only: bool = False


REGISTRY: dict[str, CypherText] = {}


def cypher(name: str, text: str, *, falkordb_only: bool = False, neo4j_only: bool = False) -> str:
    """Register a Cypher text under a unique name and return it, conditions expanded.

    The shared conditions (``@live(x)``, ``@active(r)``, … — :mod:`.conditions`) are
    expanded here, once, so what is registered, linted and run is plain Cypher.
    """
    entry = CypherText(name, expand(text.strip()), falkordb_only, neo4j_only)
    existing = REGISTRY.get(name)
    if existing is not None and existing != entry:
        raise ValueError(f"two different Cypher texts registered as {name!r}")
    REGISTRY[name] = entry
    return entry.text
