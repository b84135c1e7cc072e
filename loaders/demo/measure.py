"""Count the calibration figures of an export folder from its CSV files alone.

This is the independent check on the generator's own bookkeeping (:class:`DemoSummary`):
it reads what was written, with the audit's definitions, and knows nothing of the plan.

- a compound's *party organisation*: an active (状态 正常) 党委/党总支/党支部 whose
  依托主体编码 lists the compound; ``compound_branches`` counts those organisations,
  ``compounds_covered`` the compounds they list;
- *professionally managed*: an active 物业服务 contract at the snapshot date
  (开始日期 ≤ 快照日期 < 结束日期, either end open);
- *owners' committee*: an active 业主委员会 whose 所在单位编码 is the compound;
- *company with a party organisation*: a company code in the 依托主体编码 of an active
  party organisation;
- a *chair*: an active post whose 职务 normalises to ``director`` in an active owners'
  committee; a *party-member chair* holds 中共党员 or 中共预备党员;
- *一肩挑*: a person holding an active ``secretary`` post in a compound's party
  organisation and an active ``director`` post in that compound's owners' committee.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...graph.vocabulary import normalise_role

__all__ = ["measure", "read_table"]

_PARTY = ("党委", "党总支", "党支部")
_MEMBERS = ("中共党员", "中共预备党员")


def read_table(folder: Path, table: str) -> Iterator[dict[str, str]]:
    """Rows of one table as dicts, streamed."""
    with (Path(folder) / f"{table}.csv").open(encoding="utf-8-sig", newline="") as fh:
        yield from csv.DictReader(fh)


def _active(row: dict[str, str], as_of: str) -> bool:
    start, end = row.get("开始日期", ""), row.get("结束日期", "")
    return (not start or start <= as_of) and (not end or as_of < end)


def measure(folder: Path) -> dict[str, Any]:
    """The calibration figures of the export in ``folder`` (see the module docstring)."""
    folder = Path(folder)
    manifest = {r["项目"]: r["值"] for r in read_table(folder, "清单")}
    as_of = manifest["快照日期"]
    levels: dict[str, int] = {}
    compounds: set[str] = set()
    for u in read_table(folder, "单位"):
        levels[u["层级"]] = levels.get(u["层级"], 0) + 1
        if u["层级"] == "小区":
            compounds.add(u["单位编码"])
    companies: set[str] = set()
    branch_of: dict[str, list[str]] = {}  # party org → compounds it is built in
    company_orgs: set[str] = set()
    oc_at: dict[str, str] = {}  # owners' committee → compound
    for o in read_table(folder, "组织"):
        if o["状态"] != "正常":
            continue
        if o["类型"] == "物业服务企业":
            companies.add(o["组织编码"])
        elif o["类型"] == "业主委员会" and o["所在单位编码"] in compounds:
            oc_at[o["组织编码"]] = o["所在单位编码"]
        elif o["类型"] in _PARTY:
            codes = [c for c in o["依托主体编码"].split(";") if c]
            inside = [c for c in codes if c in compounds]
            if inside:
                branch_of[o["组织编码"]] = inside
            company_orgs.update(codes)
    member: set[str] = {p["人员编码"] for p in read_table(folder, "人员")
                        if p["政治面貌"] in _MEMBERS}
    secretaries: dict[str, set[str]] = {}  # person → compounds whose branch they lead
    chairs: dict[str, set[str]] = {}  # person → compounds whose committee they chair
    for post in read_table(folder, "任职"):
        if not _active(post, as_of):
            continue
        role = normalise_role(post["职务"])
        org, person = post["组织编码"], post["人员编码"]
        if role == "secretary" and org in branch_of:
            secretaries.setdefault(person, set()).update(branch_of[org])
        elif role == "director" and org in oc_at:
            chairs.setdefault(person, set()).add(oc_at[org])
    managed = {c["小区编码"] for c in read_table(folder, "物业服务") if _active(c, as_of)}
    covered = {c for codes in branch_of.values() for c in codes}
    people = sum(1 for _ in read_table(folder, "人员"))
    n = len(compounds)
    return {
        "snapshot_date": as_of,
        "levels": levels,
        "compounds": n,
        "compound_branches": len(branch_of),
        "compounds_covered": len(covered),
        "managed_compounds": len(managed & compounds),
        "managed_share": len(managed & compounds) / n if n else 0.0,
        "owners_committee_compounds": len(set(oc_at.values())),
        "owners_committee_share": len(set(oc_at.values())) / n if n else 0.0,
        "companies": len(companies),
        "companies_with_party_org": len(company_orgs & companies),
        "one_shoulder": sum(1 for p, cs in secretaries.items() if cs & chairs.get(p, set())),
        "party_member_chairs": sum(1 for p in chairs if p in member),
        "people": people,
    }
