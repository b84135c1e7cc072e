"""Audit questions with parameters, scopes and dates, on the hand-built audit fixture.

Each question's answer with its defaults is its queries/expected/<name>.jsonl (checked by
tests/test_catalog.py); the tests here pin what one default run cannot show.

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

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redgov.graph.stores.base import Store
from redgov.loaders import sync_export
from redgov.queries import run_question

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
AUDIT_EXPORTS = ("audit_base", "audit_main")  # synced in this order


def synced_store(engine: Any, tag: str) -> Iterator[Store]:
    """A graph holding the audit fixture, synced through the real loader (shared per module)."""
    with engine.fresh_store(f"module fixture {tag}") as store:
        for export in AUDIT_EXPORTS:
            report = sync_export(store, FIXTURES / export)
            assert report.status == "applied", (export, report)
        yield store


@pytest.fixture(scope="module")
def fx(engine: Any) -> Iterator[Store]:
    yield from synced_store(engine, "questions")


def run(store: Store, name: str, **params: Any) -> list[dict[str, Any]]:
    return run_question(store, name, params).rows


# --- R1 -------------------------------------------------------------------------------
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
def test_company_party_org_status_threshold(fx: Store) -> None:
    """With four full members required, CO2 (three, in a joint branch) is no longer 应建未建."""
    got = [r["finding"] for r in run(fx, "company_party_org_status", min_full_members=4)]
    assert got == ["ok", "ok", "未覆盖"], got


# --- R4 -------------------------------------------------------------------------------
def test_owners_committee_party_share_threshold(fx: Store) -> None:
    """A share equal to min_share is enough (OC2 at 0.25); at 0.7 OC1 falls short."""
    got = [r["finding"] for r in run(fx, "owners_committee_party_share", min_share=0.25)]
    assert got == ["ok", "ok", "主任非党员"], got
    got = [r["finding"] for r in run(fx, "owners_committee_party_share", min_share=0.7)]
    assert got == ["党员比例不足", "党员比例不足", "主任非党员"], got


# --- R6 -------------------------------------------------------------------------------
def test_one_shoulder_before_the_chairs_took_office(fx: Store) -> None:
    """Before P12 became OC2's chair (2022-01-01) and P01 OC1's (2022-03-01): vacant chairs."""
    got = [(r["compound_code"], r["chair_code"], r["one_shoulder"])
           for r in run(fx, "one_shoulder", as_of="2021-12-31")]
    assert got == [("CP01", None, False), ("CP02", None, False), ("CP03", "P17", False)], got


# --- R7 -------------------------------------------------------------------------------
def test_cross_appointment_ratio_the_day_before_a_post_ends(fx: Store) -> None:
    """On 2024-06-29 P14 still sits on B2's committee, and CO1 still manages CP02."""
    day_before = [(r["compound_code"], r["committee"], r["cross"], r["ratio"])
                  for r in run(fx, "cross_appointment_ratio", as_of="2024-06-29")]
    assert day_before == [("CP01", 4, 3, 0.75), ("CP02", 3, 1, 0.3333), ("CP03", 3, 1, 0.3333),
                          ("CP08", 1, 0, 0.0)], day_before


# --- R13 ------------------------------------------------------------------------------
def test_overdue_reelection_a_day_later(fx: Store) -> None:
    """The day after OC2's term ends it is overdue by one day; OC3 by 31."""
    got = [(r["committee_code"], r["days_overdue"])
           for r in run(fx, "overdue_reelection", as_of="2024-07-01")]
    assert got == [("OC3", 31), ("OC2", 1)], got


# --- roll-up ----------------------------------------------------------------------------
ROLL = ("unit_code unit_name level compounds with_party_org party_org_rate with_owners_committee "
        "owners_committee_rate with_self_governance governed governance_rate managed managed_rate "
        "with_both one_shoulder one_shoulder_rate committee cross cross_rate")


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


