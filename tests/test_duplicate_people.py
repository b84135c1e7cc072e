"""``duplicate_people``: one person under two codes, found by hand-known pairs.

The fixture is ``sync_basic`` (district D1: compounds K1, K2) with a second district D2
(compound K9, organisation O_CO9 sitting at it) and these people added:

- P1 (张三, 男, K1, ID …1234) and P11 (张叁, 男, K2, the SAME ID number): one person
  entered twice with a misspelt name → ``身份证号相同``.
- P3 (王五, 男, K2, ID 350206199003183456, post in O_CO1) and P13 (王五, 男, K1, another ID
  number with the same masked form 3502**********3456 — a typo in the hidden digits), both
  in D1 → ``姓名性别脱敏号相同``.
- P14 (王五, 男, K9 in D2, the same masked form again): same name, gender and masked ID,
  but in another district → not a match with P3 or P13.
- P15 (李四, 女, K1): the same name as P2 (李四, 女, K1), another ID number → not a match.
- P16 (王五, 女, K2, masked like P3): same name and masked ID, other gender → not a match.

Nothing is merged: all the records stay.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from redgov.graph.stores.base import Store
from redgov.loaders import sync_export
from redgov.queries import get_question, run_question
from test_sync_support import add_row, copy_export

# 3502**********3456 but not P3's number; check digits need not be right (a warning only).
TYPO_ID = "350206199103183456"
OTHER_ID = "350206199203183456"
FEMALE_ID = "350206199303183456"
RAW_IDS = ("350206198001011234", "350206199003183456", TYPO_ID, OTHER_ID, FEMALE_ID)


def write_fixture(tmp: Path) -> Path:
    folder = copy_export(tmp, to="dups")
    units = (("D2", "思明区", "区", "C1"), ("S9", "鹭江街道", "街道", "D2"),
             ("M9", "鹭江社区", "社区", "S9"), ("K9", "鹭江小区", "小区", "M9"))
    for code, name, level, parent in units:
        add_row(folder, "单位", {"单位编码": code, "名称": name, "层级": level,
                               "上级单位编码": parent,
                               "小区类型": "物管小区" if level == "小区" else "",
                               "户数": "100" if level == "小区" else ""})
    add_row(folder, "组织", {"组织编码": "O_CO9", "名称": "鹭江物业", "类型": "物业服务企业",
                           "所在单位编码": "K9", "状态": "正常"})
    people = [
        ("P11", "张叁", "男", "K2", "350206198001011234"),
        ("P13", "王五", "男", "K1", TYPO_ID),
        ("P14", "王五", "男", "K9", OTHER_ID),
        ("P15", "李四", "女", "K1", "350206198802021111"),
        ("P16", "王五", "女", "K2", FEMALE_ID),
    ]
    for code, name, gender, home, raw_id in people:
        add_row(folder, "人员", {"人员编码": code, "姓名": name, "性别": gender, "政治面貌": "群众",
                               "居住单位编码": home, "身份证号": raw_id})
    add_row(folder, "任职", {"人员编码": "P13", "组织编码": "O_OC1", "职务": "委员",
                           "任职类型": "本职", "开始日期": "2022-01-01"})
    add_row(folder, "任职", {"人员编码": "P14", "组织编码": "O_CO9", "职务": "项目经理",
                           "任职类型": "本职", "开始日期": "2022-01-01"})
    return folder


def _brief(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(r["person_code"], r["other_code"], r["matched_by"], r["district_codes"],
             r["person_orgs"], r["other_orgs"]) for r in rows]


def test_duplicate_people_finds_the_known_pairs_only(store: Store, tmp_path: Path) -> None:
    report = sync_export(store, write_fixture(tmp_path))
    assert report.status == "applied", report.errors[:3]
    rows = run_question(store, "duplicate_people", {}).rows
    assert _brief(rows) == [
        ("P1", "P11", "身份证号相同", ["D1"], ["O_BR1", "O_OC1"], []),
        ("P13", "P3", "姓名性别脱敏号相同", ["D1"], ["O_OC1"], ["O_CO1"]),
    ]
    by_pair = {(r["person_code"], r["other_code"]): r for r in rows}
    assert by_pair[("P1", "P11")]["person_name"] == "张三"
    assert by_pair[("P1", "P11")]["other_name"] == "张叁"
    assert by_pair[("P13", "P3")]["id_masked"] == "3502**********3456"
    assert by_pair[("P13", "P3")]["gender"] == "男"
    # placed at the first record's home: P1 lives in K1 (禾盛社区, 湖里街道, 湖里区)
    assert [by_pair[("P1", "P11")][c] for c in ("community_code", "street_code",
                                                  "district_code", "district_name")] == \
        ["M1", "S1", "D1", "湖里区"]
    # scope: D1 sees both pairs, D2 none; the other district's 王五 (P14) never pairs
    assert len(run_question(store, "duplicate_people", {"scope": "D1"}).rows) == 2
    assert run_question(store, "duplicate_people", {"scope": "D2"}).rows == []
    text = repr(rows)
    assert not any(raw in text for raw in RAW_IDS)


def test_duplicate_people_answers_for_the_snapshot(store: Store, tmp_path: Path) -> None:
    """Before the duplicates were added (snapshot 1) there is nothing to report."""
    from test_sync_support import BASIC, set_manifest

    assert sync_export(store, BASIC).status == "applied"
    folder = write_fixture(tmp_path)
    set_manifest(folder, "快照日期", "2024-06-01")
    assert sync_export(store, folder).status == "applied"
    assert len(run_question(store, "duplicate_people", {}).rows) == 2
    # run_question pins the latest snapshot; the question's text takes any $snapshot
    question = get_question("duplicate_people")
    params = {"as_of": "2024-06-01", "scope": None}
    assert len(store.read(question.text, {**params, "snapshot": 2})) == 2
    assert store.read(question.text, {**params, "snapshot": 1}) == []


def test_duplicate_people_scope_starts_from_either_record(store: Store, tmp_path: Path) -> None:
    """A scoped answer starts from the people placed in the scope (home, or a post in a
    body sitting there) and finds their matches anywhere: the pair is in when either
    record has a place there.  Extra people (hand-known):

    - P21 (孙七) and P22 (孙柒): the same ID number, neither placed anywhere → in the
      whole graph's answer, in no scope's.
    - P24 (钱八, no home, a post in O_CO9 at K9 in D2) and P25 (钱捌, home K1 in D1): the
      same ID number → in D2 and K9 through P24's post, in D1 and K1 through P25's home.
    """
    folder = write_fixture(tmp_path)
    for code, name, home, raw_id in (("P21", "孙七", "", "350206197001015678"),
                                     ("P22", "孙柒", "", "350206197001015678"),
                                     ("P24", "钱八", "", "350206196501012222"),
                                     ("P25", "钱捌", "K1", "350206196501012222")):
        add_row(folder, "人员", {"人员编码": code, "姓名": name, "性别": "男", "政治面貌": "群众",
                               "居住单位编码": home, "身份证号": raw_id})
    add_row(folder, "任职", {"人员编码": "P24", "组织编码": "O_CO9", "职务": "项目经理",
                           "任职类型": "本职", "开始日期": "2022-01-01"})
    report = sync_export(store, folder)
    assert report.status == "applied", report.errors[:3]

    def pairs(scope: str | None) -> list[tuple[str, str]]:
        rows = run_question(store, "duplicate_people", {"scope": scope}).rows
        return [(r["person_code"], r["other_code"]) for r in rows]

    everything = run_question(store, "duplicate_people", {}).rows
    assert _brief(everything) == [
        ("P1", "P11", "身份证号相同", ["D1"], ["O_BR1", "O_OC1"], []),
        ("P13", "P3", "姓名性别脱敏号相同", ["D1"], ["O_OC1"], ["O_CO1"]),
        ("P21", "P22", "身份证号相同", [], [], []),
        ("P24", "P25", "身份证号相同", [], ["O_CO9"], []),
    ]
    d1 = [("P1", "P11"), ("P13", "P3"), ("P24", "P25")]
    expected = {"D1": d1, "S1": d1, "M1": d1, "K1": d1,
                "K2": [("P1", "P11"), ("P13", "P3")],
                "D2": [("P24", "P25")], "K9": [("P24", "P25")]}
    seen = {scope: pairs(scope) for scope in expected}
    assert seen == expected, seen
    # a scoped row is the whole graph's row, column for column
    whole = {(r["person_code"], r["other_code"]): r for r in everything}
    for r in run_question(store, "duplicate_people", {"scope": "K9"}).rows:
        assert r == whole[(r["person_code"], r["other_code"])], r
