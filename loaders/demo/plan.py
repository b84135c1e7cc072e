"""One district's plan: its units and every calibrated decision, before any row is written.

The published Huli figures (docs/domain.md §6) are hit by *choosing* sets of exactly the
right size — which compounds are managed, have an owners' committee, are covered by a
branch, whose secretary chairs the committee — rather than by drawing each compound
independently and hoping the sums land near the target.  Other districts scale the same
targets by their compound count.

The 444 branches are matched as *organisations*: 444 active compound party organisations
(党支部/党总支 whose 依托主体编码 names a compound).  About 7% of them are 联合建 and
cover two or three compounds each, so more compounds (≈ 96%) are covered than there are
branches; the rest are the R1 gaps (a work group with an instructor, one without, or
nothing at all).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Final

from .geography import HULI_COMPOUNDS, DistrictSpec
from .world import World

__all__ = [
    "Community", "Company", "Compound", "DistrictPlan", "Street", "Targets", "home_codes",
    "plan_district",
]

STANDALONE, JOINT, NONE = "standalone", "joint", "none"


@dataclass(frozen=True)
class Targets:
    """Huli's figures scaled to a district of ``compounds`` compounds."""

    compounds: int
    branches: int
    joint_branches: int
    managed: int
    owners_committees: int
    one_shoulder: int
    party_chairs: int
    companies: int
    company_orgs: int
    company_joint: int
    company_attached: int
    instructors: int

    @classmethod
    def for_size(cls, n: int) -> Targets:
        k = n / HULI_COMPOUNDS
        company_joint = round(13 * k)
        return cls(
            compounds=n, branches=round(444 * k), joint_branches=max(1, round(31 * k)),
            managed=round(0.72 * n), owners_committees=round(0.645 * n),
            one_shoulder=round(68 * k), party_chairs=round(159 * k),
            companies=round(125 * k), company_orgs=round(42 * k),
            company_joint=company_joint, company_attached=max(1, round(3 * k)),
            instructors=max(3, round(40 * k)),
        )


@dataclass(eq=False)
class Street:
    code: str
    name: str
    town: bool
    committee: str = ""  # 街道党工委 / 乡镇党委
    office: str = ""  # 街道办事处
    industry: str = ""  # street 行业党委
    deputy: str = ""  # person: full-time deputy secretary (R11)
    members: list[str] = field(default_factory=list)  # officials for 兼任 posts


@dataclass(eq=False)
class Community:
    code: str
    name: str
    street: Street
    compounds: list[Compound] = field(default_factory=list)
    party: str = ""  # 社区党委 (大党委)
    residents: str = ""  # 居民委员会
    industry: str = ""  # community 行业党委
    volunteers: str = ""  # 志愿服务队
    secretary: str = ""  # person
    staff: list[str] = field(default_factory=list)  # persons (committee members)


@dataclass(eq=False)
class Compound:
    code: str
    name: str
    community: Community
    type: str = ""
    households: int = 0
    managed: bool = False
    oc: bool = False  # has an owners' committee
    cover: str = NONE  # STANDALONE / JOINT / NONE
    group: list[Compound] | None = None  # the compounds of its joint branch (leader first)
    branch: str = ""  # code of the covering party organisation
    one_shoulder: bool = False
    party_chair: bool = False
    company: str = ""  # company of the active contract
    company_obj: Company | None = None
    pm: str = ""  # project manager person
    model_project: bool = False
    # filled in while writing
    oc_code: str = ""
    oc_founded: date | None = None
    secretary: str = ""
    committee: list[str] = field(default_factory=list)
    work_group: str = ""
    supervisory: str = ""
    self_governance: str = ""
    self_governance_titles: tuple[str, str] = ("主任", "委员")
    branch_word: str = "党支部"  # 党总支 for a general branch (titles follow it)
    reverse: bool = False  # 一肩挑 held as 本职 chair + 兼任 secretary


@dataclass(eq=False)
class Company:
    code: str
    name: str
    community: Community
    kind: str = "none"  # own / joint / attached / should / small / none
    members: int = 0  # full party members among its staff
    instructor: bool = False
    black: bool = False
    compounds: list[Compound] = field(default_factory=list)
    org: str = ""
    head: str = ""


@dataclass(eq=False)
class DistrictPlan:
    spec: DistrictSpec
    targets: Targets
    streets: list[Street]
    communities: list[Community]
    compounds: list[Compound]
    companies: list[Company] = field(default_factory=list)


# Compound types: (type, weight) for professionally managed and for other compounds.
_MANAGED_TYPES: Final = (("物管小区", 74), ("商圈楼宇", 8), ("产业园区", 4), ("安置小区", 8),
                         ("移交小区", 3), ("单位家属区", 3))
_OTHER_TYPES: Final = (("老旧小区", 46), ("弃管小区", 22), ("单位家属区", 16), ("移交小区", 10),
                       ("安置小区", 6))
_HOUSEHOLDS: Final = {  # (lognormal mu, sigma, low, high)
    "物管小区": (6.1, 0.6, 80, 4200), "商圈楼宇": (5.3, 0.5, 60, 900),
    "产业园区": (4.6, 0.5, 30, 400), "安置小区": (6.6, 0.5, 200, 3500),
    "移交小区": (5.4, 0.6, 60, 900), "单位家属区": (5.0, 0.6, 30, 600),
    "老旧小区": (5.0, 0.6, 30, 700), "弃管小区": (4.7, 0.6, 20, 400),
}


