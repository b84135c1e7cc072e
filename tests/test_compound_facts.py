"""Issue 18: the per-compound facts written at publish time answer as the definitions do.

Every question with a text in ``queries/from_facts/`` (read from the per-compound facts or
the per-organisation ones, graph/org_facts.py) is asked twice at every snapshot —
once as the runner answers it (from the facts, since they exist for the snapshot and
``as_of`` is its date) and once from its ``.cypher`` definition (``use_facts=False``) —
unscoped and scoped to a district, every roll-up level for the roll-ups; rows,
their order and their value types must be equal.  The data:
the hand-written snapshot history (tests/fixtures/history, five exports), both engines;
the three-month ``demo --history`` that tests/test_demo_history.py publishes is checked
there, with the same differential (tests/facts_diff.py).

Also: ``--as-of`` another day than the snapshot's is computed from the graph; a graph
whose snapshot has no facts (synced before they existed) answers from the graph and the
next sync writes facts for its own snapshot; a re-sync rewrites only the facts of the
compounds it changed, and every current compound has exactly one live fact (every active
party organisation one per live seat).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from facts_diff import LIVE_FACTS, asks, differences, typed
from redgov.graph.compound_facts import FACTS_VERSION, LABEL, compute_facts, facts_ready
from redgov.graph.cypher import cypher
from redgov.graph.org_facts import LABEL as ORG_LABEL
from redgov.graph.org_facts import compute_org_facts
from redgov.graph.snapshots import Snapshot, list_snapshots
from redgov.graph.stores.base import StoreError
from redgov.graph.vocabulary import LEVEL_ORDER
from redgov.loaders import sync_export
from redgov.queries import run_question
from redgov.queries.catalog import get_question
from redgov.queries.fact_texts import FACT_TEXTS, choose_text

HISTORY = Path(__file__).parent / "fixtures" / "history"
EXPORTS = sorted(p for p in HISTORY.iterdir() if p.is_dir())

_LIVE_ORG_FACTS = cypher("test.compound_facts.live_orgs", f"""
MATCH (f:{ORG_LABEL})
WHERE @live(f)
RETURN f.code AS code, f.vf AS vf
ORDER BY code
""")
_COMPOUNDS = cypher("test.compound_facts.compounds", """
MATCH (c:Unit {level: 'compound'})
WHERE @current(c)
RETURN c.code AS code
ORDER BY code
""")
_PARTY_ORGS = cypher("test.compound_facts.party_orgs", """
MATCH (po:Organisation)
WHERE po.kind IN ['party_committee', 'general_branch', 'party_branch']
  AND @current(po) AND po.status = 'active'
