"""Funding guarantee (R15) and phase-target progress (R21) on a hand-written three-snapshot
history (tests/fixtures/phase_history, described in its README), on both engines.

Every expected figure below is computed by hand from the fixture's tables.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from print_check import assert_printable
from redgov.graph.stores.base import Store
from redgov.loaders import sync_export
from redgov.loaders.tables import TABLES
from redgov.queries import ParamError, run_question

from redgov.cli import main
from redgov.report import COVER_FIELDS, _w
from redgov.target_progress import progress
from redgov.targets import DEFAULT_FILE, load_targets

pytestmark = pytest.mark.skipif(
    not {"经费", "命名"} <= set(TABLES),
    reason="the loader does not read the 经费/命名 tables yet (branch eval)")

HISTORY = Path(__file__).parent / "fixtures" / "phase_history"
EXPORTS = ("s1_2021-06-30_full", "s2_2021-09-30_full", "s3_2021-12-31_full")
DATES = ("2021-06-30", "2021-09-30", "2021-12-31")

_AT = {  # unit → (community, street, district) codes and names
    "ST1": (None, None, "ST1", "城厢街道", "DIST1", "涪城区"),
    "ST2": (None, None, "ST2", "工区街道", "DIST1", "涪城区"),
    "K1": ("CM1", "禾盛社区", "ST1", "城厢街道", "DIST1", "涪城区"),
    "K3": ("CM2", "园艺社区", "ST2", "工区街道", "DIST1", "涪城区"),
    "K4": ("CM2", "园艺社区", "ST2", "工区街道", "DIST1", "涪城区"),
    "DIST1": (None, None, None, None, "DIST1", "涪城区"),
    "CITY1": (None, None, None, None, None, None),
}
_PIVOT = ("community_code", "community_name", "street_code", "street_name",
          "district_code", "district_name")
_ORG = ("org_code", "org_name", "org_kind", "formation", "in_company", "in_compound", "year",
        "floor", "allocated", "funding_rows", "shortfall", "guaranteed")


def org(at: str, *values: Any) -> dict[str, Any]:
    return {**dict(zip(_ORG, values, strict=True)), **dict(zip(_PIVOT, _AT[at], strict=True))}


CP1 = ("CP1", "红叶物业党委", "party_committee", "standalone", True, False)
GB4 = ("GB4", "万达广场党总支", "general_branch", "standalone", False, True)
B1 = ("B1", "大洋雅苑党支部", "party_branch", "standalone", False, True)
B2 = ("B2", "金桂苑老街联合党支部", "party_branch", "joint", False, True)
B5 = ("B5", "青松白云物业联合党支部", "party_branch", "joint", True, False)
B6 = ("B6", "金桂苑党支部", "party_branch", "standalone", False, True)


@pytest.fixture(scope="module")
def fx(engine: Any) -> Iterator[Store]:
    with engine.fresh_store("module fixture phase_history") as store:
        for export in EXPORTS:
            report = sync_export(store, HISTORY / export)
            assert report.status == "applied", (export, report)
        yield store


def rows(store: Store, name: str, snapshot: str | None = None, **params: Any) -> list[dict]:
    return run_question(store, name, params, snapshot=snapshot).rows


# --- R15 per organisation ------------------------------------------------------------------
def test_funding_per_organisation_at_the_latest_snapshot(fx: Store) -> None:
    got = rows(fx, "funding_guarantee")
    # B6 is revoked, SQ1 is built in nothing, WG3 is a work group: none is owed the floor.
    want = [
        org("K1", *B1, 2021, 3000, 2500, 1, 500, False),
        org("K3", *B2, 2021, 3000, 0, 0, 3000, False),
        org("ST2", *B5, 2021, 3000, 3000, 1, 0, True),
        org("ST1", *CP1, 2021, 10000, 10000, 1, 0, True),  # exactly the floor is enough
        org("K4", *GB4, 2021, 5000, 8000, 1, 0, True),
    ]
    assert got == want, got


def test_funding_for_an_earlier_year_counts_the_organisations_founded_by_then(fx: Store) -> None:
    got = rows(fx, "funding_guarantee", year=2020)
    assert got == [org("ST1", *CP1, 2020, 10000, 9000, 1, 1000, False)], got


def test_funding_floors_are_parameters(fx: Store) -> None:
    got = rows(fx, "funding_guarantee", floor_branch=2500, floor_committee=12000)
    assert [(r["org_code"], r["floor"], r["shortfall"], r["guaranteed"]) for r in got] == [
        ("B1", 2500, 0, True), ("B2", 2500, 2500, False), ("B5", 2500, 0, True),
        ("CP1", 12000, 2000, False), ("GB4", 5000, 0, True)], got


def test_funding_within_a_scope_and_at_an_earlier_snapshot(fx: Store) -> None:
    assert [r["org_code"] for r in rows(fx, "funding_guarantee", scope="ST2")] == [
        "B2", "B5", "GB4"]
    got = rows(fx, "funding_guarantee", snapshot="2021-09-30")
    assert [(r["org_code"], r["allocated"], r["shortfall"], r["guaranteed"]) for r in got] == [
        ("B1", 2500, 500, False), ("B2", 0, 3000, False), ("B6", 0, 3000, False),
        ("CP1", 10000, 0, True), ("GB4", 0, 5000, False)], got


# --- R15 roll-up ---------------------------------------------------------------------------
_ROLL = ("unit_code", "unit_name", "level", "year", "orgs", "guaranteed", "guarantee_rate",
         "floor_total", "allocated_total", "shortfall_total")


def roll(at: str, *values: Any) -> dict[str, Any]:
    return {**dict(zip(_ROLL, values, strict=True)), **dict(zip(_PIVOT, _AT[at], strict=True))}


def test_funding_rollup_per_street_district_city(fx: Store) -> None:
    # ST1: CP1 (10000 of 10000) and B1 (2500 of 3000); ST2: B2 (0 of 3000), B5 (3000 of
    # 3000), GB4 (8000 of 5000): ST2's allocations equal its floors, yet 3000 are short —
    # GB4's surplus does not pay B2's floor.
    assert rows(fx, "funding_rollup") == [
        roll("ST1", "ST1", "城厢街道", "street", 2021, 2, 1, 0.5, 13000, 12500, 500),
        roll("ST2", "ST2", "工区街道", "street", 2021, 3, 2, 0.6667, 11000, 11000, 3000),
    ]
    assert rows(fx, "funding_rollup", level="district") == [
        roll("DIST1", "DIST1", "涪城区", "district", 2021, 5, 3, 0.6, 24000, 23500, 3500)]
    assert rows(fx, "funding_rollup", level="city") == [
        roll("CITY1", "CITY1", "绵阳市", "city", 2021, 5, 3, 0.6, 24000, 23500, 3500)]
    assert rows(fx, "funding_rollup", level="street", year=2019) == [
        roll("ST1", "ST1", "城厢街道", "street", 2019, 1, 0, 0.0, 10000, 0, 10000),
        roll("ST2", "ST2", "工区街道", "street", 2019, 0, 0, None, 0, 0, 0),
    ]


# --- R21 progress --------------------------------------------------------------------------
def _days(a: str, b: str) -> int:
    return (date.fromisoformat(b) - date.fromisoformat(a)).days


def test_progress_with_trend_and_projection_by_hand(fx: Store) -> None:
    targets, _ = load_targets(DEFAULT_FILE)
    got, chosen = progress(fx, targets)
    assert chosen is not None and chosen.date == "2021-12-31"
    by = {p.target.id: p for p in got}
    trends = {k: [v for _, v in p.trend] for k, p in by.items()}
    assert [d for d, _ in by["funding_rate"].trend] == list(DATES)
    assert trends == {
        # GB4 by s1; B1, B6 by s2; B6 revoked by s3 (only active organisations count)
        "new_standalone_orgs": [1, 3, 2],
        # B2 by s2; B5 is joint but built in companies, not compounds
        "new_joint_orgs": [0, 1, 1],
        # managed: K1 K2 K3 at s1 (K3 work-covered by WG3 + P20), + K4 from 2021-08-01;
        # s2 and s3: K1 (B1), K3 (B2), K4 (GB4) of four
        "managed_coverage": [0.3333, 0.75, 0.75],
        # s1: CP1 5000 < 10000, GB4 nothing: 0/2; s2: CP1 of CP1 GB4 B1 B2 B6: 1/5; s3: 3/5
        "funding_rate": [0.0, 0.2, 0.6],
        "named_projects": [0, 1, 2],
        "named_companies": [0, 0, 1],
        "named_committees": [0, 0, 0],
        "named_people": [0, 0, 0],
    }, trends
    # Three points 92 days apart: the slope is sxy/sxx over x = -92, 0, 92 (sxx = 16928).
    # standalone: y 1 3 2 → slope 92/16928 = 1/184, at the due date (= s3, x = 92) the line
    # gives 2 + 0.5 = 2.5, below the 3 reached: 3.
    assert (by["new_standalone_orgs"].projected, by["new_standalone_orgs"].status) == (3, "behind")
    # joint: y 0 1 1 → mean 2/3, slope 1/184 → 2/3 + 1/2 = 1.1667 → 1.2
    assert by["new_joint_orgs"].projected == 1.2
    # rates rise steeply enough to pass 100% long before 2023-12-31: held at 1.0
    for key in ("managed_coverage", "funding_rate"):
        assert (by[key].projected, by[key].status) == (1.0, "on_track"), by[key]
    # named projects: y 0 1 2 on a line through (s1, 0) with slope 1/92 a day
    due = "2023-09-30"
    assert by["named_projects"].projected == round(_days(DATES[0], due) / 92, 1)
    # named companies: y 0 0 1: mean 1/3 at s2, slope 1/184
    assert by["named_companies"].projected == round(1 / 3 + _days(DATES[1], due) / 184, 1)
    assert by["named_people"].projected == 0 and by["named_people"].status == "behind"
    assert (by["funding_rate"].value, by["funding_rate"].share) == (0.6, 0.6)
    assert (by["new_standalone_orgs"].value, by["new_standalone_orgs"].share) == (2, 0.01)


def test_progress_within_a_scope_and_at_an_earlier_snapshot(fx: Store) -> None:
    targets, _ = load_targets(DEFAULT_FILE)
    got, _ = progress(fx, targets, scope="ST1")
    trends = {p.target.id: [v for _, v in p.trend] for p in got}
    assert trends == {
        "new_standalone_orgs": [0, 1, 1], "new_joint_orgs": [0, 0, 0],
        "managed_coverage": [0.0, 0.5, 0.5], "funding_rate": [0.0, 0.5, 0.5],
        "named_projects": [0, 1, 1], "named_companies": [0, 0, 0],
        "named_committees": [0, 0, 0], "named_people": [0, 0, 0],
    }, trends
    earlier, chosen = progress(fx, targets, snapshot="2021-09-30")
    assert chosen is not None and chosen.date == "2021-09-30"
    assert [len(p.trend) for p in earlier] == [2] * len(targets)
    with pytest.raises(ParamError, match="没有编码为 'NOPE' 的单位"):
        progress(fx, targets, scope="NOPE")
    # an account scoped to ST2 asking for ST1 is told the unit does not exist
    with pytest.raises(ParamError):
        progress(fx, targets, scope="ST1", account_scope="ST2")


def cli(fx: Store, engine: Any, *args: str) -> Any:
    env = engine.env(getattr(fx, "graph_name", ""))
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_targets_command_in_chinese_json_and_xlsx(fx: Store, engine: Any,
                                                  tmp_path: Path) -> None:
    table = cli(fx, engine, "targets")
    assert table.exit_code == 0, table.output
    assert "快照：2021-12-31" in table.output and "三年累计命名示范项目" in table.output
    assert "按期可达" in table.output and "滞后" in table.output and "60.0%" in table.output
    assert "最小二乘" in table.output, table.output
    data = json.loads(cli(fx, engine, "targets", "--format", "json", "--scope", "ST1").output)
    assert data["snapshot"]["date"] == "2021-12-31" and data["scope"] == "ST1"
    first = data["targets"][0]
    assert (first["id"], first["value"], first["status"]) == ("new_standalone_orgs", 1,
                                                              "behind"), first
    out = tmp_path / "进度.xlsx"
    done = cli(fx, engine, "targets", "--format", "xlsx", "--out", str(out))
    assert done.exit_code == 0, done.output
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert wb.sheetnames == ["封面", "目标进度", "趋势"], wb.sheetnames
    assert_printable(wb, cover="封面")
    cover = {r[0]: r[1] for r in wb["封面"].iter_rows(min_row=3, max_row=14, values_only=True)}
    assert {_w(k, "zh") for k in COVER_FIELDS} | {"目标文件"} <= set(cover), cover
    assert cover["快照日期"] == "2021-12-31" and cover["范围"] == "全部", cover
    assert wb["目标进度"]["A1"].value == "目标" and wb["趋势"].max_row == 1 + 8 * 3
    bad = cli(fx, engine, "targets", "--scope", "NOPE")
    assert bad.exit_code == 2 and "NOPE" in bad.output, bad.output
    audit = cli(fx, engine, "audit", "funding_rollup", "--param", "level=district")
    assert audit.exit_code == 0 and "经费保障率" in audit.output and "60.0%" in audit.output, \
        audit.output