def home_codes(compounds: list[Compound]) -> list[str]:
    """Where officials and staff live: compounds with a party organisation, so that the
    uncovered ones hold only the members placed there on purpose (R1 cases)."""
    covered = [c.code for c in compounds if c.cover != NONE]
    return covered or [c.code for c in compounds]


def _split(total: int, parts: int, rng_weights: list[float]) -> list[int]:
    """``total`` split into ``parts`` positive integers in proportion to the weights."""
    s = sum(rng_weights)
    sizes = [max(1, math.floor(total * w / s)) for w in rng_weights]
    i = 0
    while sum(sizes) < total:
        sizes[i % parts] += 1
        i += 1
    while sum(sizes) > total:
        j = max(range(parts), key=lambda x: sizes[x])
        sizes[j] -= 1
    return sizes


def _choose(world: World, items: list, n: int) -> list:
    return world.rng.sample(items, min(n, len(items)))


def plan_district(world: World, spec: DistrictSpec) -> DistrictPlan:
    """Lay out one district's units and decide every calibrated set."""
    r = world.rng
    t = Targets.for_size(spec.compounds)
    names: set[str] = set()
    street_names = list(spec.streets)
    if not street_names:
        count = max(3, round(spec.compounds / 95))
        town = spec.level == "县"
        street_names = [world.names.street(names, town=town and i >= 2) for i in range(count)]
    streets = [Street(f"{spec.code}{i + 1:03d}", nm, nm.endswith("镇"))
               for i, nm in enumerate(street_names)]
    per_street = _split(spec.communities, len(streets), [1 + r.random() * 0.4 for _ in streets])
    communities: list[Community] = []
    for street, n in zip(streets, per_street, strict=True):
        for j in range(n):
            communities.append(Community(f"{street.code}{j + 1:03d}", world.names.community(names),
                                         street))
    per_comm = _split(spec.compounds, len(communities),
                      [r.lognormvariate(0, 0.45) for _ in communities])
    compounds: list[Compound] = []
    for comm, n in zip(communities, per_comm, strict=True):
        for j in range(n):
            c = Compound(f"{comm.code}{j + 1:03d}", "", comm)
            comm.compounds.append(c)
            compounds.append(c)

    # Professionally managed (an active contract), then types that fit, then names.
    for c in _choose(world, compounds, t.managed):
        c.managed = True
    for c in compounds:
        pool = _MANAGED_TYPES if c.managed else _OTHER_TYPES
        c.type = r.choices([p for p, _ in pool], [w for _, w in pool])[0]
        mu, sigma, lo, hi = _HOUSEHOLDS[c.type]
        c.households = min(hi, max(lo, round(r.lognormvariate(mu, sigma))))
        c.name = world.names.compound(c.type, names)

    # Owners' committees: mostly in managed compounds, rarely in business/park projects.
    managed = [c for c in compounds if c.managed and c.type not in ("商圈楼宇", "产业园区")]
    others = [c for c in compounds if not c.managed]
    in_managed = min(len(managed), round(t.owners_committees * 0.88))
    chosen = _choose(world, managed, in_managed)
    chosen += _choose(world, others, t.owners_committees - len(chosen))
    for c in chosen:
        c.oc = True

    _plan_coverage(world, t, communities, compounds)
    _plan_chairs(world, t, compounds)
    return DistrictPlan(spec, t, streets, communities, compounds)


def _plan_coverage(world: World, t: Targets, communities: list[Community],
                   compounds: list[Compound]) -> None:
    """Joint groups of 2–3 neighbouring compounds, standalone branches, and the gaps."""
    r = world.rng
    groups = 0
    order = list(communities)
    r.shuffle(order)
    while groups < t.joint_branches:
        progressed = False
        for comm in order:
            free = [c for c in comm.compounds if c.cover == NONE]
            size = 3 if r.random() < 0.35 else 2
            if len(free) < size + 1 or groups >= t.joint_branches:
                continue
            start = r.randrange(len(free) - size + 1)
            group = free[start:start + size]
            for c in group:
                c.cover, c.group = JOINT, group
            groups += 1
            progressed = True
        if not progressed:
            break
    rest = [c for c in compounds if c.cover == NONE]
    uncovered_n = max(1, len(rest) - (t.branches - groups))
    # Gaps fall mostly on compounds with neither an owners' committee nor a manager; one
    # managed compound is always left uncovered (a model project there is an R14 case).
    keep_out = next((c for c in rest if c.managed and not c.oc), rest[0])
    uncovered = [keep_out]
    pool = [c for c in rest if c is not keep_out]
    weights = [1.0 if c.oc else (1.5 if c.managed else 4.0) for c in pool]
    while len(uncovered) < uncovered_n and pool:
        i = r.choices(range(len(pool)), weights)[0]
        uncovered.append(pool.pop(i))
        weights.pop(i)
    for c in pool:
        c.cover = STANDALONE


def _plan_chairs(world: World, t: Targets, compounds: list[Compound]) -> None:
    """一肩挑 compounds (standalone branch + committee) and party-member chairs."""
    both = [c for c in compounds if c.oc and c.cover == STANDALONE]
    for c in _choose(world, both, t.one_shoulder):
        c.one_shoulder = c.party_chair = True
    # Uncovered compounds keep non-member chairs, so whether they qualify for a branch
    # (≥ 3 resident full members) is decided on purpose, not by the committee's make-up.
    rest = [c for c in compounds if c.oc and not c.one_shoulder and c.cover != NONE]
    for c in _choose(world, rest, t.party_chairs - t.one_shoulder):
        c.party_chair = True
