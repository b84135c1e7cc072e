"""Scope enforced where queries run: the catalog runner and the dashboard's reads.

On the dashboard fixture (test_dashboard_fixture.py): 示范市 C › 东区 D1 › S1 › M1 › X1, X2
and 西区 D2 › S2 › M2 › X3.  For S1: the organisations with a footprint there are MP1
(M1), B1, OC1 (X1), SG2 (X2) and the company CO1 (sits at S1, manages X1 and X2); W3, OC3
and B3 (X3) are outside.  P6 lives in X2 (S1), sits in MP1 (S1) and instructs W3 (S2):
inside both streets, but each sees only its own half of P6's posts, and S2 not P6's home.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from redgov.dashboard import reads
from redgov.graph import scope as scoping
from redgov.queries import ParamError, catalog, run_question
from test_dashboard_fixture import SECOND_SNAPSHOT, sync_fixture

S1_UNITS = {"S1", "M1", "X1", "X2"}
S2_UNITS = {"S2", "M2", "X3"}
ALL_UNITS = {"C", "D1", "D2", "S1", "S2", "M1", "M2", "X1", "X2", "X3"}


@pytest.fixture
def fx(store, tmp_path: Path):
    sync_fixture(store, tmp_path)
    return store


def test_intersection_narrows_and_never_widens(fx) -> None:
    assert scoping.intersect(fx, None, "D2") == "D2"  # no account scope: as asked
    assert scoping.intersect(fx, "S1", None) == "S1"
    assert scoping.intersect(fx, "S1", "X1") == "X1"  # inside: the narrower one
    assert scoping.intersect(fx, "S1", "D1") == "S1"  # an ancestor: the account's own
    assert scoping.intersect(fx, "S1", "C") == "S1"
    for outside in ("D2", "S2", "X3", "NOPE"):
        with pytest.raises(scoping.OutOfScope):
            scoping.intersect(fx, "S1", outside)


def test_runner_applies_the_account_scope(fx) -> None:
    mine = run_question(fx, "compounds_without_branch", account_scope="S1")
    assert mine.params["scope"] == "S1" and [r["compound_code"] for r in mine.rows] == ["X2"]
    narrowed = run_question(fx, "compounds_without_branch", {"scope": "D1"},
                            account_scope="S1")
    assert narrowed.params["scope"] == "S1"
    # Outside the subtree answers exactly as an unknown unit does.
    for outside in ("D2", "X3", "NOPE"):
        with pytest.raises(ParamError) as err:
            run_question(fx, "one_shoulder", {"scope": outside}, account_scope="S1")
        assert err.value.text("en") == f"parameter scope (unit): no unit with code {outside!r}"
        assert str(err.value) == f"范围：没有编码为 {outside!r} 的单位"
    # The CLI (no account scope) keeps its own rules: D2 is a valid scope there.
    assert run_question(fx, "one_shoulder", {"scope": "D2"}).params["scope"] == "D2"


def test_roll_up_above_the_scope_is_the_scope_itself(fx) -> None:
    got = run_question(fx, "coverage_rollup", {"level": "district"}, account_scope="S2")
    assert got.params["level"] == "street"
    assert [(r["unit_code"], r["compounds"], r["with_party_org"]) for r in got.rows] == [
        ("S2", 1, 1)]
    whole = run_question(fx, "coverage_rollup", {"level": "district"})
    assert {r["unit_code"] for r in whole.rows} == {"D1", "D2"}


def test_unit_columns_outside_the_subtree_are_blanked(fx) -> None:
    """P6 holds a post in S2 (W3) but lives in X2 (S1): S2 sees P6, not P6's home."""
    rows = run_question(fx, "overloaded", {"threshold": 0}, account_scope="S2").rows
    p6 = next(r for r in rows if r["person_code"] == "P6")
    assert (p6["home_code"], p6["community_code"], p6["street_code"]) == (None, None, None)
    assert p6["district_code"] is None  # D1 is not S2's ancestor
    assert p6["org_codes"] == ["W3"]
    everything = run_question(fx, "overloaded", {"threshold": 0}).rows
    assert next(r for r in everything if r["person_code"] == "P6")["home_code"] == "X2"


def _unit_codes(rows: list[dict]) -> set[str]:
    return {str(r[c]) for r in rows for c in scoping.UNIT_COLUMNS if r.get(c)}


