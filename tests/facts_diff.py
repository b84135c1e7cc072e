"""The facts differential (issue 18): every question read from the publish-time facts
answers as its ``.cypher`` definition does, at one snapshot.

Shared by tests/test_compound_facts.py (the hand-written history) and
tests/test_demo_history.py (the graph ``redgov demo --history`` publishes), so that the
demo history is synced once in the suite, not once per file.
"""

from __future__ import annotations

import json
from typing import Any

from redgov.graph.compound_facts import LABEL, facts_ready
from redgov.graph.cypher import cypher
from redgov.graph.snapshots import Snapshot
from redgov.queries import run_question
from redgov.queries.catalog import get_question
from redgov.queries.fact_texts import FACT_TEXTS, choose_text, fact_text

SCOPES = cypher("test.compound_facts.scopes", """
MATCH (u:Unit)
WHERE @current(u) AND u.level IN ['district', 'street', 'community']
RETURN u.level AS level, min(u.code) AS code
ORDER BY level
""")
#: The compound facts live at a snapshot, with the ordinal their version began at.
LIVE_FACTS = cypher("test.compound_facts.live", f"""
MATCH (f:{LABEL})
WHERE @live(f)
RETURN f.code AS code, f.vf AS vf
ORDER BY code
""")


def typed(rows: list[dict[str, Any]]) -> str:
    """Rows with each value's type, so that 3 vs 3.0 or True vs 1 differ."""
    return json.dumps([[(k, type(v).__name__, v) for k, v in r.items()] for r in rows],
                      ensure_ascii=False)


#: Fact texts that narrow their facts by the scope with a test of their own, not only
#: ``@in_scope`` on a unit (queries/from_facts/funding_rollup.cypher).
OWN_SCOPE_TEST = frozenset({"funding_rollup"})


def asks(store: Any, snap: Snapshot, scoped: bool = True) -> list[tuple[str, dict[str, Any]]]:
    """Each fact question unscoped and scoped to a district (one scope: ``@in_scope`` is
    one macro for every level), and to a street and a community too where its fact text
    tests the scope on the facts itself (:data:`OWN_SCOPE_TEST`); each roll-up at every
    level unscoped."""
    found = store.read(SCOPES, {"snapshot": snap.ordinal}) if scoped else []
    scopes = {r["level"]: r["code"] for r in found if r["code"] is not None}
    out: list[tuple[str, dict[str, Any]]] = []
    for name in sorted(FACT_TEXTS):
        out.append((name, {}))
        rollup = None not in FACT_TEXTS[name]
        out += [(name, {"scope": scope}) for level, scope in scopes.items()
                if name in OWN_SCOPE_TEST or level == "district"]
        if rollup:  # one text per level it serves
            default = get_question(name).param("level").default
            out += [(name, {"level": lv}) for lv in FACT_TEXTS[name] if lv != default]
    return out


def differences(store: Any, snap: Snapshot) -> list[str]:
    """Every (question, parameters) whose fact answer is not its definition's, at ``snap``."""
    assert facts_ready(store.read, snap.run_id), f"no facts for snapshot {snap}"
    found = []
    for name, params in asks(store, snap):
        got = run_question(store, name, params, snapshot=snap)
        text = fact_text(name, got.params)  # the parameters as resolved (default level)
        used = choose_text(store.read, name, get_question(name).text, got.params, snap)
        assert text is not None and used == text, (name, got.params, "not read from facts")
        want = run_question(store, name, params, snapshot=snap, use_facts=False)
        if typed(got.rows) != typed(want.rows):
            diff = [{k: (g.get(k), w.get(k)) for k in {*g, *w}
                     if typed([{k: g.get(k)}]) != typed([{k: w.get(k)}])} | {"at": i}
                    for i, (g, w) in enumerate(zip(got.rows, want.rows, strict=False))
                    if typed([g]) != typed([w])][:2]
            found.append(f"{snap.date} {name} {params}: {got.count} rows from facts, "
                         f"{want.count} from the definition; (facts, definition) {diff}")
    return found


def facts_made(store: Any, snap: Snapshot) -> tuple[int, int]:
    """(live compound facts at ``snap``, how many of them that snapshot's sync wrote)."""
    live = store.read(LIVE_FACTS, {"snapshot": snap.ordinal})
    return len(live), sum(1 for r in live if r["vf"] == snap.ordinal)
