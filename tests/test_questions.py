"""One test per audit question, on the hand-built fixture export synced through the real loader.

The fixture (tests/fixtures/exports/audit_base then audit_main, snapshot 2024-06-30) is
two districts: 涪城区 DIST1 (streets ST11 城厢街道 with communities CM111 禾盛社区 and CM112
红星社区; ST12 工区街道 with CM121 园艺社区) and 游仙区 DIST2 (ST21 游仙街道 with CM211
仙鹤社区; ST22 魏城镇 with no compound).  Its compounds, and what each pins:

- CP01 大洋雅苑: standalone branch B1 (书记 P01, 副书记 P02, 委员 P03, 兼职委员 P04), owners'
  committee OC1 (主任 P01 → 一肩挑), supervisory committee SC1 (P08 also works for CO1, P06
  also sits on OC1), company CO1 under an open contract.
- CP02 翠竹苑 and CP03 金桂苑: ONE joint branch B2 (书记 P12, 委员 P13; 副书记 P14 whose post
  ends on 2024-06-30 = as_of, so not active); OC2 chaired by P12; OC3 chaired by non-member
  P17 and overdue since 2024-05-31; CO1's contract for CP02 ends on 2024-06-30 (not active).
- CP04 幸福里: only a 党的工作小组 WG4 guided by instructor P20; self-governance body SG4.
- CP05 老街院落: two full members and one probationary (P26) — not enough for a branch.
- CP06 新苑: branch B6 and owners' committee OC6 both 撤销 (revoked); three full members.
- CP07 仙鹤苑: branch B7 was in audit_base and is absent from audit_main, so retired.
- CP08 园艺小区: branch B8 whose only committee member is its secretary P39, community staff.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redgov.graph.stores.base import Store
from redgov.loaders import sync_export
from redgov.queries import run_question

FIXTURES = Path(__file__).parent / "fixtures" / "exports"

# unit → (community, street, district) codes and names, worked out from 单位.csv by hand
_AREAS: dict[str, tuple[Any, ...]] = {
    "CM111": ("CM111", "禾盛社区", "ST11", "城厢街道", "DIST1", "涪城区"),
    "CM112": ("CM112", "红星社区", "ST11", "城厢街道", "DIST1", "涪城区"),
    "CM121": ("CM121", "园艺社区", "ST12", "工区街道", "DIST1", "涪城区"),
    "CM211": ("CM211", "仙鹤社区", "ST21", "游仙街道", "DIST2", "游仙区"),
    "ST11": (None, None, "ST11", "城厢街道", "DIST1", "涪城区"),
    "ST12": (None, None, "ST12", "工区街道", "DIST1", "涪城区"),
    "ST21": (None, None, "ST21", "游仙街道", "DIST2", "游仙区"),
    "ST22": (None, None, "ST22", "魏城镇", "DIST2", "游仙区"),
    "DIST1": (None, None, None, None, "DIST1", "涪城区"),
    "DIST2": (None, None, None, None, "DIST2", "游仙区"),
}
_COMMUNITY_OF = {"CP01": "CM111", "CP02": "CM111", "CP03": "CM111", "CP04": "CM112",
                 "CP05": "CM112", "CP06": "CM121", "CP07": "CM211", "CP08": "CM121"}
_PIVOT = ("community_code", "community_name", "street_code", "street_name",
          "district_code", "district_name")


def loc(unit: str) -> dict[str, Any]:
    """The six pivot columns of a unit, from the hand table above."""
    return dict(zip(_PIVOT, _AREAS[_COMMUNITY_OF.get(unit, unit)], strict=True))


def row(cols: str, *values: Any, at: str) -> dict[str, Any]:
    return {**dict(zip(cols.split(), values, strict=True)), **loc(at)}


def synced_store(engine: Any, tag: str) -> Iterator[Store]:
    """A graph holding the audit fixture, synced through the real loader (shared per module)."""
    with engine.fresh_store(f"module fixture {tag}") as store:
        for export in ("audit_base", "audit_main"):
            report = sync_export(store, FIXTURES / export)
            assert report.status == "applied", (export, report)
        yield store


@pytest.fixture(scope="module")
def fx(engine: Any) -> Iterator[Store]:
    yield from synced_store(engine, "questions")


def run(store: Store, name: str, **params: Any) -> list[dict[str, Any]]:
    return run_question(store, name, params).rows


# --- R1 -------------------------------------------------------------------------------
CWB = ("compound_code compound_name compound_type households full_members qualified "
       "has_work_group has_instructor finding")


def test_compounds_without_branch(fx: Store) -> None:
    """Work group only (CP04), probationary not counted (CP05), revoked (CP06) and retired
    (CP07) branches do not count; an instructor without a work group is not coverage (CP07)."""
    got = run(fx, "compounds_without_branch")
    want = [
        row(CWB, "CP04", "幸福里", "old", 80, 2, False, True, True, "工作覆盖", at="CP04"),
        row(CWB, "CP05", "老街院落", "abandoned", 60, 2, False, False, False, "未覆盖", at="CP05"),
        row(CWB, "CP06", "新苑", "resettlement", 150, 3, True, False, False, "应建未建", at="CP06"),
        row(CWB, "CP07", "仙鹤苑", "managed", 100, 1, False, False, True, "未覆盖", at="CP07"),
    ]
    assert got == want, got


def test_compounds_without_branch_params_scope_and_time(fx: Store) -> None:
    """min_full_members lowers the bar; scope keeps one community; before the instructor's
    assignment began (2023-01-01) the work group is not coverage; B7 stays uncounted when as_of
    precedes its retirement."""
    got = [(r["compound_code"], r["finding"])
           for r in run(fx, "compounds_without_branch", min_full_members=2)]
    assert got == [("CP04", "应建未建"), ("CP05", "应建未建"), ("CP06", "应建未建"),
                   ("CP07", "未覆盖")], got
    got = [r["compound_code"] for r in run(fx, "compounds_without_branch", scope="CM112")]
    assert got == ["CP04", "CP05"], got
    early = {r["compound_code"]: (r["has_instructor"], r["finding"])
             for r in run(fx, "compounds_without_branch", as_of="2022-12-31")}
    assert early["CP04"] == (False, "未覆盖"), early
    before = [r["compound_code"] for r in run(fx, "compounds_without_branch", as_of="2024-06-01")]
    assert before == ["CP04", "CP05", "CP06", "CP07"], before


# --- R2 -------------------------------------------------------------------------------
CPS = ("company_code company_name employees full_members party_org_code formation "
       "has_instructor finding")


def test_company_party_org_status(fx: Store) -> None:
    """Probationary employee P11 is not a full member; a joint organisation does not satisfy
    应建尽建 (CO2); the revoked company CO4 is not listed; pivots follow the unit a company
    sits at (a community, a street, a district)."""
    got = run(fx, "company_party_org_status")
    want = [
        row(CPS, "CO1", "红叶物业服务有限公司", 5, 3, "CB1", "standalone", True, "ok", at="CM111"),
        row(CPS, "CO2", "青松物业管理有限公司", 4, 3, "CB2", "joint", True, "应建未建", at="ST12"),
        row(CPS, "CO3", "白云物业有限公司", 1, 0, None, None, False, "未覆盖", at="DIST2"),
    ]
    assert got == want, got
    got = [r["finding"] for r in run(fx, "company_party_org_status", min_full_members=4)]
    assert got == ["ok", "ok", "未覆盖"], got


# --- R4 -------------------------------------------------------------------------------
OCS = ("committee_code committee_name compound_code compound_name members party_members share "
       "chair_code chair_is_member finding")


def test_owners_committee_party_share(fx: Store) -> None:
    """Probationary P05 counts as a party member; a non-member chair wins over a low share
    (OC3); the revoked OC6 is not listed."""
    got = run(fx, "owners_committee_party_share")
    want = [
        row(OCS, "OC1", "大洋雅苑业主委员会", "CP01", "大洋雅苑", 5, 3, 0.6, "P01", True, "ok",
            at="CP01"),
        row(OCS, "OC2", "翠竹苑业主委员会", "CP02", "翠竹苑", 4, 1, 0.25, "P12", True,
            "党员比例不足", at="CP02"),
        row(OCS, "OC3", "金桂苑业主委员会", "CP03", "金桂苑", 3, 2, 0.6667, "P17", False,
            "主任非党员", at="CP03"),
    ]
    assert got == want, got


def test_owners_committee_party_share_threshold(fx: Store) -> None:
    """A share equal to min_share is enough (OC2 at 0.25); at 0.7 OC1 falls short."""
    got = [r["finding"] for r in run(fx, "owners_committee_party_share", min_share=0.25)]
    assert got == ["ok", "ok", "主任非党员"], got
    got = [r["finding"] for r in run(fx, "owners_committee_party_share", min_share=0.7)]
    assert got == ["党员比例不足", "党员比例不足", "主任非党员"], got


# --- R6 -------------------------------------------------------------------------------
OSH = ("compound_code compound_name party_org_code committee_code secretary_code chair_code "
       "one_shoulder")


def test_one_shoulder(fx: Store) -> None:
    """The joint branch's secretary chairs CP02's committee but not CP03's."""
    got = run(fx, "one_shoulder")
    want = [
        row(OSH, "CP01", "大洋雅苑", "B1", "OC1", "P01", "P01", True, at="CP01"),
        row(OSH, "CP02", "翠竹苑", "B2", "OC2", "P12", "P12", True, at="CP02"),
        row(OSH, "CP03", "金桂苑", "B2", "OC3", "P12", "P17", False, at="CP03"),
    ]
    assert got == want, got
    # Before P12 became OC2's chair (2022-01-01) and P01 OC1's (2022-03-01): vacant chairs.
    got = [(r["compound_code"], r["chair_code"], r["one_shoulder"])
           for r in run(fx, "one_shoulder", as_of="2021-12-31")]
    assert got == [("CP01", None, False), ("CP02", None, False), ("CP03", "P17", False)], got