# --- R9, R12, R14 -------------------------------------------------------------------------
def test_branch_committee_size_the_day_before_a_post_ends(fx: Store) -> None:
    """The day before P14's post ends B2 has its 副书记 and a full committee."""
    b2 = run(fx, "branch_committee_size", as_of="2024-06-29")[1]
    assert (b2["deputy_secretaries"], b2["committee"], b2["finding"]) == (1, 3, "ok"), b2


def test_instructor_visits_month_and_as_of(fx: Store) -> None:
    """A given month; visits after as_of are not counted; a January as_of looks at December."""
    def brief(**params: Any) -> list[tuple[str, str, int]]:
        return [(r["company_code"], r["month"], r["visits"])
                for r in run(fx, "instructor_visits", **params)]

    assert brief(month="2024-06") == [("CO1", "2024-06", 0), ("CO2", "2024-06", 1)]
    assert brief(month="2024-06", as_of="2024-06-04") == [("CO1", "2024-06", 0),
                                                          ("CO2", "2024-06", 0)]
    assert brief(as_of="2024-01-15") == [("CO1", "2023-12", 0), ("CO2", "2023-12", 0)]
    assert brief(as_of="2024-11-05") == [("CO1", "2024-10", 0), ("CO2", "2024-10", 0)]


def test_model_project_eligibility_in_2023(fx: Store) -> None:
    """In 2023 CO1 still managed CP02 (its contract ended on 2024-06-30) and had no rating yet."""
    got = [(r["company_code"], r["compound_code"], r["rating_year"], r["black_listed"])
           for r in run(fx, "model_project_eligibility", as_of="2023-06-30")]
    assert got == [("CO1", "CP01", None, False), ("CO1", "CP02", None, False),
                   ("CO2", "CP03", 2023, True), ("CO3", "CP05", 2023, False)], got


# --- data quality -------------------------------------------------------------------------
def test_dq_posts_in_retired_orgs_before_the_latest_export(fx: Store) -> None:
    """Revoked is a state, not dated: a month earlier the same posts are listed."""
    got = run(fx, "dq_posts_in_retired_orgs", as_of="2024-06-01")
    assert got == run(fx, "dq_posts_in_retired_orgs") and len(got) == 2, got


# --- analytics ----------------------------------------------------------------------------
def test_brokers_top(fx: Store) -> None:
    assert [r["person_code"] for r in run(fx, "brokers", scope="CP01", top=1)] == ["P01"]


@pytest.mark.parametrize("scope", [None, "DIST1", "CP01", "ST21"])
def test_holders_read_per_body_equals_the_per_person_read(fx: Store, scope: str | None) -> None:
    """The network questions' one read (per body, regrouped here) gives exactly the holders,
    posts and bodies the per-person text gives, at both snapshots, dates and filters."""
    from redgov.queries.analytics import HOLDERS, read_holders

    for snapshot, as_of in ((None, "2024-06-30"), (None, "2024-06-01"), (1, "2024-06-30")):
        for min_posts, min_bodies in ((0, 1), (0, 2), (1, 1), (2, 1)):
            params = {"as_of": as_of, "scope": scope, "min_posts": min_posts,
                      "min_bodies": min_bodies}
            if snapshot is not None:
                params["snapshot"] = snapshot
            want = [(r["person_code"], r["posts"], sorted(r["org_codes"]))
                    for r in fx.read(HOLDERS, params)]
            got = [(h.code, h.posts, h.orgs) for h in read_holders(
                fx, as_of, scope, min_posts, min_bodies, snapshot=snapshot)]
            assert got == want, (snapshot, as_of, min_posts, min_bodies)
            assert want or min_posts == 2 or scope == "ST21", (scope, snapshot, as_of)


