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

from redgov.graph.cypher import cypher
from redgov.graph.stores.base import Store
from redgov.loaders import sync_export
from redgov.queries import get_question, run_question
from test_sync_support import add_row, copy_export, read_rows, set_manifest

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
    from test_sync_support import BASIC

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
    # With the whole answer kept (the warm step), a scoped answer is narrowed from it
    # (queries/scoped_answers.py): the same pairs, rows and order as the text's.
    from redgov.graph.snapshots import list_snapshots
    from redgov.queries.runner import as_day
    from redgov.queries.scoped_answers import narrowed

    kept = run_question(store, "duplicate_people", {}, keep=True)
    snap = list_snapshots(store.read)[-1]
    columns = get_question("duplicate_people").column_names
    for scope, want in expected.items():
        bound = {**kept.params, "scope": scope, "as_of_day": as_day(kept.params["as_of"]),
                 "snapshot": snap.ordinal}
        got = narrowed(store, "duplicate_people", snap, columns, bound)
        assert got is not None and [(r["person_code"], r["other_code"]) for r in got] == want, \
            (scope, got)
        assert got == run_question(store, "duplicate_people", {"scope": scope},
                                   use_facts=False).rows, scope
    assert pairs("D2") == expected["D2"], pairs("D2")


# --- the loader's keys and marks (loaders/duplicates.py) ----------------------------------
_VERSIONS = cypher("test.dup.versions", """
MATCH (p:Person)
RETURN p.code AS code, p.vf AS vf, p.name AS name, p.gender AS gender,
       p.id_masked AS masked, p.dup_key AS dup_key, p.dup_shared AS shared, p.sig AS sig
ORDER BY code, vf
""")
_RUN_FLAGS = cypher("test.dup.run_flags",
                    "MATCH (r:SyncRun) RETURN r.ordinal AS ordinal, r.dup_marks AS marks "
                    "ORDER BY ordinal")
# What a graph written before the keys existed holds: no dup_key, no marks, no flag.  One
# property a text, and only where it is (FalkorDB 4.16's REMOVE of two properties, one of
# them absent, removes another one instead).
_FORGET = tuple(cypher(f"test.dup.forget_{prop}",
                       f"MATCH (n:{label}) WHERE n.{prop} IS NOT NULL REMOVE n.{prop} "
                       "RETURN count(n) AS n")
                for label, prop in (("Person", "dup_key"), ("Person", "dup_shared"),
                                    ("SyncRun", "dup_marks")))


def _answers(store: Store, snapshots: tuple[int, ...]) -> dict[tuple[int, str | None], Any]:
    """Every row of the question at each snapshot, unscoped and per district."""
    text = get_question("duplicate_people").text
    return {(s, scope): store.read(text, {"snapshot": s, "as_of": "2024-06-30", "scope": scope})
            for s in snapshots for scope in (None, "D1", "D2", "K9")}


def test_dup_key_is_stored_but_not_signed(store: Store, tmp_path: Path) -> None:
    """Every person with a masked ID carries the loader's key (the digest of name, gender
    and masked ID), never raw data, and a signature that does not cover it."""
    from redgov.loaders.duplicates import dup_key
    from redgov.loaders.records import signature
    from redgov.loaders.schema import PEOPLE, build, signature_values

    assert sync_export(store, write_fixture(tmp_path)).status == "applied"
    rows = store.read(_VERSIONS)
    with_id = [r for r in rows if r["masked"]]
    assert len(with_id) == 8 and len(rows) == 9, rows  # P4 has no ID number
    for r in rows:
        assert r["dup_key"] == dup_key(r["name"], r["gender"], r["masked"]), r
        assert r["dup_key"] is None or (len(r["dup_key"]) == 32 and r["dup_key"].isalpha()), r
    # P3 and P13 (王五, 男, 3502**********3456) share the key; P16 (女) does not
    keys = {r["code"]: r["dup_key"] for r in rows}
    assert keys["P3"] == keys["P13"] != keys["P16"]
    assert not any(raw in repr(rows) for raw in RAW_IDS)
    _, values, extra = build(PEOPLE, {"人员编码": "P1", "姓名": "张三", "性别": "男",
                                      "政治面貌": None, "党组织编码": None,
                                      "居住单位编码": None, "身份证号": RAW_IDS[0],
                                      "手机号": None}, None)
    assert values["dup_key"] is not None
    without = {k: v for k, v in values.items() if k != "dup_key"}
    assert signature(signature_values(PEOPLE.name, values, extra)) == \
        signature(signature_values(PEOPLE.name, without, extra))