# --- R7 -------------------------------------------------------------------------------
CAR = "compound_code compound_name party_org_code committee cross ratio"


def test_cross_appointment_ratio(fx: Store) -> None:
    """P14's post ends on as_of (not counted); the joint branch B2 counts for each compound
    with that compound's own bodies; CO1's contract for CP02 ending on as_of does not count."""
    got = run(fx, "cross_appointment_ratio")
    want = [
        row(CAR, "CP01", "大洋雅苑", "B1", 4, 3, 0.75, at="CP01"),
        row(CAR, "CP02", "翠竹苑", "B2", 2, 1, 0.5, at="CP02"),
        row(CAR, "CP03", "金桂苑", "B2", 2, 1, 0.5, at="CP03"),
        row(CAR, "CP08", "园艺小区", "B8", 1, 0, 0.0, at="CP08"),
    ]
    assert got == want, got
    day_before = [(r["compound_code"], r["committee"], r["cross"], r["ratio"])
                  for r in run(fx, "cross_appointment_ratio", as_of="2024-06-29")]
    assert day_before == [("CP01", 4, 3, 0.75), ("CP02", 3, 1, 0.3333), ("CP03", 3, 1, 0.3333),
                          ("CP08", 1, 0, 0.0)], day_before


# --- R8 -------------------------------------------------------------------------------
SUP = ("person_code person_name compound_code compound_name supervisory_code other_org_code "
       "other_org_kind")