def test_a_network_answer_is_kept_per_snapshot_and_equals_the_computed_one(fx: Store) -> None:
    """Asked twice, the second answer is read back from the store's kept answers
    (graph/summaries.py); both equal the question computed afresh."""
    from redgov.graph.summaries import _READ, summary_key
    from redgov.queries import get_question
    from redgov.queries import kept_answers as ka
    from redgov.queries.runner import as_day, choose_snapshot

    snap = choose_snapshot(fx, None)
    for name, params in (("brokers", {"scope": "DIST1", "top": 0}),
                         ("interlocks", {"scope": "DIST1"}), ("overloaded", {"threshold": 1})):
        first = run_question(fx, name, params)
        again = run_question(fx, name, params)
        q = get_question(name)
        bound = {**first.params, "as_of_day": as_day(first.params["as_of"]),
                 "snapshot": snap.ordinal}
        computed = [{c: r[c] for c in q.column_names} for r in q.compute(fx, bound)]
        assert first.rows == again.rows == computed and computed, (name, again.rows)
        if "scope" in params:
            key = summary_key(f"question.{name}", snap, bound)
            assert fx.read_meta(_READ, {"key": key}), (name, key)
        else:  # unscoped: kept compressed (queries/kept_answers.py)
            key = summary_key(f"answer.{name}", snap, bound)
            assert fx.read_meta(ka._READ, {"key": key}), (name, key)


