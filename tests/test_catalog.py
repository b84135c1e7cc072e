"""Catalog-wide checks that loop over every question (cartography-style rule tests).

Each question must be documented (header complete, every column explained), lint clean
for Neo4j 5, return exactly its declared columns on an empty graph (read from the result
header), and return exactly its expected rows (queries/expected/<name>.jsonl, worked out by
hand) on the audit fixture graph, on both engines.  Literals compared against enumerated
properties must be members of graph/vocabulary.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import expected_rows
import pytest
from cypher_lint import lint
from redgov.graph.evaluation_rules import INCIDENT_KINDS
from redgov.graph.snapshots import list_snapshots
from redgov.graph.stores.base import Store
from redgov.graph.vocabulary import (
    FORMATIONS,
    LEVEL_ORDER,
    NODE_LABELS,
    ORG_KINDS,
    ORG_STATUS,
    RATING_LISTS,
    REL,
    ROLES,
    STANDING_OTHER,
    STANDINGS,
    SUPERVISION_KINDS,
)
from redgov.queries import ParamError, catalog, get_question, run_question
from redgov.queries.analytics import ACTIVE_POSTS, UNIT_AREAS
from redgov.queries.catalog import HeaderError, UnknownQuestion, check_roles, parse_header
from redgov.queries.runner import as_day, resolve_params
from test_questions import AUDIT_EXPORTS, synced_store

QUESTIONS = catalog()
CYPHER = [q for q in QUESTIONS if q.kind == "cypher"]
PIVOT = ["community_code", "community_name", "street_code", "street_name",
         "district_code", "district_name"]
STRUCTURAL = {"company_branch_affiliation", "compounds_without_governance",
              "dq_unaffiliated_party_orgs"}
REQUIRED = {
    "compounds_without_branch": ({"R1"}, {"compound_code", "qualified", "has_work_group"}),
    "company_party_org_status": ({"R2"}, {"company_code", "full_members", "party_org_code",
                                          "formation", "has_instructor", "finding"}),
    "owners_committee_party_share": ({"R4"}, {"committee_code", "members", "party_members",
                                              "share", "chair_code", "chair_is_member", "finding"}),
    "one_shoulder": ({"R6"}, {"compound_code", "secretary_code", "chair_code", "one_shoulder"}),
    "cross_appointment_ratio": ({"R7"}, {"compound_code", "committee", "cross", "ratio"}),
    "supervisory_independence": ({"R8"}, {"person_code", "compound_code", "other_org_code"}),
    "overdue_reelection": ({"R13"}, {"committee_code", "term_end", "days_overdue"}),
    "coverage_rollup": ({"R1", "R5", "R6", "R7"}, {
        "unit_code", "compounds", "with_party_org", "with_owners_committee",
        "with_self_governance", "managed", "one_shoulder", "cross", "committee"}),
    "interlocks": (set(), {"org_a_code", "org_b_code", "component"}),
    "brokers": (set(), {"person_code", "betweenness"}),
    "overloaded": (set(), {"person_code", "posts"}),
}


@pytest.fixture(scope="module")
def fx(engine: Any) -> Iterator[Store]:
    yield from synced_store(engine, "catalog")


def test_required_questions_exist_with_their_rules_and_columns() -> None:
    for name, (rules, columns) in REQUIRED.items():
        q = get_question(name)
        assert rules <= set(q.rules), (name, q.rules)
        assert columns <= set(q.column_names), (name, columns - set(q.column_names))
    assert get_question("overloaded").param("threshold").default == 3
    assert get_question("owners_committee_party_share").param("min_share").default == 0.30
    assert get_question("coverage_rollup").param("level").default == "street"
    covered = {r for q in QUESTIONS for r in q.rules}
    assert {f"R{i}" for i in range(1, 15)} <= covered, covered


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q.name)
def test_question_is_documented(q: Any) -> None:
    assert q.name == q.name.lower() and len(q.name) <= 31, q.name  # a workbook sheet name
    for field in ("title_zh", "title_en", "one_row_per", "description"):
        assert getattr(q, field).strip(), (q.name, field)
    assert q.rules and all(re.fullmatch(r"R(2[01]|1[0-9]|[1-9])|DQ", r) for r in q.rules), q.rules
    assert q.sources and all(re.fullmatch(r"00[0-4]", s) for s in q.sources), q.sources
    assert [p.name for p in q.params[:2]] == ["as_of", "scope"], q.params
    for p in q.params:
        assert p.description.strip(), (q.name, p.name)
    names = q.column_names
    assert len(names) == len(set(names)), names
    for c in q.columns:
        assert c.title_zh.strip() and c.description.strip(), (q.name, c.name)
        assert re.search(r"[\u4e00-\u9fff]", c.title_zh), (q.name, c.title_zh)
    assert names[-6:] == PIVOT, (q.name, names[-6:])
    if q.kind == "cypher":
        assert q.path is not None and q.path.name == f"{q.name}.cypher"
        # Organisations have no dates (only status/retired): structural questions need no as_of.
        dated = any(f".{d}" in q.text for d in ("start", "end", "date", "term_end"))
        dated = dated or "substring($as_of, 0, 4)" in q.text  # a year defaulting to as_of's
        assert ("$as_of" in q.text) == dated or q.name in STRUCTURAL, q.name
        assert "$scope" in q.text, q.name
        for p in q.params[2:]:
            assert f"${p.name}" in q.text, (q.name, p.name)


def test_every_cypher_file_lints_clean_for_neo4j() -> None:
    texts = {q.name: q.text for q in CYPHER}  # as registered: the shared conditions expanded
    texts["analytics.active_posts"] = ACTIVE_POSTS
    texts["analytics.unit_areas"] = UNIT_AREAS
    got = lint(texts)
    bad = {k: v for k, v in got.items() if v}
    assert bad == {}, bad
    assert set(got) == set(texts)


# --- vocabulary literals --------------------------------------------------------------
ALLOWED = {
    "kind": (set(ORG_KINDS.values()) | set(SUPERVISION_KINDS.values())
             | set(INCIDENT_KINDS.values())),
    "level": set(LEVEL_ORDER),
    "role": set(ROLES),
    "standing": set(STANDINGS.values()) | {STANDING_OTHER},
    "formation": set(FORMATIONS.values()),
    "status": set(ORG_STATUS.values()),
    "list": set(RATING_LISTS.values()),
}
_PROPS = "|".join(ALLOWED)
_COMPARE = re.compile(rf"\.({_PROPS})\s*(?:=|<>)\s*'([^']*)'")
_IN_LIST = re.compile(rf"\.({_PROPS})\s+IN\s+\[([^\]]*)\]")
_MAP = re.compile(rf"[{{,]\s*({_PROPS})\s*:\s*'([^']*)'")
_TYPE_IN = re.compile(r"type\(\w+\)\s+IN\s+\[([^\]]*)\]")
_REL_TYPES = re.compile(r"\[\w*:([A-Z_|]+)[\]*{ ]")
_LABELS = re.compile(r"\(\w*:([A-Za-z]+)")


def vocabulary_literals(text: str) -> list[tuple[str, str]]:
    """(property, literal) pairs of every comparison against an enumerated property.

    >>> vocabulary_literals("WHERE o.kind IN ['party_branch', 'x'] AND u.level = 'street'")
    [('kind', 'party_branch'), ('kind', 'x'), ('level', 'street')]
    """
    found = [(m.start(), m.group(1), m.group(2)) for m in _COMPARE.finditer(text)]
    found += [(m.start(), m.group(1), m.group(2)) for m in _MAP.finditer(text)]
    for m in _IN_LIST.finditer(text):
        found += [(m.start(), m.group(1), lit) for lit in re.findall(r"'([^']*)'", m.group(2))]
    for m in _TYPE_IN.finditer(text):
        found += [(m.start(), "type", lit) for lit in re.findall(r"'([^']*)'", m.group(1))]
    for m in _REL_TYPES.finditer(text):
        found += [(m.start(), "type", name) for name in m.group(1).split("|")]
    for m in _LABELS.finditer(text):
        found += [(m.start(), "label", m.group(1))]
    return [(prop, lit) for _, prop, lit in sorted(found, key=lambda t: t[0])]


def test_vocabulary_literal_checker_catches_a_stranger() -> None:
    bad = [(p, v) for p, v in vocabulary_literals("WHERE o.kind = 'partybranch'")
           if v not in ALLOWED[p]]
    assert bad == [("kind", "partybranch")]


def test_every_compared_literal_is_a_vocabulary_member() -> None:
    allowed = {**ALLOWED, "type": set(REL.ALL), "label": set(NODE_LABELS)}
    seen: list[tuple[str, str, str]] = []
    for q in [*CYPHER]:
        seen += [(q.name, p, v) for p, v in vocabulary_literals(q.text)]
    seen += [("analytics", p, v) for p, v in vocabulary_literals(ACTIVE_POSTS)]
    strangers = [s for s in seen if s[2] not in allowed[s[1]]]
    assert strangers == [], strangers
    assert len(seen) > 200, len(seen)  # the checker really looked
    assert {p for _, p, _ in seen} == set(allowed), {p for _, p, _ in seen}


# --- running --------------------------------------------------------------------------
def _header(store: Any, text: str, params: dict[str, Any]) -> list[str]:
    """Column names as the engine reports them, which holds even when no row comes back."""
    if store.engine == "neo4j":  # the driver's result keys: known before any record
        with store._session("r") as session:
            result = session.run(text, params)
            keys = list(result.keys())
            result.consume()
            return keys
    result = store._graph.ro_query(text, params)
    return [h[1] if isinstance(h, list | tuple) else h for h in result.header]


@pytest.mark.parametrize("q", CYPHER, ids=lambda q: q.name)
def test_columns_as_declared_on_an_empty_graph(store: Store, q: Any) -> None:
    params = resolve_params(store, q)
    assert params["as_of"] == date.today().isoformat()  # no sync run: today
    bound = {**params, "as_of_day": as_day(params["as_of"]), "snapshot": 0}
    assert _header(store, q.text, bound) == q.column_names
    result = run_question(store, q.name)
    assert (result.rows, result.count, result.columns) == ([], 0, q.column_names)


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q.name)
def test_question_gives_its_expected_rows(fx: Store, q: Any) -> None:
    """Every question, on both engines, returns exactly the rows of queries/expected/NAME.jsonl
    (worked out by hand from the audit fixture): a new question without that file fails here.
    The engine's own column header is the declared one too (Cypher questions)."""
    want = expected_rows.load(q.name, q.column_names)
    assert want.registry == [f"tests/fixtures/exports/{e}" for e in AUDIT_EXPORTS], (
        f"{want.path.name}: this test syncs {AUDIT_EXPORTS}; got {want.registry}")
    assert want.rows, f"{want.path.name}: the fixture must exercise the question (no rows)"
    result = run_question(fx, q.name, want.params, snapshot=want.snapshot)
    runs = {s.ordinal: s.run_id for s in list_snapshots(fx.read)}
    expected = want.rows_for(runs)
    assert result.rows == expected, expected_rows.diff(expected, result.rows, q.name)
    assert result.count == len(result.rows)
    if q.kind == "cypher":
        params = {**result.params, "as_of_day": as_day(result.params["as_of"]),
                  "snapshot": result.snapshot.ordinal}
        assert _header(fx, q.text, params) == q.column_names


