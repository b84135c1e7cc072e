"""Compound life: party branches, owners' committees, supervisory and self-governance
bodies, work groups and the residents who fill them.

First every compound's bodies are created (so residents can name their branch as
党组织编码), then its people and posts.  The deliberate findings seeded here, each at
least once per district: a branch committee of the wrong size (R9), an owners' committee
with a non-member chair or a party share under 30% (R4), an expired term (R13), a
supervisory committee member who also sits on the owners' committee or is the manager's
project manager (R8), a compound with neither owners' committee nor self-governance body
(R5), uncovered compounds with and without a work group and instructor (R1), some with
≥ 3 resident full members (qualified to build a branch), and a branch affiliated to
nothing (a data-quality finding).
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from .plan import JOINT, NONE, STANDALONE, Compound, DistrictPlan
from .world import MEMBER, World, shift_years

__all__ = ["build_compound_bodies", "build_compound_people"]

_SELF_GOVERNANCE = (("议事会", "负责人", "成员"), ("自治管理委员会", "主任", "委员"),
                    ("物业管理委员会", "主任", "委员"))


def build_compound_bodies(world: World, plan: DistrictPlan) -> list[tuple[str, Compound]]:
    """Create every compound-level organisation; return the work groups needing an instructor."""
    r = world.rng
    t = world.tally
    unaffiliated_done = False
    revoked_history = 0
    need_instructor: list[tuple[str, Compound]] = []
    uncovered = [c for c in plan.compounds if c.cover == NONE]
    no_oc = [c for c in plan.compounds if not c.oc]
    bare = no_oc[0] if no_oc else None  # R5: no committee and no self-governance body
    for c in plan.compounds:
        comm = c.community
        world.unit(c.code, c.name, "小区", comm.code, c.type, c.households)
        if c.cover == STANDALONE:
            parent = comm.party
            if not unaffiliated_done and not c.oc:
                parent, unaffiliated_done = "", True  # data quality: hangs under nothing
                t["gap_unaffiliated_branch"] += 1
            general = c.households >= 1800 and r.random() < 0.6
            c.branch_word = "党总支" if general else "党支部"
            c.branch = world.org(
                "DZ", f"中共{c.name}{'总支部' if general else '支部'}委员会",
                "党总支" if general else "党支部", c.code, parent=parent, built_in=[c.code],
                formation="单独建", founded=world.year_day(2016, 2023))
            t["compound_branches"] += 1
            if revoked_history < 2 and r.random() < 0.05:  # the work group it replaced
                world.org("DZ", f"{c.name}党的工作小组", "党的工作小组", c.code, parent=comm.party,
                          built_in=[c.code], founded=world.year_day(2015, 2016), revoked=True)
                revoked_history += 1
        elif c.cover == JOINT and c.group and c.group[0] is c:
            names = "".join(g.name for g in c.group) if len(c.group) == 2 else \
                f"{c.name}等{len(c.group)}个小区"
            founded = world.year_day(2018, 2023)
            branch = world.org("DZ", f"中共{names}联合支部委员会", "党支部", c.code,
                               parent=comm.party, built_in=[g.code for g in c.group],
                               formation="联合建", founded=founded)
            for g in c.group:
                g.branch = branch
            t["compound_branches"] += 1
            if t["revoked_branches"] < 2:  # one of them had a branch of its own before
                other = c.group[1]
                began = world.year_day(2015, 2016)
                old = world.org("DZ", f"中共{other.name}支部委员会", "党支部", other.code,
                                parent=comm.party, built_in=[other.code], formation="单独建",
                                founded=began, revoked=True)
                t["revoked_branches"] += 1
                secretary = world.person(world_area(other), other.code, MEMBER, branch)
                # The first one's secretary post was never ended (a data-quality finding).
                ended = None if t["gap_dq_post_in_revoked"] == 0 else founded
                world.post(secretary, old, "党支部书记", began, ended)
                t["gap_dq_post_in_revoked"] += ended is None
        if c.cover != NONE:
            t["compounds_covered"] += 1
        if c.oc:
            expired = r.random() < 0.09 or t["gap_r13_expired"] == 0
            end = (world.day(date(2022, 1, 1), world.snapshot - timedelta(days=20)) if expired
                   else world.day(world.snapshot + timedelta(days=20),
                                  min(date(2029, 12, 31), shift_years(world.snapshot, 5))))
            c.oc_founded = shift_years(end, -5)
            c.oc_code = world.org("YW", f"{c.name}业主委员会", "业主委员会", c.code,
                                  founded=c.oc_founded, term_end=end)
            t["owners_committees"] += 1
            t["gap_r13_expired"] += expired
            if r.random() < 0.4:
                c.supervisory = world.org("JD", f"{c.name}业主监督委员会", "业主监督委员会",
                                          c.code, founded=c.oc_founded)
        elif c is not bare and r.random() < 0.86:
            kind, head, member = r.choice(_SELF_GOVERNANCE)
            c.self_governance_titles = (head, member)
            c.self_governance = world.org("ZZ", f"{c.name}{kind}", "自治组织", c.code,
                                          founded=world.year_day(2017, 2024))
        else:
            t["gap_r5_no_body"] += 1
        if c.managed:
            t["managed"] += 1
        if c.cover == NONE:
            i = uncovered.index(c)
            if i == 0 or (i > 1 and r.random() < 0.65):
                c.work_group = world.org("DZ", f"{c.name}党的工作小组", "党的工作小组", c.code,
                                         parent=comm.party, built_in=[c.code],
                                         founded=world.year_day(2019, 2024))
                if i > 0:
                    need_instructor.append((c.work_group, c))
                else:
                    t["gap_r1_group_without_instructor"] += 1
            else:
                t["gap_r1_nothing"] += 1
    return need_instructor


def build_compound_people(world: World, plan: DistrictPlan) -> None:
    for c in plan.compounds:
        _compound_people(world, plan, c)


def _resident(world: World, c: Compound, standing: str = MEMBER, male: bool | None = None) -> str:
    return world.person(world_area(c), c.code, standing, c.branch or c.community.party, male)


def world_area(c: Compound) -> str:
    return c.code[:6]


def _compound_people(world: World, plan: DistrictPlan, c: Compound) -> None:
    r, t = world.rng, world.tally
    covered = c.cover != NONE
    leads_branch = c.cover == STANDALONE or (c.cover == JOINT and c.group and c.group[0] is c)
    if leads_branch:
        _branch_committee(world, c)
    if c.oc:
        _owners_committee(world, c)
    if c.supervisory:
        _supervisory(world, c)
    if c.self_governance:
        head, member = c.self_governance_titles
        start = world.year_day(2018, 2024)
        for i in range(3):
            p = _resident(world, c, world.resident_standing(0.2 * covered))
            world.post(p, c.self_governance, head if i == 0 else member, start)
    if c.work_group:
        p = _resident(world, c)
        world.post(p, c.work_group, "党的工作小组组长", world.year_day(2019, 2024))
    if c.cover == NONE:  # resident full members with their 组织关系 in the community
        qualified = r.random() < 0.35 or t["gap_r1_qualified"] == 0
        for _ in range(r.randint(3, 5) if qualified else r.randint(0, 1)):
            _resident(world, c)
        t["gap_r1_qualified"] += qualified
    elif leads_branch:
        for _ in range(r.randint(2, 8)):  # members on the branch's books (在册)
            _resident(world, c)
    share = 0.0 if c.cover == NONE else 0.1
    for _ in range(3 + min(c.households // 80, 18)):
        p = _resident(world, c, world.resident_standing(share))
        if r.random() < 0.08:
            world.post(p, c.community.volunteers, "志愿者", world.year_day(2016, 2024))


def _branch_committee(world: World, c: Compound) -> None:
    r, t = world.rng, world.tally
    word = c.branch_word
    member = "总支委员" if word == "党总支" else "支部委员"
    x = r.random()
    if x < 0.04 or t["gap_r9_size"] == 0:
        deputies, members = 0, 1  # two people: too small
        t["gap_r9_size"] += 1
    elif x < 0.07:
        deputies, members = 1, 4  # six people: too big
        t["gap_r9_size"] += 1
    elif x < 0.11:
        deputies, members = 0, 2  # no deputy secretary
        t["gap_r9_no_deputy"] += 1
    else:
        deputies, members = 1, r.randint(1, 3)
    start = world.year_day(2018, 2024)
    homes = c.group or [c]
    if c.one_shoulder:
        c.secretary = _resident(world, c, MEMBER, male=r.random() < 0.7)
        c.reverse = r.random() < 0.4  # 本职 chair + 兼任 secretary, else the other way round
        world.post(c.secretary, c.branch, f"{word}书记", start, concurrent=c.reverse)
        t["one_shoulder"] += 1
    elif r.random() < 0.1 and c.community.staff:  # R10's last resort: community staff
        c.secretary = r.choice(c.community.staff)
        world.post(c.secretary, c.branch, f"{word}书记", start, concurrent=True)
    else:
        c.secretary = _resident(world, c, MEMBER)
        world.post(c.secretary, c.branch, f"{word}书记", start)
    if r.random() < 0.3:  # the previous secretary's post, ended at the re-election
        former = _resident(world, c, MEMBER)
        world.post(former, c.branch, f"{word}书记", shift_years(start, -3), start)
    for _ in range(deputies):
        p = _resident(world, r.choice(homes))
        world.post(p, c.branch, f"{word}副书记", start)
        c.committee.append(p)
    for _ in range(members):
        p = _resident(world, r.choice(homes))
        world.post(p, c.branch, member, start)
        c.committee.append(p)


def _owners_committee(world: World, c: Compound) -> None:
    r, t = world.rng, world.tally
    assert c.oc_founded is not None
    start = c.oc_founded
    size = r.choices((5, 7, 9), (50, 35, 15))[0]
    if c.one_shoulder:
        chair = c.secretary
        world.post(chair, c.oc_code, "业委会主任", start, concurrent=not c.reverse)
    else:
        standing = MEMBER if c.party_chair else world.resident_standing(0.0)
        chair = _resident(world, c, standing, male=r.random() < 0.65)
        world.post(chair, c.oc_code, "业委会主任", start)
    if c.party_chair:
        t["party_chairs"] += 1
        if r.random() < 0.4:  # R7: the chair sits on the community 大党委
            world.post(chair, c.community.party, "社区大党委兼职委员", world.day(start, max(
                start, world.snapshot - timedelta(days=40))), concurrent=True)
    low_share = c.party_chair and (r.random() < 0.12 or t["gap_r4_low_share"] == 0)
    if low_share:
        party_others = 0
        t["gap_r4_low_share"] += 1
    elif c.party_chair:
        party_others = math.ceil(0.3 * size) - 1 + r.randint(0, 2)
    else:
        party_others = sum(r.random() < 0.15 * (c.cover != NONE) for _ in range(size - 1))
        t["gap_r4_non_member_chair"] += 1
    for i in range(size - 1):
        standing = MEMBER if i < party_others else world.resident_standing(0.0)
        p = _resident(world, c, standing)
        world.post(p, c.oc_code, "业委会副主任" if i == 0 else "业委会委员", start)
    if c.committee and r.random() < 0.25:  # R7: a branch committee member on the committee
        world.post(c.committee[-1], c.oc_code, "业委会委员", start, concurrent=True)
    if r.random() < 0.3:  # the previous chair, whose term ended
        former = _resident(world, c, world.resident_standing(0.3 * (c.cover != NONE)))
        world.post(former, c.oc_code, "业委会主任", shift_years(start, -5), start)
    world.supervise(c.branch or c.community.party, c.oc_code, "党组织领导", start)
    world.supervise(c.community.street.office, c.oc_code, "属地管理", start)


def _supervisory(world: World, c: Compound) -> None:
    r, t = world.rng, world.tally
    assert c.oc_founded is not None
    start = c.oc_founded
    share = 0.3 if c.cover != NONE else 0.0
    people = [_resident(world, c, world.resident_standing(share)) for _ in range(r.randint(3, 5))]
    for i, p in enumerate(people):
        world.post(p, c.supervisory, "监委会主任" if i == 0 else "监委会委员", start)
    if r.random() < 0.03 or t["gap_r8_owners"] == 0:  # R8: also on the owners' committee
        # the first one is recorded as a second 本职 (a data-quality finding as well)
        dual = t["gap_r8_owners"] == 0
        world.post(people[-1], c.oc_code, "业委会委员", start, concurrent=not dual)
        t["gap_r8_owners"] += 1
        t["gap_dq_dual_primary"] += dual
    elif c.pm and (r.random() < 0.02 or t["gap_r8_manager"] == 0):  # R8: the manager's PM
        world.post(c.pm, c.supervisory, "监委会委员", start, concurrent=True)
        t["gap_r8_manager"] += 1
    world.supervise(c.supervisory, c.oc_code, "业主监督", start)
    if c.company:
        world.supervise(c.supervisory, c.company, "业主监督", start)
