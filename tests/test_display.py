"""The display vocabulary (graph/display.py) and the column roles every question declares.

The dashboard and every download show values through the display vocabulary and mark
findings from the header's ``finding`` line, so both must be complete and true: every
code the model can store has a Chinese form, and every declared column type and finding
value fits the rows the question really returns on the fixture graph.
"""

from __future__ import annotations

import doctest
import re
from collections.abc import Iterator
from typing import Any

import pytest
from redgov.graph import display as display_module
from redgov.graph.display import (
    DOMAINS,
    RULES,
    SOURCES,
    display,
    english_codes,
    format_rate,
    format_time,
    term,
)
from redgov.graph.stores.base import Store
from redgov.graph.vocabulary import (
    COMPOUND_TYPES,
    FORMATIONS,
    LEVELS,
    ORG_KINDS,
    ORG_STATUS,
    RATING_LISTS,
    REL,
    ROLES,
    STANDING_OTHER,
    STANDINGS,
    SUPERVISION_KINDS,
)
from redgov.loaders.tables import KIND_EN
from redgov.queries import catalog, run_question
from redgov.queries import present as present_module
from redgov.queries.catalog import HeaderError, parse_header
from test_questions import synced_store

QUESTIONS = catalog()
_LATIN = re.compile(r"[A-Za-z]")


def test_doctests() -> None:
    for module in (display_module, present_module):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, (module.__name__, result)


def test_every_stored_code_has_a_chinese_form() -> None:
    stored = {
        "level": set(LEVELS.values()),
        "org_kind": set(ORG_KINDS.values()),
        "compound_type": set(COMPOUND_TYPES.values()),
        "formation": set(FORMATIONS.values()),
        "org_status": set(ORG_STATUS.values()),
        "standing": {*STANDINGS.values(), STANDING_OTHER},
        "role": set(ROLES),
        "supervision_kind": set(SUPERVISION_KINDS.values()),
        "rating_list": set(RATING_LISTS.values()),
        "relation": set(REL.ALL),
        "sync_kind": set(KIND_EN.values()),
    }
    for domain, values in stored.items():
        missing = values - set(DOMAINS[domain])
        assert not missing, (domain, missing)
    for domain, table in DOMAINS.items():
        for code, (zh, en) in table.items():
            assert zh and en, (domain, code)
            assert not _LATIN.search(zh), (domain, code, zh)


def test_lookups_and_the_one_rounding_rule() -> None:
    assert term("level", "street") == "街道" and term("level", "street", "en") == "street"
    assert display("SERVES_AS") == "本职" and display("CROSS_APPOINTED_TO", "en") == (
        "cross-appointment")
    assert display("applied", domain="sync_status") == "已应用"
    assert display("full", domain="sync_kind") == "全量"
    assert display("无人知晓的值") == "无人知晓的值"  # unknown values are shown, not dropped
    with pytest.raises(KeyError):
        term("no_such_domain", "x")
    assert [format_rate(x) for x in (0.9549, 0.95, 0.947, 0.0, 1.0)] == [
        "95.5%", "95.0%", "94.7%", "0.0%", "100.0%"]
    assert format_time("2026-11-30T16:00:00Z") == "2026-12-01 00:00:00"
    assert format_time("2026-11-30T16:00:00+00:00") == "2026-12-01 00:00:00"
    assert "managed" in english_codes() and "管" not in "".join(english_codes())


def test_rules_and_sources_cover_the_catalog() -> None:
    for q in QUESTIONS:
        for rule in q.rules:
            assert rule in RULES, (q.name, rule)
        for source in q.sources:
            assert source in SOURCES, (q.name, source)
    assert SOURCES["002"].title.startswith("福建厦门市湖里区")


# --- column roles against real rows ---------------------------------------------------
@pytest.fixture(scope="module")
def fx(engine: Any) -> Iterator[Store]:
    yield from synced_store(engine, "roles")


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_LABEL = {"codes:organisation": "Organisation", "codes:person": "Person", "codes:unit": "Unit"}


def _fits(kind: str, value: Any) -> bool:
    if value is None:
        return True
    checks = {
        "code": lambda v: isinstance(v, str) and v != "",
        "text": lambda v: isinstance(v, str),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "rate": lambda v: isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1,
        "date": lambda v: isinstance(v, str) and bool(_ISO_DATE.match(v)),
        "month": lambda v: isinstance(v, str) and bool(_MONTH.match(v)),
        "bool": lambda v: isinstance(v, bool),
    }
    if kind in checks:
        return checks[kind](value)
    if kind in _LABEL:
        return isinstance(value, list) and all(isinstance(x, str) for x in value)
    return value in DOMAINS[kind]