def test_every_expected_rows_file_is_a_questions_and_well_formed() -> None:
    """No engine needed: each question's file parses with its columns, none is left over."""
    for q in QUESTIONS:
        expected_rows.load(q.name, q.column_names)
    assert expected_rows.stray_files({q.name for q in QUESTIONS}) == []


def test_analytics_columns_match_their_rows() -> None:
    from redgov.queries.analytics import broker_rows, interlock_rows, overloaded_rows

    posts = [{"person_code": p, "person_name": p, "org_code": o, "org_name": o, "org_kind": None}
             for p, o in [("P1", "A"), ("P1", "B"), ("P1", "C"), ("P1", "D"), ("P2", "B")]]
    for name, rows in (("interlocks", interlock_rows(posts)), ("brokers", broker_rows(posts)),
                       ("overloaded", overloaded_rows(posts))):
        assert rows and list(rows[0]) == get_question(name).column_names, name


# --- parameters and errors -----------------------------------------------------------------
def test_parameters_are_typed_and_checked(fx: Store) -> None:
    with pytest.raises(ParamError, match=r"'2024-02-30' 不是日期"):
        run_question(fx, "overdue_reelection", {"as_of": "2024-02-30"})
    with pytest.raises(ParamError, match=r"'lots' 不是数值"):
        run_question(fx, "owners_committee_party_share", {"min_share": "lots"})
    with pytest.raises(ParamError, match=r"'province' 不是层级"):
        run_question(fx, "coverage_rollup", {"level": "province"})
    with pytest.raises(ParamError, match=r"没有参数 'colour'"):
        run_question(fx, "one_shoulder", {"colour": "red"})
    with pytest.raises(ParamError, match=r"范围：没有编码为 'NOPE'"):
        run_question(fx, "one_shoulder", {"scope": "NOPE"})
    with pytest.raises(UnknownQuestion, match="no audit question named 'nope'"):
        run_question(fx, "nope")
    # strings from the command line are converted
    got = run_question(fx, "owners_committee_party_share",
                       {"min_share": "0.25", "as_of": "2024-06-30"})
    assert got.params == {"as_of": "2024-06-30", "scope": None, "min_share": 0.25}