def test_supervisory_independence(fx: Store) -> None:
    """Both kinds of conflict: a 兼任 seat on the owners' committee and a job at the company."""
    got = run(fx, "supervisory_independence")
    want = [
        row(SUP, "P06", "陈静", "CP01", "大洋雅苑", "SC1", "OC1", "owners_committee", at="CP01"),
        row(SUP, "P08", "黄磊", "CP01", "大洋雅苑", "SC1", "CO1", "property_company", at="CP01"),
    ]
    assert got == want, got


# --- R13 ------------------------------------------------------------------------------
OVR = "committee_code committee_name compound_code compound_name term_end days_overdue"


def test_overdue_reelection(fx: Store) -> None:
    """A term ending on as_of (OC2) is not overdue; the revoked OC6 is never listed."""
    got = run(fx, "overdue_reelection")
    assert got == [row(OVR, "OC3", "金桂苑业主委员会", "CP03", "金桂苑", "2024-05-31", 30,
                       at="CP03")], got
    got = [(r["committee_code"], r["days_overdue"])
           for r in run(fx, "overdue_reelection", as_of="2024-07-01")]
    assert got == [("OC3", 31), ("OC2", 1)], got


# --- roll-up ----------------------------------------------------------------------------
ROLL = ("unit_code unit_name level compounds with_party_org party_org_rate with_owners_committee "
        "owners_committee_rate with_self_governance governed governance_rate managed managed_rate "
        "with_both one_shoulder one_shoulder_rate committee cross cross_rate")