def test_an_unscoped_answer_kept_for_its_snapshot_and_parameters_is_read_back(
        fx: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """queries/kept_answers.py: asked with ``keep`` (the warm step), an unscoped answer is
    kept under its snapshot and every bound parameter and read back as computed; an entry
    is what a later ask returns (a planted one shows it), another ``as_of`` is its own
    entry, ``use_facts=False`` never reads one, and small fast answers are not kept unless
    asked to."""
    from redgov.graph.summaries import forget, summary_key
    from redgov.queries import kept_answers as ka
    from redgov.queries.runner import as_day, choose_snapshot

    snap = choose_snapshot(fx, None)
    name = "compounds_without_branch"
    monkeypatch.setattr(ka, "MIN_SECONDS", 1e9)  # a loaded machine's slow first read
    forget(fx)
    try:
        computed = run_question(fx, name)  # 3 rows, fast: not kept
        bound = {**computed.params, "as_of_day": as_day(computed.params["as_of"]),
                 "snapshot": snap.ordinal}
        key = summary_key(f"answer.{name}", snap, bound)
        assert computed.rows and not fx.read_meta(ka._READ, {"key": key}), computed.rows
        first = run_question(fx, name, keep=True)
        assert first.rows == computed.rows and fx.read_meta(ka._READ, {"key": key}), key
        assert run_question(fx, name).rows == computed.rows
        # A planted entry is what the next ask reads: the answer comes from the entry.
        planted = [dict(r, compound_name="甲") for r in computed.rows]
        fx.write_meta(ka._WRITE, {"key": key, "z": ka.encode(computed.columns, planted),
                                  "kind": f"answer.{name}", "run_id": snap.run_id,
                                  "ordinal": snap.ordinal, "at": "x"})
        assert run_question(fx, name).rows == planted
        assert run_question(fx, name, use_facts=False).rows == computed.rows
        # Another date is another entry, computed for that date.
        older = run_question(fx, name, {"as_of": "2022-12-31"})
        assert older.rows == run_question(fx, name, {"as_of": "2022-12-31"},
                                          use_facts=False).rows != planted, older.rows
        # A large answer (here: any) is kept without being asked to.
        monkeypatch.setattr(ka, "MIN_ROWS", 1)
        again = run_question(fx, name, {"as_of": "2024-06-01"})
        bound_again = {**again.params, "as_of_day": as_day("2024-06-01"),
                       "snapshot": snap.ordinal}
        assert fx.read_meta(ka._READ, {"key": summary_key(f"answer.{name}", snap,
                                                         bound_again)}), again.rows
    finally:
        forget(fx)


def test_a_scoped_answer_narrowed_from_the_kept_whole_equals_the_computed_one(
        fx: Store) -> None:
    """queries/scoped_answers.py: with the unscoped answer kept, the scoped answer of
    ``dq_dual_primary_posts`` and ``dq_unaffiliated_party_orgs`` is narrowed from it; at
    every unit of both snapshots it equals the question's text run with that scope (a
    city scope is left to the text)."""
    from redgov.dashboard.reads import units
    from redgov.graph.snapshots import list_snapshots
    from redgov.graph.summaries import forget
    from redgov.queries import get_question
    from redgov.queries.runner import as_day
    from redgov.queries.scoped_answers import BY_PLACE, narrowed

    forget(fx)
    try:
        seen = 0
        for snap in list_snapshots(fx.read):
            codes = [(u["code"], u["level"]) for u in units(fx)]
            # The first two narrowed by place; all of them: tests/test_compound_facts.py.
            for name in ("dq_dual_primary_posts", "dq_unaffiliated_party_orgs"):
                assert name in BY_PLACE, name
                q = get_question(name)
                whole = run_question(fx, name, snapshot=snap, keep=True)
                for code, level in codes:
                    bound = {**whole.params, "scope": code,
                             "as_of_day": as_day(whole.params["as_of"]),
                             "snapshot": snap.ordinal}
                    got = narrowed(fx, name, snap, q.column_names, bound)
                    want = run_question(fx, name, {"scope": code}, snapshot=snap,
                                        use_facts=False).rows
                    if level == "city":
                        assert got is None, (name, code)
                        continue
                    assert got == want, (name, snap.ordinal, code, got, want)
                    assert run_question(fx, name, {"scope": code}, snapshot=snap).rows == want
                    seen += len(want)
        assert seen, "no scoped row anywhere: the comparison proved nothing"
    finally:
        forget(fx)


def test_a_large_kept_answer_is_decoded_aside_and_then_narrowed(
        fx: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """queries/place_answers.py: an entry over ``NOW_CHARS`` is decoded on a thread of its
    own; the ask that started it, and any ask meanwhile, is answered by the text (None
    here), a later one from the decoded copy, equal to the text's answer."""
    import time

    from redgov.graph.snapshots import list_snapshots
    from redgov.graph.summaries import forget
    from redgov.queries import get_question, place_answers
    from redgov.queries.runner import as_day

    monkeypatch.setattr(place_answers, "NOW_CHARS", 0)
    place_answers.forget()
    forget(fx)
    try:
        snap = list_snapshots(fx.read)[-1]
        name, q = "compounds_without_branch", get_question("compounds_without_branch")
        whole = run_question(fx, name, snapshot=snap, keep=True)
        bound = {**whole.params, "scope": "DIST1", "as_of_day": as_day(whole.params["as_of"]),
                 "snapshot": snap.ordinal}
        assert place_answers.by_place(fx, name, snap, q.column_names, bound) is None
        for _ in range(200):
            if not place_answers._DECODING:
                break
            time.sleep(0.05)
        got = place_answers.by_place(fx, name, snap, q.column_names, bound)
        want = run_question(fx, name, {"scope": "DIST1"}, snapshot=snap, use_facts=False).rows
        assert got == want and want, (got, want)
    finally:
        place_answers.forget()
        forget(fx)


def test_a_large_answer_kept_by_district_is_narrowed_from_its_part_alone(
        fx: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """queries/place_answers.py: a large answer (here: any, ``PART_ROWS`` 0) is also kept
    split by district with a head; a process holding nothing answers each unit's scope
    from its district's part alone (the whole entry is never read), equal to the text's
    answer; a district the head does not list answers no rows; a damaged part falls back
    to the whole."""
    from redgov.dashboard.reads import units
    from redgov.graph.snapshots import list_snapshots
    from redgov.graph.summaries import forget
    from redgov.queries import get_question, kept_answers, place_answers
    from redgov.queries.runner import as_day

    monkeypatch.setattr(place_answers, "PART_ROWS", 0)
    place_answers.forget()
    forget(fx)
    snap = list_snapshots(fx.read)[-1]
    places = [(u["code"], u["level"]) for u in units(fx) if u["level"] != "city"]
    whole_reads: list[str] = []
    real_held = place_answers._held

    def held(store: Store, name: str, *args: Any) -> Any:
        whole_reads.append(name)
        return real_held(store, name, *args)

    monkeypatch.setattr(place_answers, "_held", held)
    try:
        # Nothing kept: one read finds that, the whole is not asked for, the text answers.
        q = get_question("compounds_without_branch")
        bound = {**run_question(fx, "compounds_without_branch", snapshot=snap).params,
                 "snapshot": snap.ordinal, "scope": "DIST1"}
        bound["as_of_day"] = as_day(bound["as_of"])
        assert place_answers.by_place(fx, q.name, snap, q.column_names, bound) is None
        assert whole_reads == []
        seen = empty = 0
        for name in sorted({*place_answers.PLACE_COLUMNS, *place_answers.BY_ANCESTRY}):
            q = get_question(name)
            whole = run_question(fx, name, snapshot=snap, keep=True)
            params = {**whole.params, "as_of_day": as_day(whole.params["as_of"]),
                      "snapshot": snap.ordinal}
            head = kept_answers.read_kept_text(fx, name, snap, {**params, "part": "*"})
            assert (head is not None) == bool(whole.rows), name
            for code, level in places:
                if name in place_answers.BY_ANCESTRY and level == "compound":
                    continue
                place_answers.forget()
                got = place_answers.by_place(fx, name, snap, q.column_names,
                                             {**params, "scope": code})
                want = run_question(fx, name, {"scope": code}, snapshot=snap,
                                    use_facts=False).rows
                assert got == want, (name, code, got, want)
                seen += len(want)
                empty += bool(whole.rows) and not want and level == "district"
            if whole.rows:  # split: every scope answered from a part or the head alone
                assert whole_reads == [], (name, whole_reads)
            whole_reads.clear()
        assert seen and empty, (seen, empty)  # rows compared, and a district without any
        # A damaged part: the whole answers, the same rows.
        name, q = "compounds_without_branch", get_question("compounds_without_branch")
        whole = run_question(fx, name, snapshot=snap, keep=True)
        params = {**whole.params, "as_of_day": as_day(whole.params["as_of"]),
                  "snapshot": snap.ordinal}
        kept_answers._write(fx, kept_answers.summary_key(
            "answer." + name, snap, {**params, "part": "DIST1"}), name, snap, "not an entry")
        place_answers.forget()
        got = place_answers.by_place(fx, name, snap, q.column_names, {**params, "scope": "DIST1"})
        assert whole_reads == [name]
        want = run_question(fx, name, {"scope": "DIST1"}, snapshot=snap, use_facts=False).rows
        assert got == want and want, (got, want)
    finally:
        place_answers.forget()
        forget(fx)


def test_a_held_answer_shares_each_repeated_text() -> None:
    """queries/place_answers.py holds a decoded answer with one object per distinct text
    of a column (a province's nineteen answers: 298 → 141 MiB), values unchanged."""
    from redgov.queries.place_answers import _whole

    columns = ["code", "district_code", "street_code", "community_code", "n"]
    values = [[f"C{i}" for i in range(6)], ["D1"] * 6,
              [json.loads('"S1"') for _ in range(6)], ["M1", "M2", None, "M1", "M2", "M1"],
              [1, 2, 3, 1.5, None, True]]
    assert values[2][0] is not values[2][1]  # decoded JSON: a new string per cell
    whole = _whole(columns, [list(c) for c in values], "code")
    assert whole is not None and [list(c) for c in whole.values] == values
    streets = whole.values[2]
    assert all(s is streets[0] for s in streets)
    assert whole.values[3][0] is whole.values[3][3] is whole.values[3][5]
    assert whole.rows("M2") == [{c: v[i] for c, v in zip(columns, values, strict=True)}
                                for i in (1, 4)]


def test_overloaded_scope_and_threshold(fx: Store) -> None:
    """Within CP01 P01 holds three posts (SQ111 sits at the community): more than 2."""
    got = [(r["person_code"], r["posts"]) for r in run(fx, "overloaded", scope="CP01", threshold=2)]
    assert got == [("P01", 3)], got