def test_header_errors_are_clear() -> None:
    with pytest.raises(HeaderError, match="lacks title_en"):
        parse_header("// name: x\n// title_zh: 问\n// rules: R1\n// source: 001\n"
                     "// one_row_per: x\n// column: a — 甲 — a\nRETURN 1 AS a")
    with pytest.raises(HeaderError, match="unknown type 'colour'"):
        parse_header("// param: c colour red — a colour\nRETURN 1")
    with pytest.raises(HeaderError, match="not a int"):
        parse_header("// param: n int many — a number\nRETURN 1")


def test_header_says_what_no_value_means_and_gives_a_checked_example() -> None:
    """A parameter without a default says in words what no value means (param_zh's third
    part, shown in the guide); the example's options are ones the audit command takes."""
    year = get_question("red_black_lists").param("year")
    assert (year.default, year.label_zh, year.default_zh) == (None, "年度（留空为全部年度）",
                                                              "全部年度"), year
    q = get_question("owners_committee_party_share")
    assert q.example == "--param min_share=0.5"
    for bad, why in (("--param colour=red", "neither '--param NAME=VALUE'"),
                     ("--colour red", "neither"), ("--scope", "without a value")):
        with pytest.raises(HeaderError, match=why):
            check_roles(replace(q, example=bad))


def test_doctests() -> None:
    """The examples in the docstrings run (the source layout keeps --doctest-modules out)."""
    import doctest
    import importlib
    import sys

    names = ("redgov.queries", "redgov.queries.catalog", "redgov.queries.runner",
             "redgov.queries.analytics")
    for module in [*(importlib.import_module(n) for n in names), sys.modules[__name__]]:
        result = doctest.testmod(module)
        assert result.failed == 0, module.__name__
        assert result.attempted > 0, module.__name__