def test_coverage_rollup_streets(fx: Store) -> None:
    """Per street; a street without compounds gets zeros and null rates (ST22)."""
    got = run(fx, "coverage_rollup")
    want = [
        row(ROLL, "ST11", "城厢街道", "street", 5, 3, 0.6, 3, 0.6, 1, 4, 0.8, 3, 0.6, 3, 2, 0.6667,
            8, 5, 0.625, at="ST11"),
        row(ROLL, "ST12", "工区街道", "street", 2, 1, 0.5, 0, 0.0, 0, 0, 0.0, 0, 0.0, 0, 0, None,
            1, 0, 0.0, at="ST12"),
        row(ROLL, "ST21", "游仙街道", "street", 1, 0, 0.0, 0, 0.0, 0, 0, 0.0, 0, 0.0, 0, 0, None,
            0, 0, None, at="ST21"),
        row(ROLL, "ST22", "魏城镇", "street", 0, 0, None, 0, None, 0, 0, None, 0, None, 0, 0, None,
            0, 0, None, at="ST22"),
    ]
    assert got == want, got


def test_coverage_rollup_levels_agree_with_per_compound_questions(fx: Store) -> None:
    """committee/cross are sums of cross_appointment_ratio (the joint branch once per compound),
    one_shoulder the count of one_shoulder rows; the district and compound levels work too."""
    per = run(fx, "cross_appointment_ratio", scope="CM111")
    (cm,) = run(fx, "coverage_rollup", level="community", scope="CM111")
    assert (cm["committee"], cm["cross"]) == (sum(r["committee"] for r in per),
                                              sum(r["cross"] for r in per)) == (8, 5), cm
    shoulders = sum(r["one_shoulder"] for r in run(fx, "one_shoulder", scope="CM111"))
    assert cm["one_shoulder"] == shoulders == 2, cm
    got = [tuple(r[c] for c in ROLL.split()) for r in run(fx, "coverage_rollup", level="district")]
    assert got == [
        ("DIST1", "涪城区", "district", 7, 4, 0.5714, 3, 0.4286, 1, 4, 0.5714, 3, 0.4286, 3, 2,
         0.6667, 9, 5, 0.5556),
        ("DIST2", "游仙区", "district", 1, 0, 0.0, 0, 0.0, 0, 0, 0.0, 0, 0.0, 0, 0, None, 0, 0,
         None),
    ], got
    (cp,) = run(fx, "coverage_rollup", level="compound", scope="CP02")
    assert [cp[c] for c in ROLL.split()[3:]] == [1, 1, 1.0, 1, 1.0, 0, 1, 1.0, 0, 0.0, 1, 1, 1.0,
                                                 2, 1, 0.5], cp