@pytest.mark.parametrize(("scope", "allowed"), [
    ("S1", S1_UNITS | {"C", "D1"}), ("S2", S2_UNITS | {"C", "D2"}),
    ("D1", ALL_UNITS - S2_UNITS - {"D2"}),
])
def test_every_question_keeps_to_the_subtree(fx, scope: str, allowed: set[str]) -> None:
    for q in catalog():
        params = {"level": "compound"} if q.name == "coverage_rollup" else None
        rows = run_question(fx, q.name, params, account_scope=scope).rows
        assert _unit_codes(rows) <= allowed, (q.name, _unit_codes(rows) - allowed)


def test_reads_keep_to_the_subtree(fx) -> None:
    assert {u["code"] for u in reads.units(fx, "S1")} == S1_UNITS
    assert {u["code"] for u in reads.units(fx, "S2")} == S2_UNITS
    assert {u["code"] for u in reads.units(fx)} == ALL_UNITS
    assert [p["code"] for p in reads.search_people(fx, "", scope="S1")] == ["P1", "P2", "P3",
                                                                              "P6"]
    assert [p["code"] for p in reads.search_people(fx, "赵", scope="S1")] == []
    assert reads.person(fx, "P4", "S1") is None and reads.person(fx, "P4", "S2") is not None
    p6 = reads.person(fx, "P6", "S2")
    assert (p6["home_code"], p6["home_name"]) == (None, None)
    assert reads.person(fx, "P6", "S1")["home_code"] == "X2"
    assert [p["org_code"] for p in reads.person_posts(fx, "P6", "S1")] == ["MP1"]
    assert [p["org_code"] for p in reads.person_posts(fx, "P6", "S2")] == ["W3"]
    orgs = {o["code"] for o in reads.unit_orgs(fx, "S1", SECOND_SNAPSHOT, "S1")}
    assert orgs == {"B1", "CO1", "MP1", "OC1", "SG2"}
    assert reads.unit_orgs(fx, "X3", SECOND_SNAPSHOT, "S1") == []  # a unit outside: nothing
    assert reads.contracts(fx, "D2", scope="S1") == []
    assert {c["compound_code"] for c in reads.contracts(fx, "D1", scope="S1")} == {"X1", "X2"}


def _around(units: list[dict], code: str) -> list[dict]:
    """From every unit: ``code``, its subtree and the units above it (by parent_code)."""
    by_code = {u["code"]: u for u in units}
    above, walk = set(), by_code.get(code, {}).get("parent_code")
    while walk in by_code:
        above.add(walk)
        walk = by_code[walk].get("parent_code")

    def inside(u: dict) -> bool:
        c: str | None = u["code"]
        while c in by_code:
            if c == code:
                return True
            c = by_code[c].get("parent_code")
        return False

    return [u for u in units if u["code"] in above or inside(u)]


@pytest.mark.parametrize("scope", [None, "S1", "S2"])
def test_a_unit_page_reads_its_subtree_and_the_units_above(fx, scope: str | None) -> None:
    """units_around (the hierarchy page of one unit) gives exactly the rows of `units`
    for the unit, its subtree and its ancestors, within the viewer's scope."""
    every = reads.units(fx, scope)
    for code in [*sorted(ALL_UNITS), "nope"]:
        assert reads.units_around(fx, code, scope) == _around(every, code), (scope, code)
    assert {u["code"] for u in reads.units_around(fx, "M1")} == {"C", "D1", "S1", "M1",
                                                                 "X1", "X2"}
    assert reads.units_around(fx, "X3", "S1") == []  # a unit outside: nothing


def test_networks_keep_to_the_subtree(fx) -> None:
    asked = ["W3", "OC3", "B3", "CO1", "B1"]  # a page could ask for any codes
    s1 = reads.network_rows(fx, "X3", asked, SECOND_SNAPSHOT, "S1")
    assert {p["org_code"] for p in s1["posts"]} == {"B1", "CO1"}
    assert s1["supervisions"] == []  # P6 → X3: X3 is outside S1
    s2 = reads.network_rows(fx, "X3", asked, SECOND_SNAPSHOT, "S2")
    assert {p["org_code"] for p in s2["posts"]} == {"B3", "OC3", "W3"}
    assert [(s["source"], s["target"]) for s in s2["supervisions"]] == [("P6", "X3")]
    # B1 → MP1 is inside S1; for S2 both ends are outside.
    assert reads.network_rows(fx, "X1", ["B1"], SECOND_SNAPSHOT, "S1")["affiliations"] == [
        {"org_code": "B1", "parent_code": "MP1", "parent_name": "和平社区党委",
         "parent_kind": "party_committee"}]
    assert reads.network_rows(fx, "X1", ["B1"], SECOND_SNAPSHOT, "S2")["affiliations"] == []