def test_marks_follow_the_versions(store: Store, tmp_path: Path) -> None:
    """A pair is found in every snapshot where both records are current, though only the
    version written later is marked: P13 joins P3 (snapshot 1, both marked), P13's phone
    changes (snapshot 2: only P13's new version is written and marked; P3 keeps its
    version), P13 leaves (snapshot 3: no pair, the earlier snapshots keep theirs)."""
    from test_sync_support import drop_rows, set_cell

    folder = write_fixture(tmp_path)
    set_manifest(folder, "快照日期", "2024-06-01")
    assert sync_export(store, folder).status == "applied"
    p13 = next(i for i, row in enumerate(read_rows(folder, "人员"), 1) if row[0] == "P13")
    set_cell(folder, "人员", p13, "手机号", "13900002222")
    set_manifest(folder, "快照日期", "2024-06-15")
    assert sync_export(store, folder).status == "applied"
    drop_rows(folder, "人员", lambda r: r["人员编码"] != "P13")
    drop_rows(folder, "任职", lambda r: r["人员编码"] != "P13")
    set_manifest(folder, "快照日期", "2024-06-30")
    assert sync_export(store, folder).status == "applied"

    marks = {(r["code"], r["vf"]): r["shared"] for r in store.read(_VERSIONS)
             if r["code"] in ("P3", "P13")}
    # P3's one version marked at snapshot 1; P13's retired version is a copy of the last
    assert marks == {("P3", 1): 1, ("P13", 1): 1, ("P13", 2): 1, ("P13", 3): 1}, marks
    answers = _answers(store, (1, 2, 3))
    pairs = {k: [(r["person_code"], r["other_code"]) for r in v] for k, v in answers.items()}
    for snapshot in (1, 2):
        assert pairs[(snapshot, None)] == [("P1", "P11"), ("P13", "P3")], pairs
        assert pairs[(snapshot, "D1")] == [("P1", "P11"), ("P13", "P3")], pairs
    assert pairs[(3, None)] == pairs[(3, "D1")] == [("P1", "P11")], pairs
    assert [r["marks"] for r in store.read(_RUN_FLAGS)] == [1, 1, 1]


def test_a_graph_written_before_the_keys(store: Store, tmp_path: Path) -> None:
    """A graph written before the loader kept keys (none on any person, no run flagged):
    the question falls back to grouping the whole graph, with the same rows; the next sync
    that writes anything backfills keys and marks on every version (re-versioning nobody:
    the key is not signed) and flags its run; the answers, at every snapshot, stay."""
    from test_sync_support import BASIC

    assert sync_export(store, BASIC).status == "applied"
    folder = write_fixture(tmp_path)
    set_manifest(folder, "快照日期", "2024-06-01")
    assert sync_export(store, folder).status == "applied"
    keyed = _answers(store, (1, 2))
    assert len(keyed[(2, None)]) == 2 and keyed[(1, None)] == [], keyed
    versions = store.read(_VERSIONS)

    with store.writing() as w:  # as an earlier redgov left it
        for text in _FORGET:
            w.run(text)
    assert [(r["code"], r["vf"], r["sig"], r["dup_key"], r["shared"])
            for r in store.read(_VERSIONS)] == \
        [(r["code"], r["vf"], r["sig"], None, None) for r in versions]
    assert _answers(store, (1, 2)) == keyed  # the fallback

    add_row(folder, "单位", {"单位编码": "K8", "名称": "新建小区", "层级": "小区",
                           "上级单位编码": "M9", "小区类型": "物管小区", "户数": "10"})
    set_manifest(folder, "快照日期", "2024-06-30")
    report = sync_export(store, folder)
    assert report.status == "applied", report.errors[:3]
    after = store.read(_VERSIONS)
    # no person re-versioned: the same versions, the same signatures, keys back
    assert [(r["code"], r["vf"], r["sig"], r["dup_key"]) for r in after] == \
        [(r["code"], r["vf"], r["sig"], r["dup_key"]) for r in versions]
    assert {r["code"] for r in after if r["shared"]} == {"P1", "P11", "P3", "P13", "P14"}
    assert [r["marks"] for r in store.read(_RUN_FLAGS)] == [None, None, 1]
    again = _answers(store, (1, 2, 3))
    assert {k: v for k, v in again.items() if k[0] < 3} == keyed
    assert again[(3, None)] == keyed[(2, None)]


def test_an_overlapped_first_sync_marks_what_a_sequential_one_marks(
    engine: Any, tmp_path: Path, monkeypatch: Any,
) -> None:
    """The validation worker counts the people's keys and hands over only the shared ones
    (loaders/duplicates.KeyCounts): the marks, keys and answers equal a sequential sync's,
    and the sequential one's, counted while scanning, equal the people's own pairs."""
    from redgov.loaders.overlap import OVERLAP_ENV
    from redgov.loaders.spool import CHUNK_ENV

    folder = write_fixture(tmp_path)
    monkeypatch.setenv(CHUNK_ENV, "4")  # the people stream in chunks of four
    seen = {}
    for mode in ("off", "on"):
        monkeypatch.setenv(OVERLAP_ENV, mode)
        with engine.fresh_store(f"dups {mode}") as store:
            report = sync_export(store, folder)
            assert report.status == "applied", report.errors[:3]
            assert ("wait_for_validation_s" in report.split) == (mode == "on"), report.split
            seen[mode] = ([(r["code"], r["vf"], r["dup_key"], r["shared"])
                           for r in store.read(_VERSIONS)],
                          _brief(run_question(store, "duplicate_people", {}).rows))
    marked = sorted(code for code, _, _, shared in seen["on"][0] if shared == 1)
    # P14 shares P3's and P13's dup_key (another district: a hint the question rechecks)
    assert marked == ["P1", "P11", "P13", "P14", "P3"], seen["on"][0]
    assert seen["on"] == seen["off"], seen