# --- R5, R9, R10, R11, R12, R14, R3 -------------------------------------------------------
def test_compounds_without_governance(fx: Store) -> None:
    """A revoked owners' committee (OC6) does not count; a self-governance body (SG4) does."""
    cols = "compound_code compound_name compound_type households"
    got = run(fx, "compounds_without_governance")
    assert got == [
        row(cols, "CP05", "老街院落", "abandoned", 60, at="CP05"),
        row(cols, "CP06", "新苑", "resettlement", 150, at="CP06"),
        row(cols, "CP07", "仙鹤苑", "managed", 100, at="CP07"),
        row(cols, "CP08", "园艺小区", "institutional", 90, at="CP08"),
    ], got


BCS = ("party_org_code party_org_name compound_codes secretaries deputy_secretaries "
       "committee_members committee finding")


def test_branch_committee_size(fx: Store) -> None:
    """The joint branch is one row covering both compounds; the day before P14's post ends
    it has its 副书记 and a full committee."""
    got = run(fx, "branch_committee_size")
    assert got == [
        row(BCS, "B1", "大洋雅苑党支部", ["CP01"], 1, 1, 2, 4, "ok", at="CP01"),
        row(BCS, "B2", "翠竹金桂联合党支部", ["CP02", "CP03"], 1, 0, 1, 2, "班子人数不符",
            at="CM111"),
        row(BCS, "B8", "园艺小区党支部", ["CP08"], 1, 0, 0, 1, "班子人数不符", at="CP08"),
    ], got
    b2 = run(fx, "branch_committee_size", as_of="2024-06-29")[1]
    assert (b2["deputy_secretaries"], b2["committee"], b2["finding"]) == (1, 3, "ok"), b2


def test_secretary_origin(fx: Store) -> None:
    """Owners' committee members come first; P39 is community staff (本职 in SQ121)."""
    cols = "party_org_code party_org_name secretary_code secretary_name origin"
    got = run(fx, "secretary_origin")
    assert got == [
        row(cols, "B1", "大洋雅苑党支部", "P01", "张建国", "业委会成员", at="CP01"),
        row(cols, "B2", "翠竹金桂联合党支部", "P12", "孙伟", "业委会成员", at="CM111"),
        row(cols, "B8", "园艺小区党支部", "P39", "彭飞", "社区工作人员", at="CP08"),
    ], got


def test_industry_committee_secretary(fx: Store) -> None:
    """District: a 住建 official (ok); street: a 本职 secretary (非兼任); community: not the
    community party secretary (人选不符)."""
    cols = ("committee_code committee_name unit_code unit_level secretary_code secretary_name "
            "concurrent finding")
    got = run(fx, "industry_committee_secretary")
    assert got == [
        row(cols, "HY1", "涪城区物业服务行业党委", "DIST1", "district", "P30", "萧山", True, "ok",
            at="DIST1"),
        row(cols, "HY11", "城厢街道物业服务行业党委", "ST11", "street", "P31", "程刚", False,
            "非兼任", at="ST11"),
        row(cols, "HY111", "禾盛社区物业服务行业党委", "CM111", "community", "P41", "苏明", True,
            "人选不符", at="CM111"),
    ], got


def test_instructor_visits(fx: Store) -> None:
    """Default month = the month before as_of (2024-05); a January as_of looks at December;
    visits after as_of are not counted."""
    cols = "instructor_code instructor_name company_code company_name month visits finding"
    got = run(fx, "instructor_visits")
    assert got == [
        row(cols, "P33", "袁丽", "CO1", "红叶物业服务有限公司", "2024-05", 2, "ok", at="CM111"),
        row(cols, "P33", "袁丽", "CO2", "青松物业管理有限公司", "2024-05", 1, "走访不足",
            at="ST12"),
    ], got

    def brief(**params: Any) -> list[tuple[str, str, int]]:
        return [(r["company_code"], r["month"], r["visits"])
                for r in run(fx, "instructor_visits", **params)]

    assert brief(month="2024-06") == [("CO1", "2024-06", 0), ("CO2", "2024-06", 1)]
    assert brief(month="2024-06", as_of="2024-06-04") == [("CO1", "2024-06", 0),
                                                          ("CO2", "2024-06", 0)]
    assert brief(as_of="2024-01-15") == [("CO1", "2023-12", 0), ("CO2", "2023-12", 0)]
    assert brief(as_of="2024-11-05") == [("CO1", "2024-10", 0), ("CO2", "2024-10", 0)]


