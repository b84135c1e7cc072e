"""The demo export: exact format, determinism, Huli calibration, validity, seeded findings.

Everything here reads the CSV files the generator wrote (no database); the counting
definitions are those of ``redgov.loaders.demo.measure`` and, for the findings, spelt out
again in each test so a generator change that silently drops a case fails here.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner
from redgov.graph.vocabulary import normalise_role
from redgov.loaders.demo import generate
from redgov.loaders.demo.measure import measure
from redgov.loaders.demo.personal import id_check

from redgov.cli import main


def _doc_headers() -> dict[str, list[str]]:
    """The headers docs/registry.md's column tables list (generated from loaders/schema.py
    and checked against it by test_schema): the generator must write exactly these."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "registry.md").read_text("utf-8")
    out: dict[str, list[str]] = {"清单": ["项目", "值"]}
    table = None
    for line in text.splitlines():
        if line.startswith("#### "):
            table = line[5:].split(" ")[0]
            out[table] = []
        elif table and line.startswith("| `"):
            out[table].append(line.split("`")[1])
    return out


REGISTRY_HEADERS = _doc_headers()
HULI = {  # docs/domain.md §6
    "streets": 5, "communities": 59, "compounds": 510, "compound_branches": 444,
    "managed_compounds": 359, "managed_share": 0.72, "owners_committee_compounds": 331,
    "owners_committee_share": 0.645, "companies_with_party_org": 42, "one_shoulder": 68,
    "party_member_chairs": 159,
}
PARTY = ("党委", "党总支", "党支部")
MEMBER = ("中共党员", "中共预备党员")
PARENT_LEVEL = {"区": ("市",), "县": ("市",), "街道": ("区", "县"), "乡镇": ("区", "县"),
                "社区": ("街道", "乡镇"), "小区": ("社区",)}


def rows(folder: Path, table: str) -> list[dict[str, str]]:
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