RETURN DISTINCT po.code AS code
ORDER BY code
""")
_DROP_FACTS = cypher("test.compound_facts.drop", f"""
MATCH (f:{LABEL})
DETACH DELETE f
""")
_UNMARK_RUNS = cypher("test.compound_facts.unmark", "MATCH (r:SyncRun) REMOVE r.facts")
_UNITS = cypher("test.compound_facts.units", """
MATCH (u:Unit)
WHERE @live(u)
RETURN u.code AS code, u.level AS level
ORDER BY code
""")


def place_differences(store: Any, snap: Snapshot) -> tuple[list[str], int]:
    """queries/place_answers.py: with the unscoped answer kept at ``snap``, each scoped
    answer narrowed from it equals the definition's at the first unit of each level live
    there (a city, and a compound for the questions narrowed by ancestry, are left to the
    text); the differences, and how many scoped rows were compared."""
    from redgov.queries.place_answers import BY_ANCESTRY, PLACE_COLUMNS, by_place
    from redgov.queries.runner import as_day

    found, seen = [], 0
    units, levels = [], set()
    for unit in store.read(_UNITS, {"snapshot": snap.ordinal}):  # the first of each level
        if unit["level"] not in levels:
            levels.add(unit["level"])
            units.append(unit)
    for name in sorted({*PLACE_COLUMNS, *BY_ANCESTRY}):
        q = get_question(name)
        whole = run_question(store, name, snapshot=snap, keep=True)
        for unit in units:
            bound = {**whole.params, "scope": unit["code"], "snapshot": snap.ordinal,
                     "as_of_day": as_day(whole.params["as_of"])}
            got = by_place(store, name, snap, q.column_names, bound)
            if unit["level"] == "city" or (name in BY_ANCESTRY and unit["level"] == "compound"):
                if got is not None:  # left to the text (queries/place_answers.py)
                    found.append(f"{snap.date} {name} {unit['code']}: narrowed at a "
                                 f"{unit['level']}")
                continue
            want = run_question(store, name, {"scope": unit["code"]}, snapshot=snap,
                                use_facts=False).rows
            if got is None or typed(got) != typed(want):
                found.append(f"{snap.date} {name} {unit['code']}: narrowed {got}, "
                             f"definition {want}")
            seen += len(want)
    return found, seen


def _refuse(text: str, params: Any) -> list[dict[str, Any]]:
    raise StoreError("refused (a read the store will not answer)")


def _sync_all(store: Any, exports: list[Path]) -> list[dict[str, Any]]:
    figures = []
    for export in exports:
        report = sync_export(store, export)
        assert report.status == "applied", (export.name, report.errors)
        figures.append(report.facts)
    return figures


@pytest.mark.timeout(900)  # five syncs and ~300 reads: minutes on a loaded Neo4j
def test_facts_answer_as_the_definitions_at_every_history_snapshot(
        engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from redgov.queries import kept_answers, place_answers

    monkeypatch.setattr(kept_answers, "KEEP", len(EXPORTS))  # kept at every snapshot
    # Every unscoped answer is also kept by district, so the scoped ones are narrowed from
    # a district's part (queries/place_answers.py; the whole's own path: test_questions).
    monkeypatch.setattr(place_answers, "PART_ROWS", 0)
    with engine.fresh_store("test_compound_facts history") as store:
        figures = _sync_all(store, EXPORTS)
        snaps = list_snapshots(store.read)
        assert len(snaps) == len(EXPORTS)
        found = [d for snap in snaps for d in differences(store, snap)]
        assert found == [], "\n".join(found)
        # Scoped answers narrowed from the kept unscoped ones (queries/place_answers.py).
        placed = [place_differences(store, snap) for snap in snaps]
        found = [d for diffs, _ in placed for d in diffs]
        assert found == [], "\n".join(found)
        assert sum(n for _, n in placed) > 0, "no scoped row anywhere: nothing compared"
        # One live fact per current compound at each snapshot; a re-sync keeps the facts
        # of the compounds it did not change (their version began at an earlier snapshot).
        for snap, fig in zip(snaps, figures, strict=True):
            live = store.read(LIVE_FACTS, {"snapshot": snap.ordinal})
            compounds = store.read(_COMPOUNDS, {"snapshot": snap.ordinal})
            assert [r["code"] for r in live] == [r["code"] for r in compounds], snap
            assert fig["compounds"] == len(compounds), (snap, fig)
            made_here = sum(1 for r in live if r["vf"] == snap.ordinal)
            assert fig["created"] == made_here, (snap, fig, made_here)
            # The same for the organisation facts: one per active party organisation and
            # live seat (the fixtures give each at most one), only the changed ones made.
            orgs = store.read(_LIVE_ORG_FACTS, {"snapshot": snap.ordinal})
            party = store.read(_PARTY_ORGS, {"snapshot": snap.ordinal})
            assert [r["code"] for r in orgs] == [r["code"] for r in party], snap
            assert fig["orgs"] == len(orgs) > 0, (snap, fig)
            org_made = sum(1 for r in orgs if r["vf"] == snap.ordinal)
            assert fig["org_created"] == org_made, (snap, fig, org_made)
        assert figures[0]["created"] == figures[0]["compounds"], figures[0]
        assert any(0 < f["created"] < f["compounds"] for f in figures[1:]), figures
        assert all(f["closed"] <= f["created"] + f["compounds"] for f in figures), figures
        assert figures[0]["org_created"] == figures[0]["orgs"], figures[0]
        assert any(0 < f["org_created"] < f["orgs"] for f in figures[1:]), figures


def test_another_as_of_and_a_graph_without_facts_answer_from_the_graph(engine: Any) -> None:
    with engine.fresh_store("test_compound_facts fallback") as store:
        _sync_all(store, EXPORTS[:1])
        (first,) = list_snapshots(store.read)
        # The facts' reads asked two at a time (as the sync asks them, fact_versions.py),
        # one by one, and again on the other runner when the store refuses them: the same.
        at = (store.read, first.ordinal, str(first.date))
        one = (compute_facts(*at), compute_org_facts(*at))
        both = (compute_facts(*at, read=store.read), compute_org_facts(*at, read=store.read))
        again = (compute_facts(*at, read=_refuse), compute_org_facts(*at, read=_refuse))
        assert one[0] and one[1] and both == one and again == one, (one, both, again)
        day_before = (date.fromisoformat(str(first.date)) - timedelta(days=1)).isoformat()
        for name, params in asks(store, first, scoped=False):
            other = {**params, "as_of": day_before}
            got = run_question(store, name, other, snapshot=first)
            assert choose_text(store.read, name, "definition", got.params, first) == "definition"
            want = run_question(store, name, other, snapshot=first, use_facts=False)
            assert typed(got.rows) == typed(want.rows), (name, other)
        # As if synced before facts existed: no fact nodes, no mark on the run.
        with store.transaction() as w:
            w.run(_DROP_FACTS)
            w.run(_UNMARK_RUNS)
        assert not facts_ready(store.read, first.run_id)
        for name, params in asks(store, first, scoped=False):
            got = run_question(store, name, params, snapshot=first)
            assert got.params["as_of"] == first.date
            assert choose_text(store.read, name, "definition", got.params, first) == "definition"
            want = run_question(store, name, params, snapshot=first, use_facts=False)
            assert typed(got.rows) == typed(want.rows), (name, params)
        # The next sync writes every current compound's fact for its own snapshot.
        (report,) = [sync_export(store, EXPORTS[1])]
        assert report.status == "applied" and report.facts["created"] == \
            report.facts["compounds"] > 0, report.facts
        first, second = list_snapshots(store.read)
        assert not facts_ready(store.read, first.run_id)
        assert facts_ready(store.read, second.run_id)
        assert differences(store, second) == []


def test_every_fact_text_belongs_to_a_catalog_question_with_its_columns() -> None:
    for name, texts in FACT_TEXTS.items():
        q = get_question(name)
        assert q.kind == "cypher", name
        for level, text in texts.items():
            assert level is None or level in LEVEL_ORDER, (name, level)
            for col in q.column_names:
                assert f"AS {col}" in text, (name, level, col)
    assert FACTS_VERSION >= 1