def test_model_project_eligibility(fx: Store) -> None:
    """The latest rating up to as_of's year decides (CO3's 2022 黑榜 is superseded by 2023);
    a revoked company's contract (CO4) and an ended contract (CO1→CP02) are not listed."""
    cols = ("company_code company_name compound_code compound_name project rating_year "
            "rating_list black_listed has_party_org eligible finding")
    got = run(fx, "model_project_eligibility")
    assert got == [
        row(cols, "CO1", "红叶物业服务有限公司", "CP01", "大洋雅苑", "大洋雅苑项目", 2024, "red",
            False, True, True, "ok", at="CP01"),
        row(cols, "CO2", "青松物业管理有限公司", "CP03", "金桂苑", "金桂苑项目", 2023, "black",
            True, True, False, "黑榜企业", at="CP03"),
        row(cols, "CO3", "白云物业有限公司", "CP05", "老街院落", "=老街院落项目", 2023, None,
            False, False, False, "无小区党组织", at="CP05"),
    ], got
    # In 2023 CO1 still managed CP02 (its contract ended on 2024-06-30) and had no rating yet.
    got = [(r["company_code"], r["compound_code"], r["rating_year"], r["black_listed"])
           for r in run(fx, "model_project_eligibility", as_of="2023-06-30")]
    assert got == [("CO1", "CP01", None, False), ("CO1", "CP02", None, False),
                   ("CO2", "CP03", 2023, True), ("CO3", "CP05", 2023, False)], got


def test_company_branch_affiliation(fx: Store) -> None:
    """A company branch under a street 党工委 is misplaced; under its community's 党委 it is ok."""
    cols = ("party_org_code party_org_name party_org_kind company_code company_name parent_code "
            "parent_kind parent_level finding")
    got = run(fx, "company_branch_affiliation")
    assert got == [
        row(cols, "CB1", "红叶物业党支部", "party_branch", "CO1", "红叶物业服务有限公司", "SQ111",
            "party_committee", "community", "ok", at="CM111"),
        row(cols, "CB2", "青松物业联合党支部", "party_branch", "CO2", "青松物业管理有限公司",
            "GW12", "party_working_committee", "street", "隶属不当", at="ST12"),
    ], got


# --- data quality -------------------------------------------------------------------------
def test_dq_unaffiliated_party_orgs(fx: Store) -> None:
    """No parent (SQ211) and a revoked parent (PG6 under B6); city-level bodies are exempt."""
    cols = "org_code org_name org_kind unit_code unit_level parent_code finding"
    got = run(fx, "dq_unaffiliated_party_orgs")
    assert got == [
        row(cols, "PG6", "新苑第一党小组", "party_group", "CP06", "compound", "B6", "上级无效",
            at="CP06"),
        row(cols, "SQ211", "仙鹤社区党委", "party_committee", "CM211", "community", None, "无上级",
            at="CM211"),
    ], got


def test_dq_dual_primary_posts(fx: Store) -> None:
    """P08 holds 本职 in SC1 and in CO1, which manages the same compound."""
    cols = "person_code person_name compound_code compound_name org_codes"
    got = run(fx, "dq_dual_primary_posts")
    assert got == [row(cols, "P08", "黄磊", "CP01", "大洋雅苑", ["CO1", "SC1"], at="CP01")], got