def _run(store: Store, name: str) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"top": 0} if name == "brokers" else {}
    if name in ("overloaded",):
        params["threshold"] = 1
    return run_question(store, name, params).rows


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q.name)
def test_declared_column_types_fit_the_rows(fx: Store, q: Any) -> None:
    rows = _run(fx, q.name)
    assert rows, f"{q.name}: the fixture gives no row, so its roles go unchecked"
    for c in q.columns:
        bad = [r[c.name] for r in rows if not _fits(c.type, r[c.name])]
        assert not bad, (q.name, c.name, c.type, bad[:3])
        if c.type in _LABEL:  # list columns name real nodes of the declared label
            listed = sorted({x for r in rows for x in (r[c.name] or [])})
            found = fx.read(f"MATCH (n:{_LABEL[c.type]}) WHERE n.code IN $codes "
                            "RETURN n.code AS code", {"codes": listed})
            assert {r["code"] for r in found} == set(listed), (q.name, c.name)


#: Questions whose fixture rows are all compliant, with the reason.
CLEAN_ON_FIXTURE = {"secretary_origin": "every fixture branch's secretary has an allowed origin"}


@pytest.mark.parametrize("q", [q for q in QUESTIONS if q.finding.declared],
                         ids=lambda q: q.name)
def test_declared_findings_match_the_rows(fx: Store, q: Any) -> None:
    """Each question finds something on the fixture (its finding declaration is exercised),
    and a finding column's declared values are values of its domain."""
    rows = _run(fx, q.name)
    if q.name in CLEAN_ON_FIXTURE:
        assert rows and not q.finding_rows(rows), q.name
    else:
        assert q.finding_rows(rows), f"{q.name}: no finding on the fixture"
    if q.finding.column is None:
        return
    column = q.column(q.finding.column)
    if column.domain:
        assert all(v in DOMAINS[column.domain] for v in q.finding.values), q.name
        # A finding column that is not all findings also shows its non-finding values.
        seen = {r[column.name] for r in rows}
        assert seen <= set(DOMAINS[column.domain]), (q.name, seen)
    else:
        assert column.type == "bool" and set(q.finding.values) <= {"true", "false"}, q.name


def test_finding_rows_count_only_findings() -> None:
    """The compound page's complaint: 一肩挑 = true is not a finding; 工作覆盖 is not either."""
    shoulder = next(q for q in QUESTIONS if q.name == "one_shoulder")
    assert shoulder.finding_rows([{"one_shoulder": True}, {"one_shoulder": False}]) == [
        {"one_shoulder": False}]
    branch = next(q for q in QUESTIONS if q.name == "compounds_without_branch")
    rows = [{"finding": f} for f in ("应建未建", "工作覆盖", "未覆盖")]
    assert [r["finding"] for r in branch.finding_rows(rows)] == ["应建未建", "未覆盖"]
    origin = next(q for q in QUESTIONS if q.name == "secretary_origin")
    assert origin.is_finding({"origin": "无书记"}) and not origin.is_finding({"origin": "小区党员"})
    rollup = next(q for q in QUESTIONS if q.name == "coverage_rollup")
    assert not rollup.finding.declared and rollup.finding_rows([{"x": 1}]) == []


def test_header_roles_are_checked() -> None:
    base = ("// name: q\n// title_zh: 问\n// title_en: Q\n// rules: R1\n// source: 002\n"
            "// one_row_per: unit\n// one_row_per_zh: 单位\n// rule_zh: 规则\n"
            "// column: n — 数 — a count\n")
    head, _ = parse_header(base + "// type: n — int\n// finding: none\nRETURN 1 AS n")
    assert head["columns"][0].type == "int"
    with pytest.raises(HeaderError, match="finding"):
        parse_header(base + "// type: n — int\nRETURN 1 AS n")
    with pytest.raises(HeaderError, match="TYPE one of"):
        parse_header(base + "// type: n — integer\n// finding: none\nRETURN 1 AS n")
    with pytest.raises(HeaderError, match="unknown column"):
        parse_header(base + "// type: m — int\n// finding: none\nRETURN 1 AS n")
    with pytest.raises(HeaderError, match="finding needs"):
        parse_header(base + "// type: n — int\n// finding: n\nRETURN 1 AS n")
