"""``redgov diff``, ``redgov show`` and ``audit --explain`` on a hand-written history.

tests/fixtures/diff_history holds three full exports of one district (涪城区 DIST1: streets
ST1 城厢街道 with communities CM1 禾盛社区, CM2 红星社区; ST2 工区街道 with CM3 园艺社区),
synced in order through the real loader:

s1 2024-01-01  compounds CP1 大洋雅苑 (CM1), CP2 翠竹苑 (CM1), CP3 金桂苑 (CM2), CP4 新苑 (CM3).
               Branch B1 in CP1 (书记 P1, 副书记 P2), B4 in CP4 (书记 P7); owners' committees
               OC1 (CP1, chair P1 → 一肩挑), OC2 (CP2, chair P4, term ends 2024-03-31), OC3
               (CP3, chair P6); company CO1 manages CP1; its branch CB1 隶属 SQ1; SQ1 leads OC1.
s2 2024-04-01  CP3 moved CM2 → CM1; new compound CP5 幸福里 (CM2); new branch B2 in CP2 with
               书记 P3 (from 2024-03-01); CB1 re-affiliated SQ1 → GW1; P2's post ends
               2024-03-15; SQ1's supervision of OC1 gone (retired).
s3 2024-07-01  CP5 gone (retired); OC3 撤销 (revoked); OC2 re-elected (成立 2024-03-31, 届满
               2027-03-31); CO1 starts managing CP2 on 2024-06-01; CO1's seat CM1 → CM2.

Figures per street, worked by hand from coverage_rollup's and overdue_reelection's rules,
each snapshot as of its own date (ST2 — CP4 with B4 and no committee — never moves):

            compounds  party org   owners' cttee  一肩挑 (both)  cross/committee  overdue
ST1 @ s1    3 (CP1-3)  1 → 0.3333  3 → 1.0        1/1 → 1.0      1/2 → 0.5        0
ST1 @ s2    4 (+CP5)   2 → 0.5     3 → 0.75       1/2 → 0.5      1/2 → 0.5 (P2 ended) 1 (OC2)
ST1 @ s3    3 (-CP5)   2 → 0.6667  2 → 0.6667     1/2 → 0.5      1/2 → 0.5        0 (re-elected)

Row numbers (src_row) count the header as row 1; rows of unchanged records keep their
numbers across the three files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook
from print_check import assert_printable
from redgov.graph.snapshots import list_snapshots
from redgov.graph.stores.base import Store
from redgov.loaders import sync_export
from redgov.queries import get_question

from redgov.cli import main

HISTORY = Path(__file__).parent / "fixtures" / "diff_history"
S1, S2, S3 = "2024-01-01", "2024-04-01", "2024-07-01"

#: The figures come from the catalog questions asked at each snapshot: right only once the
#: questions read the snapshot they are given (the shared conditions, branch snap-queries).
#: Until then these tests are skipped; they run by themselves once the questions pin it.
needs_versioned_catalog = pytest.mark.skipif(
    "$snapshot" not in get_question("coverage_rollup").text,
    reason="the catalog questions do not read a chosen snapshot yet (branch snap-queries)")


@pytest.fixture(scope="module")
def hx(engine: Any) -> Iterator[Store]:
    with engine.fresh_store("module fixture diff_history") as store:
        for export in ("s1", "s2", "s3"):
            report = sync_export(store, HISTORY / export)
            assert report.status == "applied", (export, report)
        store.engine = engine  # type: ignore[attr-defined]
        yield store


def runs(store: Store) -> dict[str, str]:
    """snapshot date → the run id that published it."""
    return {s.date: s.run_id for s in list_snapshots(store.read)}


def cli(store: Store, *args: str) -> Result:
    env = store.engine.env(getattr(store, "graph_name", ""))  # type: ignore[attr-defined]
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def as_json(store: Store, *args: str) -> Any:
    res = cli(store, *args, "--format", "json")
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def changes(d: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(c["kind"], c["change"], c["id"]) for c in d["changes"]}


def change(d: dict[str, Any], kind: str, id_: str) -> dict[str, Any]:
    (found,) = [c for c in d["changes"] if c["kind"] == kind and c["id"] == id_]
    return found


def moves(d: dict[str, Any]) -> set[tuple[str, str, Any, Any]]:
    return {(m["unit_code"], m["figure"], m["before"], m["after"]) for m in d["figures"]}


# --- diff: record changes ----------------------------------------------------------------

def test_diff_first_quarter_record_changes(hx: Store) -> None:
    d = as_json(hx, "diff", "--from", S1, "--to", S2)
    assert changes(d) == {
        ("unit", "moved", "CP3"),
        ("unit", "added", "CP5"),
        ("organisation", "added", "B2"),
        ("organisation", "reaffiliated", "CB1"),
        ("post", "ended", "P2|B1|deputy_secretary|2021-01-01"),
        ("post", "begun", "P3|B2|secretary|2024-03-01"),
        ("supervision", "ended", "SQ1|OC1|party_leadership|2022-03-01"),
    }, d["changes"]
    moved = change(d, "unit", "CP3")
    assert (moved["before"], moved["after"]) == ({"parent_code": "CM2", "name": "红星社区"},
                                                 {"parent_code": "CM1", "name": "禾盛社区"})
    re_aff = change(d, "organisation", "CB1")
    assert (re_aff["before"]["parent_code"], re_aff["after"]["parent_code"]) == ("SQ1", "GW1")
    ended = change(d, "post", "P2|B1|deputy_secretary|2021-01-01")
    assert ended["after"] == {"end": "2024-03-15"}
    assert ended["parties"]["from_code"] == "P2" and ended["parties"]["to_code"] == "B1"
    # Why: the version each side read, down to the registry row.
    run = runs(hx)
    assert ended["source_from"] == {"run": run[S1], "src_table": "任职", "src_row": 3,
                                    "snapshot_date": S1}
    assert ended["source_to"] == {"run": run[S2], "src_table": "任职", "src_row": 3,
                                  "snapshot_date": S2}
    begun = change(d, "post", "P3|B2|secretary|2024-03-01")
    assert begun["source_from"] is None
    assert begun["source_to"] == {"run": run[S2], "src_table": "任职", "src_row": 10,
                                  "snapshot_date": S2}
    added = change(d, "organisation", "B2")
    assert added["subtype"] == "party_branch" and added["source_to"]["src_row"] == 14


def test_diff_second_quarter_record_changes(hx: Store) -> None:
    d = as_json(hx, "diff", "--from", S2, "--to", S3)
    assert changes(d) == {
        ("unit", "retired", "CP5"),
        ("organisation", "moved", "CO1"),
        ("organisation", "changed", "OC3"),
        ("organisation", "changed", "OC2"),
        ("contract", "begun", "CO1|CP2|2024-06-01"),
    }, d["changes"]
    revoked = change(d, "organisation", "OC3")
    assert (revoked["before"], revoked["after"]) == ({"status": "active"}, {"status": "revoked"})
    re_elected = change(d, "organisation", "OC2")
    assert re_elected["after"] == {"founded": "2024-03-31", "term_end": "2027-03-31"}
    seat = change(d, "organisation", "CO1")  # its 所在单位; its contracts did not change
    assert (seat["before"], seat["after"]) == ({"unit_code": "CM1", "name": "禾盛社区"},
                                               {"unit_code": "CM2", "name": "红星社区"})


def test_diff_is_scoped_to_a_unit(hx: Store) -> None:
    d = as_json(hx, "diff", "--from", S1, "--to", S2, "--scope", "CM2", "--level", "community")
    # CP3 left CM2 (its earlier version was there), CP5 arrived; nothing else is in CM2.
    assert changes(d) == {("unit", "moved", "CP3"), ("unit", "added", "CP5")}


@needs_versioned_catalog
def test_diff_figures_are_scoped_to_a_unit(hx: Store) -> None:
    d = as_json(hx, "diff", "--from", S1, "--to", S2, "--scope", "CM2", "--level", "community")
    # CM2 had CP3 with a committee; now only CP5 without one.
    assert moves(d) == {("CM2", "owners_committee_rate", 1.0, 0.0)}, d["figures"]


# --- diff: figure moves --------------------------------------------------------------------

@needs_versioned_catalog
def test_diff_figure_moves_per_street(hx: Store) -> None:
    d = as_json(hx, "diff", "--from", S1, "--to", S2)
    assert moves(d) == {
        ("ST1", "party_org_rate", 0.3333, 0.5),
        ("ST1", "owners_committee_rate", 1.0, 0.75),
        ("ST1", "one_shoulder_rate", 1.0, 0.5),
        ("ST1", "overdue", 0, 1),
    }, d["figures"]
    d = as_json(hx, "diff", "--from", S2, "--to", S3)
    assert moves(d) == {
        ("ST1", "party_org_rate", 0.5, 0.6667),
        ("ST1", "owners_committee_rate", 0.75, 0.6667),
        ("ST1", "overdue", 1, 0),
    }, d["figures"]


def test_diff_figures_are_the_catalog_answers_at_each_snapshot(hx: Store) -> None:
    """The figures a diff compares are what the catalog answers at each snapshot."""
    from redgov.graph.snapshots import resolve
    from redgov.queries import run_question

    d = as_json(hx, "diff", "--from", S1, "--to", S3, "--all-figures")
    for side, date in (("before", S1), ("after", S3)):
        snap = resolve(hx.read, date)
        rows = run_question(hx, "coverage_rollup", {"level": "street"}, snapshot=snap).rows
        want = {(r["unit_code"], "party_org_rate"): r["party_org_rate"] for r in rows}
        got = {(m["unit_code"], m["figure"]): m[side] for m in d["figures"]
               if m["figure"] == "party_org_rate"}
        assert got == want, (side, got, want)


# --- diff: output for people ---------------------------------------------------------------

def test_diff_table_is_chinese(hx: Store) -> None:
    res = cli(hx, "diff", "--from", S1, "--to", S2)
    assert res.exit_code == 0, res.output
    for text in ("记录变化（7）", "迁移", "隶属变更", "新增", "开始", "结束", "红星社区",
                 "P3|B2|书记|2024-03-01", "任职表第10行"):
        assert text in res.output, (text, res.output)
    for code in ("moved", "reaffiliated", "secretary", "party_leadership"):
        assert code not in res.output, code
    english = cli(hx, "diff", "--from", S1, "--to", S2, "--lang", "en")
    assert "moved" in english.output and "reaffiliated" in english.output


@needs_versioned_catalog
def test_diff_figure_table_is_chinese(hx: Store) -> None:
    res = cli(hx, "diff", "--from", S1, "--to", S2)
    for text in ("指标变化（4）", "党组织覆盖率", "33.3%", "50.0%", "+16.7个百分点",
                 "到期未换届数"):
        assert text in res.output, (text, res.output)
    assert "party_org_rate" not in res.output
    english = cli(hx, "diff", "--from", S1, "--to", S2, "--lang", "en")
    assert "party-organisation coverage" in english.output
    # Every figure, moved or not: an unmoved one reads 持平, never a signed zero.
    every = cli(hx, "diff", "--from", S1, "--to", S2, "--all-figures")
    flat = [line for line in every.output.splitlines() if line.rstrip().endswith("持平")]
    assert flat and "+0.0" not in every.output and " +0\n" not in every.output, every.output


def test_diff_xlsx(hx: Store, tmp_path: Path) -> None:
    out = tmp_path / "diff.xlsx"
    res = cli(hx, "diff", "--from", S1, "--to", S2, "--format", "xlsx", "--out", str(out))
    assert res.exit_code == 0, res.output
    book = load_workbook(out)
    assert book.sheetnames == ["说明", "指标变化", "记录变化"]
    assert_printable(book, cover="说明")
    records = [[c.value for c in row] for row in book["记录变化"].iter_rows(min_row=2)]
    assert sorted(r[2] for r in records if r[0] == "单位") == ["CP3", "CP5"]


def test_diff_unknown_snapshot_is_a_usage_error(hx: Store) -> None:
    res = cli(hx, "diff", "--from", "2023-01-01", "--to", S2)
    assert res.exit_code == 2 and "--from" in res.output and "2024-01-01" in res.output, \
        res.output


# --- show -------------------------------------------------------------------------------

def test_show_unit_place_at_each_snapshot(hx: Store) -> None:
    before = as_json(hx, "show", "CP3", "--snapshot", S1)
    assert [a["code"] for a in before["ancestry"]] == ["CITY1", "DIST1", "ST1", "CM2"]
    now = as_json(hx, "show", "CP3")
    assert [a["code"] for a in now["ancestry"]] == ["CITY1", "DIST1", "ST1", "CM1"]
    assert now["snapshot"]["date"] == S3 and now["as_of"] == S3
    assert now["source"]["src_table"] == "单位" and now["source"]["src_row"] == 11
    facts = {(f["section"], f["other_code"]) for f in before["facts"]}
    assert {("ancestor", "CM2"), ("organisation", "OC3"), ("residence", "P5"),
            ("residence", "P6")} <= facts, facts
    seat = next(f for f in before["facts"] if f["other_code"] == "OC3")
    assert seat["source"] == {"snapshot_date": S1, "src_table": "组织", "src_row": 11,
                              "run": runs(hx)[S1]}


def test_show_organisation_with_its_posts_and_sources(hx: Store) -> None:
    res = cli(hx, "show", "B2", "--snapshot", S1)
    assert res.exit_code == 1 and "B2" in res.output, res.output  # not founded yet
    b2 = as_json(hx, "show", "B2", "--snapshot", S2)
    assert b2["kind"] == "organisation"
    assert [a["code"] for a in b2["affiliation_chain"]] == ["SQ1", "GW1"]
    (post,) = [f for f in b2["facts"] if f["section"] == "post"]
    assert (post["other_code"], post["role"], post["held"]) == ("P3", "secretary", True)
    assert post["source"] == {"snapshot_date": S2, "src_table": "任职", "src_row": 10,
                              "run": runs(hx)[S2]}
    table = cli(hx, "show", "B2")
    assert "翠竹苑党支部" in table.output and "书记" in table.output, table.output
    assert "任职表第10行" in table.output and "隶属：禾盛社区党委（SQ1）" in table.output


def test_show_person_masked_with_posts_over_time(hx: Store) -> None:
    p1 = cli(hx, "show", "P1")
    assert p1.exit_code == 0, p1.output
    assert "11010519491231002X" not in p1.output and "13800138000" not in p1.output
    assert "1101**********002X" in p1.output and "138****8000" in p1.output, p1.output
    data = as_json(hx, "show", "P1")
    assert "id_hash" not in json.dumps(data) and "phone" not in data["record"]
    assert {(f["other_code"], f["role"]) for f in data["facts"] if f["section"] == "post"} == {
        ("B1", "secretary"), ("OC1", "director")}
    then = as_json(hx, "show", "P2", "--snapshot", S1)
    (post,) = [f for f in then["facts"] if f["section"] == "post"]
    assert (post["held"], post["end"], post["source"]["src_row"]) == (True, None, 3)
    later = as_json(hx, "show", "P2", "--snapshot", S2)
    (post,) = [f for f in later["facts"] if f["section"] == "post"]
    assert (post["held"], post["end"]) == (False, "2024-03-15")
    assert post["source"]["run"] == runs(hx)[S2]
    # --as-of inside the snapshot: the same version, held before its end.
    earlier = as_json(hx, "show", "P2", "--snapshot", S2, "--as-of", "2024-03-01")
    assert [f["held"] for f in earlier["facts"] if f["section"] == "post"] == [True]


# --- audit --explain ----------------------------------------------------------------------

@needs_versioned_catalog
def test_explain_a_flagged_compound(hx: Store) -> None:
    got = as_json(hx, "audit", "compounds_without_branch", "--explain", "CP3")
    (row,) = got["rows"]
    assert (row["finding"], row["full_members"]) == ("未覆盖", 1) and got["findings"] == [True]
    facts = {(f["subject_code"], f["section"], f["other_code"]) for f in got["facts"]}
    # The residents counted (P5 full member, P6 not), the bodies there and their posts.
    assert {("CP3", "residence", "P5"), ("CP3", "residence", "P6"),
            ("CP3", "organisation", "OC3"), ("OC3", "post", "P6")} <= facts, facts
    p5 = next(f for f in got["facts"] if f["other_code"] == "P5")
    assert (p5["other_kind"], p5["source"]["src_table"]) == ("full_member", "人员")
    table = cli(hx, "audit", "compounds_without_branch", "--explain", "CP3")
    assert "结论：问题" in table.output and "依据（事实与来源）" in table.output, table.output
    assert "人员表第6行" in table.output


def test_explain_why_not_one_shoulder(hx: Store) -> None:
    got = as_json(hx, "audit", "one_shoulder", "--explain", "CP2")
    assert got["findings"] == [True]
    posts = {(f["subject_code"], f["other_code"], f["role"]) for f in got["facts"]
             if f["section"] == "post" and f["held"]}
    assert {("B2", "P3", "secretary"), ("OC2", "P4", "director")} <= posts, posts


def test_explain_unknown_key_is_a_usage_error(hx: Store) -> None:
    res = cli(hx, "audit", "compounds_without_branch", "--explain", "CP1")
    # the column by its Chinese label, never its code inside the Chinese sentence
    assert res.exit_code == 2 and "CP1" in res.output and "compound_code" not in res.output, \
        res.output
    assert "小区编码为 CP1 的行" in res.output, res.output