class Export:
    """All tables of one export, with the lookups the checks need."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.t = {name: rows(folder, name) for name in REGISTRY_HEADERS}
        self.manifest = {r["项目"]: r["值"] for r in self.t["清单"]}
        self.as_of = self.manifest["快照日期"]
        self.units = {u["单位编码"]: u for u in self.t["单位"]}
        self.orgs = {o["组织编码"]: o for o in self.t["组织"]}
        self.people = {p["人员编码"]: p for p in self.t["人员"]}
        self.compounds = {c for c, u in self.units.items() if u["层级"] == "小区"}
        self.active_posts = [p for p in self.t["任职"] if self.active(p)]
        self.posts_in: dict[str, list[dict[str, str]]] = defaultdict(list)
        self.posts_of: dict[str, list[dict[str, str]]] = defaultdict(list)
        for p in self.active_posts:
            self.posts_in[p["组织编码"]].append(p)
            self.posts_of[p["人员编码"]].append(p)

    def active(self, row: dict[str, str]) -> bool:
        start, end = row.get("开始日期", ""), row.get("结束日期", "")
        return (not start or start <= self.as_of) and (not end or self.as_of < end)

    def kind(self, kind: str) -> list[dict[str, str]]:
        return [o for o in self.t["组织"] if o["类型"] == kind and o["状态"] == "正常"]

    def party_orgs_of(self, code: str) -> list[dict[str, str]]:
        return [o for o in self.t["组织"] if o["类型"] in PARTY and o["状态"] == "正常"
                and code in o["依托主体编码"].split(";")]

    def holders(self, org: str, role: str) -> list[str]:
        return [p["人员编码"] for p in self.posts_in[org] if normalise_role(p["职务"]) == role]


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("demo") / "district"
    return generate(folder, scale="district", seed=1), Export(folder)


def test_every_table_has_exactly_the_registry_headers(district) -> None:
    _, ex = district
    for name, want in REGISTRY_HEADERS.items():
        with (ex.folder / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
            got = next(csv.reader(fh))
        assert got == want, (name, got)
    raw = (ex.folder / "单位.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "plain UTF-8"


def test_headers_match_the_loaders_declarations() -> None:
    tables = pytest.importorskip("redgov.loaders.tables")
    for name, table in tables.TABLES.items():
        assert set(table.headers) == set(REGISTRY_HEADERS[name]), name


def test_manifest_is_a_full_version_1_snapshot(district) -> None:
    summary, ex = district
    assert ex.manifest["类型"] == "全量"
    assert ex.manifest["版本"] == "1"
    assert ex.manifest["快照日期"] == "2024-12-31" == summary.snapshot_date
    assert ex.manifest["导出时间"] == summary.exported_at
    assert ex.manifest["来源"].startswith("redgov")


def test_same_seed_same_bytes_other_seed_other_bytes(district, tmp_path: Path) -> None:
    _, ex = district
    generate(tmp_path / "again", seed=1)
    generate(tmp_path / "other", seed=2)
    for name in REGISTRY_HEADERS:
        first = (ex.folder / f"{name}.csv").read_bytes()
        assert (tmp_path / "again" / f"{name}.csv").read_bytes() == first, name
    for name in ("人员", "组织", "任职", "清单"):
        assert (tmp_path / "other" / f"{name}.csv").read_bytes() != (
            ex.folder / f"{name}.csv").read_bytes(), name


def test_bytes_do_not_depend_on_the_process_hash_seed(district, tmp_path: Path) -> None:
    """Iterating a set of strings would make the files differ between processes."""
    _, ex = district
    code = ("from pathlib import Path; from redgov.loaders.demo import generate; "
            f"generate(Path({str(tmp_path / 'sub')!r}), seed=1)")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)
    for name in REGISTRY_HEADERS:
        assert (tmp_path / "sub" / f"{name}.csv").read_bytes() == (
            ex.folder / f"{name}.csv").read_bytes(), name


def test_district_is_calibrated_to_huli_within_5_percent(district) -> None:
    summary, ex = district
    got = measure(ex.folder)
    got["streets"] = got["levels"]["街道"]
    got["communities"] = got["levels"]["社区"]
    off = {k: (got[k], want) for k, want in HULI.items() if abs(got[k] - want) > 0.05 * want}
    assert off == {}, off
    # the generator's own account agrees with the recount exactly
    for key in ("compounds", "compound_branches", "compounds_covered", "managed_compounds",
                "owners_committee_compounds", "companies", "companies_with_party_org",
                "one_shoulder", "party_member_chairs", "people"):
        assert getattr(summary, key) == got[key], (key, getattr(summary, key), got[key])
    assert got["compounds_covered"] > got["compound_branches"]  # joint branches cover several
    assert summary.rows == {k: len(v) for k, v in ex.t.items() if k != "清单"}


def test_references_resolve_and_levels_nest(district) -> None:
    _, ex = district
    for table, key in (("单位", "单位编码"), ("组织", "组织编码"), ("人员", "人员编码")):
        codes = Counter(r[key] for r in ex.t[table])
        assert [c for c, n in codes.items() if n > 1] == [], table
    assert set(ex.units).isdisjoint(ex.orgs) and set(ex.orgs).isdisjoint(ex.people)
    roots = [u for u in ex.t["单位"] if not u["上级单位编码"]]
    assert [u["层级"] for u in roots] == ["市"]
    for u in ex.t["单位"]:
        if u["上级单位编码"]:
            assert ex.units[u["上级单位编码"]]["层级"] in PARENT_LEVEL[u["层级"]], u
        if u["层级"] == "小区":
            assert u["小区类型"] and int(u["户数"]) > 0, u
    party_side = {"组织部", "党委", "党工委", "党总支", "党支部", "党的工作小组", "党小组",
                  "行业党委"}
    for o in ex.t["组织"]:
        assert o["所在单位编码"] in ex.units, o
        if o["隶属组织编码"]:
            assert o["类型"] in party_side and o["隶属组织编码"] in ex.orgs, o
        for code in filter(None, o["依托主体编码"].split(";")):
            assert code in ex.units or code in ex.orgs, o
        if o["成立日期"] and o["届满日期"]:
            assert o["成立日期"] < o["届满日期"], o
    for p in ex.t["人员"]:
        assert not p["党组织编码"] or ex.orgs[p["党组织编码"]]["类型"] in party_side, p
        assert not p["居住单位编码"] or ex.units[p["居住单位编码"]]["层级"] == "小区", p
        pid = p["身份证号"]
        assert len(pid) == 18 and pid[:2] == "35" and id_check(pid[:17]) == pid[17], p
        assert (int(pid[16]) % 2 == 1) == (p["性别"] == "男"), p
        assert len(p["手机号"]) == 11 and 2 <= len(p["姓名"]) <= 4, p
    assert len({p["身份证号"] for p in ex.t["人员"]}) == len(ex.t["人员"])
    for p in ex.t["任职"]:
        assert p["人员编码"] in ex.people and p["组织编码"] in ex.orgs, p
        assert p["任职类型"] in ("本职", "兼任") and normalise_role(p["职务"]), p
        assert not p["结束日期"] or p["开始日期"] < p["结束日期"], p
    keys = Counter((p["人员编码"], p["组织编码"], normalise_role(p["职务"]), p["开始日期"])
                   for p in ex.t["任职"])
    assert [k for k, n in keys.items() if n > 1] == []
    companies = {o["组织编码"] for o in ex.kind("物业服务企业")}
    for s in ex.t["监管"]:
        assert s["监管方编码"] in ex.orgs or s["监管方编码"] in ex.people, s
        assert s["被监管方编码"] in ex.orgs or s["被监管方编码"] in ex.units, s
    for c in ex.t["物业服务"]:
        assert c["企业编码"] in companies and c["小区编码"] in ex.compounds, c
        assert not c["结束日期"] or c["开始日期"] < c["结束日期"], c
    for v in ex.t["走访"]:
        assert v["人员编码"] in ex.people and v["组织编码"] in companies, v
        assert v["日期"] <= ex.as_of
    assert all(r["企业编码"] in companies for r in ex.t["评价"])
    assert len({tuple(v.values()) for v in ex.t["走访"]}) == len(ex.t["走访"])


def test_names_look_chinese_and_varied(district) -> None:
    _, ex = district
    surnames = Counter(p["姓名"][0] for p in ex.t["人员"])
    assert surnames.most_common(2)[0][0] in "陈林" and len(surnames) > 40, surnames.most_common(5)
    compound_names = [u["名称"] for u in ex.t["单位"] if u["层级"] == "小区"]
    assert len(set(compound_names)) == len(compound_names)
    assert {"湖里街道", "殿前街道", "禾山街道", "江头街道", "金山街道"} == {
        u["名称"] for u in ex.t["单位"] if u["层级"] == "街道"}
    assert all(o["名称"].endswith(("物业服务有限公司", "物业管理有限公司"))
               for o in ex.kind("物业服务企业"))
    kinds = {o["类型"] for o in ex.t["组织"]}
    assert kinds >= {"组织部", "党委", "党工委", "党总支", "党支部", "党的工作小组", "行业党委",
                     "物业服务企业", "业主委员会", "业主监督委员会", "自治组织", "居民委员会",
                     "行业主管部门", "街道办事处", "志愿服务队"}, kinds
    standings = Counter(p["政治面貌"] for p in ex.t["人员"])
    assert {"中共党员", "中共预备党员", "群众"} <= set(standings) and len(standings) >= 6
    starts = {p["开始日期"][:4] for p in ex.t["任职"]}
    assert {str(y) for y in range(2015, 2025)} <= starts
    assert any(p["结束日期"] for p in ex.t["任职"])


def test_the_generator_seeds_every_kind_of_finding(district) -> None:
    summary, _ = district
    want = {"gap_r1_group_without_instructor", "gap_r1_nothing", "gap_r1_qualified",
            "gap_r2_no_instructor", "gap_r2_should_build", "gap_r3_wrong_level",
            "gap_r4_low_share", "gap_r4_non_member_chair", "gap_r5_no_body", "gap_r8_manager",
            "gap_r8_owners", "gap_r9_no_deputy", "gap_r9_size", "gap_r11_community",
            "gap_r11_street", "gap_r12_short", "gap_r13_expired", "gap_unaffiliated_branch",
            "gap_dq_dual_primary", "gap_dq_post_in_revoked"}
    missing = {k for k in want if summary.gaps.get(k, 0) < 1}
    assert missing == set(), missing


def test_r1_compounds_without_a_party_organisation(district) -> None:
    """Uncovered compounds: with a work group and instructor, without instructor, with
    nothing; and some with ≥ 3 resident full members (qualified to build a branch)."""
    _, ex = district
    uncovered = [c for c in sorted(ex.compounds) if not ex.party_orgs_of(c)]
    groups = {o["依托主体编码"]: o["组织编码"] for o in ex.kind("党的工作小组")}
    guided = {s["被监管方编码"] for s in ex.t["监管"] if s["监管类型"] == "党建指导"}
    with_instructor = [c for c in uncovered if c in groups and c in guided
                       and ex.holders(groups[c], "instructor")]
    without = [c for c in uncovered if c in groups and c not in guided]
    nothing = [c for c in uncovered if c not in groups]
    full = Counter(p["居住单位编码"] for p in ex.t["人员"] if p["政治面貌"] == "中共党员")
    qualified = [c for c in uncovered if full[c] >= 3]
    assert with_instructor and without and nothing and qualified, (
        len(with_instructor), len(without), len(nothing), len(qualified))
    assert len(uncovered) < 0.1 * len(ex.compounds)


def _company_staff(ex: Export, company: str) -> list[str]:
    return [p["人员编码"] for p in ex.posts_in[company] if p["任职类型"] == "本职"]


def test_r2_r3_company_party_organisations(district) -> None:
    _, ex = district
    guided = {s["被监管方编码"] for s in ex.t["监管"] if s["监管类型"] == "党建指导"}
    should, bare, formations = [], [], Counter()
    for co in ex.kind("物业服务企业"):
        code = co["组织编码"]
        orgs = ex.party_orgs_of(code)
        formations.update(o["组建方式"] for o in orgs)
        members = sum(ex.people[p]["政治面貌"] == "中共党员" for p in _company_staff(ex, code))
        if not orgs and members >= 3:
            should.append(code)
        if not orgs and members == 0 and code not in guided:
            bare.append(code)
    assert should and bare, (should, bare)
    assert formations["单独建"] and formations["联合建"] and formations["挂靠"], formations
    wrong = []
    for o in ex.kind("党支部"):
        built = o["依托主体编码"].split(";")
        if any(ex.orgs.get(b, {}).get("类型") == "物业服务企业" for b in built):
            parent = ex.orgs[o["隶属组织编码"]]
            if ex.units[parent["所在单位编码"]]["层级"] != "社区":
                wrong.append(o["组织编码"])
    assert wrong, "a company branch affiliated above its community (R3)"


def test_r4_r6_r7_r13_owners_committees(district) -> None:
    _, ex = district
    non_member_chair, low_share, expired, chair_on_big_committee = [], [], [], []
    for oc in ex.kind("业主委员会"):
        code = oc["组织编码"]
        members = {p["人员编码"] for p in ex.posts_in[code]}
        chairs = ex.holders(code, "director")
        assert len(chairs) == 1, code
        standing = ex.people[chairs[0]]["政治面貌"]
        share = sum(ex.people[m]["政治面貌"] in MEMBER for m in members) / len(members)
        if standing not in MEMBER:
            non_member_chair.append(code)
        elif share < 0.3:
            low_share.append(code)
        if oc["届满日期"] < ex.as_of:
            expired.append(code)
        if any(normalise_role(p["职务"]) == "concurrent_member" for p in ex.posts_of[chairs[0]]):
            chair_on_big_committee.append(code)
    assert non_member_chair and low_share and expired and chair_on_big_committee
    assert 0.03 < len(expired) / len(ex.kind("业主委员会")) < 0.2
    one_shoulder = set(_one_shoulder(ex))
    assert len(one_shoulder) == 68
    kinds = Counter(p["任职类型"] for p in ex.active_posts if normalise_role(p["职务"]) in (
        "secretary", "director") and p["人员编码"] in one_shoulder)
    assert kinds["本职"] and kinds["兼任"], kinds  # 一肩挑 modelled both ways round


def _one_shoulder(ex: Export) -> list[str]:
    out = []
    for oc in ex.kind("业主委员会"):
        chair = ex.holders(oc["组织编码"], "director")[0]
        for b in ex.party_orgs_of(oc["所在单位编码"]):
            if chair in ex.holders(b["组织编码"], "secretary"):
                out.append(chair)
    return out


def test_r5_compounds_with_neither_committee_nor_self_governance(district) -> None:
    _, ex = district
    bodies = {o["所在单位编码"] for o in ex.kind("业主委员会") + ex.kind("自治组织")}
    gaps = [c for c in ex.compounds if c not in bodies]
    no_oc = [c for c in ex.compounds if c not in {o["所在单位编码"] for o in ex.kind("业主委员会")}]
    assert gaps and len(gaps) < 0.3 * len(no_oc), (len(gaps), len(no_oc))


def test_r8_supervisory_committees_and_independence(district) -> None:
    _, ex = district
    sizes, violations = Counter(), 0
    for sc in ex.kind("业主监督委员会"):
        members = {p["人员编码"] for p in ex.posts_in[sc["组织编码"]]}
        sizes[len(members)] += 1
        elsewhere = {p["组织编码"] for m in members for p in ex.posts_of[m]} - {sc["组织编码"]}
        kinds = {ex.orgs[o]["类型"] for o in elsewhere}
        violations += bool(kinds & {"业主委员会", "物业服务企业"})
    assert violations >= 2 and sizes[3] and sizes[5], (violations, sizes)


def test_r9_compound_branch_committees_of_the_wrong_size(district) -> None:
    _, ex = district
    wrong = ok = 0
    for o in ex.t["组织"]:
        if o["类型"] in PARTY and o["状态"] == "正常" and set(
                o["依托主体编码"].split(";")) & ex.compounds:
            roles = Counter(normalise_role(p["职务"]) for p in ex.posts_in[o["组织编码"]])
            size = sum(roles[r] for r in ("secretary", "deputy_secretary", "committee_member",
                                          "concurrent_member"))
            good = 3 <= size <= 5 and roles["secretary"] == 1 and roles["deputy_secretary"] == 1
            wrong += not good
            ok += good
    assert wrong and ok > 4 * wrong, (wrong, ok)


def test_r11_industry_committee_secretaries(district) -> None:
    _, ex = district
    right = wrong = 0
    for ic in ex.kind("行业党委"):
        unit = ex.units[ic["所在单位编码"]]
        secretary = ex.holders(ic["组织编码"], "secretary")
        assert len(secretary) == 1, ic
        posts = ex.posts_of[secretary[0]]
        if unit["层级"] == "社区":
            party = [o for o in ex.t["组织"] if o["所在单位编码"] == unit["单位编码"]
                     and o["类型"] in ("党委", "党总支")]
            good = any(secretary[0] in ex.holders(o["组织编码"], "secretary") for o in party)
        elif unit["层级"] in ("街道", "乡镇"):
            good = any("专职副书记" in p["职务"] for p in posts)
        else:
            good = any(ex.orgs[p["组织编码"]]["类型"] == "行业主管部门" for p in posts)
        right += good
        wrong += not good
    assert wrong >= 2 and right > wrong, (right, wrong)


def test_r12_instructors_who_visit_too_rarely(district) -> None:
    _, ex = district
    per_month = Counter((v["人员编码"], v["组织编码"], v["日期"][:7]) for v in ex.t["走访"])
    pairs = {(s["监管方编码"], s["被监管方编码"]) for s in ex.t["监管"]
             if s["监管类型"] == "党建指导" and s["被监管方编码"] in ex.orgs}
    months = sorted({v["日期"][:7] for v in ex.t["走访"]})
    assert months[-1] == ex.as_of[:7] and len(months) == 6
    short = [p for p in pairs if any(per_month[(*p, m)] < 2 for m in months)]
    assert short and len(short) < 0.4 * len(pairs), (len(short), len(pairs))


def test_r14_model_projects_of_black_listed_or_uncovered(district) -> None:
    _, ex = district
    black = {r["企业编码"] for r in ex.t["评价"] if r["年度"] == "2024" and r["红黑榜"] == "黑榜"}
    red = {r["企业编码"] for r in ex.t["评价"] if r["红黑榜"] == "红榜"}
    models = [c for c in ex.t["物业服务"] if ex.active(c) and "示范" in c["项目名称"]]
    assert red and any(c["企业编码"] in black for c in models)
    assert any(not ex.party_orgs_of(c["小区编码"]) for c in models)


def test_data_quality_a_party_organisation_affiliated_to_nothing(district) -> None:
    _, ex = district
    orphans = [o for o in ex.t["组织"] if o["类型"] in PARTY and not o["隶属组织编码"]]
    assert len(orphans) >= 1
    roots = [o for o in ex.t["组织"] if o["类型"] == "组织部" and not o["隶属组织编码"]]
    assert len(roots) == 1
    revoked = {o["组织编码"] for o in ex.t["组织"] if o["状态"] == "撤销"}
    assert any(p["组织编码"] in revoked for p in ex.active_posts), "a post left open"
    bodies = {o["组织编码"]: o["所在单位编码"] for o in ex.t["组织"]
              if o["所在单位编码"] in ex.compounds and o["状态"] == "正常"}
    primary = Counter((p["人员编码"], bodies[p["组织编码"]]) for p in ex.active_posts
                      if p["任职类型"] == "本职" and p["组织编码"] in bodies)
    assert any(n > 1 for n in primary.values()), "two 本职 posts in one compound"


def test_city_scale_has_six_districts_and_stays_valid(tmp_path: Path) -> None:
    summary = generate(tmp_path / "city", scale="city", seed=3)
    ex = Export(tmp_path / "city")
    assert summary.districts == 6 and summary.compounds == 2550
    assert [u["名称"] for u in ex.t["单位"] if u["层级"] == "区"][:1] == ["湖里区"]
    for u in ex.t["单位"]:
        if u["上级单位编码"]:
            assert ex.units[u["上级单位编码"]]["层级"] in PARENT_LEVEL[u["层级"]], u
    refs = {p["组织编码"] for p in ex.t["任职"]} | {p["党组织编码"] for p in ex.t["人员"]} - {""}
    assert refs <= set(ex.orgs)
    assert summary.gaps["gap_r11_district"] == 1


def test_cli_export_only(tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = CliRunner().invoke(main, ["demo", "--export-only", str(out), "--seed", "4",
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["export"]["compounds"] == 510 and payload["export"]["seed"] == 4
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.csv" for n in REGISTRY_HEADERS)
    text = CliRunner().invoke(main, ["demo", "--export-only", str(out), "--seed", "4"])
    assert text.exit_code == 0 and "redgov sync" in text.output and "一肩挑" in text.output
    assert "台账导出已写入" in text.output and "专业化物业管理小区" in text.output, text.output
    assert re.search(r"（\d+\.\d%）", text.output), text.output  # the one rounding rule
