"""Second texts for the questions the per-compound facts answer, and when to use them.

A question's ``.cypher`` file stays its definition (header and truth); a file of the same
name in ``queries/from_facts/`` reads the same answer from the :data:`~redgov.graph.
compound_facts.LABEL` nodes the sync wrote for the snapshot (:mod:`redgov.graph.
compound_facts`).  Such a file holds only Cypher (leading ``//`` lines are comments): the
header, parameters and columns are its definition's.  A text containing ``{level_key}``
is registered once per roll-up level, with the fact property that holds the code of the
compound's unit at that level; one containing ``{roll_key}`` likewise, with the per-organisation
fact's ``roll_<level>`` (:mod:`redgov.graph.org_facts`), at the :data:`ROLL_LEVELS` only.

The runner takes the fact text only when it answers exactly what the definition would
(:func:`choose_text`): the question has one, the pinned snapshot's run wrote facts of the
current version, and ``as_of`` is that snapshot's date (the facts' own date: a post or
contract valid on another day is computed from the graph).  Every text is registered, so
the Neo4j linter sees it, and ``tests/test_compound_facts.py`` compares each with its
definition at every snapshot of the history fixtures, on both engines.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from ..graph.compound_facts import facts_ready
from ..graph.cypher import cypher
from ..graph.snapshots import Snapshot
from ..graph.vocabulary import LEVEL_ORDER

__all__ = ["FACT_DIR", "FACT_TEXTS", "LEVEL_KEYS", "ROLL_LEVELS", "choose_text", "fact_text"]

FACT_DIR: Final = Path(__file__).parent / "from_facts"
#: The fact property holding the code of the compound's unit at each roll-up level.
LEVEL_KEYS: Final[dict[str, str]] = {
    "compound": "code", "community": "community_code", "street": "street_code",
    "district": "district_code", "city": "city_code",
}
_PLACEHOLDER = "{level_key}"
#: The same for the per-organisation facts (graph/org_facts.py): ``roll_<level>``.
_ROLL_PLACEHOLDER = "{roll_key}"
#: The levels such a text serves: each unit picks its sums from a list of every unit's, so
#: only where units are few (a province has 532 streets but 51k compounds); the other
#: levels are answered by the definition.
ROLL_LEVELS: Final = ("city", "district", "street")


def _body(path: Path) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("//")):
        lines.pop(0)
    return "\n".join(lines)


def _load() -> dict[str, dict[str | None, str]]:
    """name → {level or None: registered text}."""
    assert set(LEVEL_KEYS) == set(LEVEL_ORDER), (LEVEL_KEYS, LEVEL_ORDER)
    out: dict[str, dict[str | None, str]] = {}
    for path in sorted(FACT_DIR.glob("*.cypher")):
        body, name = _body(path), path.stem
        if _PLACEHOLDER in body:
            out[name] = {level: cypher(f"facts.{name}.{level}", body.replace(_PLACEHOLDER, key))
                         for level, key in LEVEL_KEYS.items()}
        elif _ROLL_PLACEHOLDER in body:
            out[name] = {level: cypher(f"facts.{name}.{level}",
                                       body.replace(_ROLL_PLACEHOLDER, f"roll_{level}"))
                         for level in ROLL_LEVELS}
        else:
            out[name] = {None: cypher(f"facts.{name}", body)}
    return out


#: Every fact text, registered at import (the lint test imports every module).
FACT_TEXTS: Final = _load()


def fact_text(name: str, params: Mapping[str, Any]) -> str | None:
    """The fact text of question ``name`` for these parameters, None if it has none."""
    texts = FACT_TEXTS.get(name)
    if texts is None:
        return None
    return texts[None] if None in texts else texts.get(params.get("level"))


def choose_text(read: Any, name: str, definition: str, params: Mapping[str, Any],
                snapshot: Snapshot | None) -> str:
    """The fact text when it answers exactly what ``definition`` does (module docstring),
    else ``definition``.  ``read`` is the store's read (one indexed look-up of the run)."""
    text = fact_text(name, params)
    if text is None or snapshot is None or params.get("as_of") != snapshot.date:
        return definition
    return text if facts_ready(read, snapshot.run_id) else definition