def test_dq_posts_in_retired_orgs(fx: Store) -> None:
    """Posts still open in revoked organisations; the retired B7's post was retired with it."""
    cols = "person_code person_name org_code org_name org_kind org_state post_type title start"
    got = run(fx, "dq_posts_in_retired_orgs")
    assert got == [
        row(cols, "P27", "冯雪", "B6", "新苑党支部", "party_branch", "撤销", "SERVES_AS", "书记",
            "2020-01-01", at="CP06"),
        row(cols, "P28", "于波", "OC6", "新苑业主委员会", "owners_committee", "撤销", "SERVES_AS",
            "主任", "2020-12-31", at="CP06"),
    ], got
    assert run(fx, "dq_posts_in_retired_orgs", as_of="2024-06-01") == got


# --- analytics ----------------------------------------------------------------------------
def test_interlocks(fx: Store) -> None:
    """Within CP01: B1–OC1 share P01 and P03; one component of four bodies."""
    cols = ("org_a_code org_a_name org_a_kind org_b_code org_b_name org_b_kind shared "
            "person_codes component component_size")
    b1 = ("B1", "大洋雅苑党支部", "party_branch")
    oc1 = ("OC1", "大洋雅苑业主委员会", "owners_committee")
    sc1 = ("SC1", "大洋雅苑业主监督委员会", "supervisory_committee")
    vt1 = ("VT1", "大洋雅苑志愿服务队", "volunteer_team")
    got = run(fx, "interlocks", scope="CP01")
    assert got == [
        row(cols, *b1, *oc1, 2, ["P01", "P03"], 1, 4, at="CP01"),
        row(cols, *b1, *vt1, 1, ["P01"], 1, 4, at="CP01"),
        row(cols, *oc1, *sc1, 1, ["P06"], 1, 4, at="CP01"),
        row(cols, *oc1, *vt1, 1, ["P01"], 1, 4, at="CP01"),
    ], got


def test_brokers(fx: Store) -> None:
    """Betweenness worked out by hand on CP01's 12-node network: P06 alone links SC1 and P08
    to the other 9 nodes (18); P01 alone reaches VT1 (10 pairs) and shares the 18 B1-side ×
    OC1-side pairs with P03 (9 each)."""
    cols = "rank person_code person_name bodies betweenness org_codes home_code"
    got = run(fx, "brokers", scope="CP01")
    assert got == [
        row(cols, 1, "P01", "张建国", 3, 19.0, ["B1", "OC1", "VT1"], "CP01", at="CP01"),
        row(cols, 2, "P06", "陈静", 2, 18.0, ["OC1", "SC1"], "CP01", at="CP01"),
        row(cols, 3, "P03", "王志强", 2, 9.0, ["B1", "OC1"], "CP01", at="CP01"),
    ], got
    assert [r["person_code"] for r in run(fx, "brokers", scope="CP01", top=1)] == ["P01"]


def test_overloaded(fx: Store) -> None:
    """P01 holds four posts (B1, OC1, the community 大党委 SQ111, VT1): more than 3."""
    cols = "person_code person_name posts bodies org_codes home_code"
    got = run(fx, "overloaded")
    assert got == [row(cols, "P01", "张建国", 4, 4, ["B1", "OC1", "SQ111", "VT1"], "CP01",
                       at="CP01")], got
    got = [(r["person_code"], r["posts"]) for r in run(fx, "overloaded", scope="CP01", threshold=2)]
    assert got == [("P01", 3)], got


def test_duplicate_people(fx: Store) -> None:
    """P42 孙志强 and P43 孙智强 carry one ID number (audit_main): one pair, by its hash."""
    rows = run(fx, "duplicate_people")
    assert [(r["person_code"], r["other_code"], r["matched_by"], r["district_codes"])
            for r in rows] == [("P42", "P43", "身份证号相同", [])]
    assert rows[0]["id_masked"] == "5107**********1232"
    assert rows[0]["district_code"] is None  # neither has a home or a post: no place
