"""Property companies: contracts, staff, party organisations, supervision and ratings.

About 125 companies per Huli-sized district, Zipf-sized (a few manage a dozen compounds,
most one to three).  42 of them are covered by a party organisation (docs/domain.md §6): the
bigger ones 单独建 (one 党委, a couple of 党总支, the rest 党支部), 13 through joint
mechanisms (联合建 branches over two or three companies, and 挂靠).  The rest are the R2
cases: some with ≥3 full members and no organisation (应建未建), some with one or two
members, most with none — of those most have a dispatched instructor, a few do not.
Two company 党支部 per district hang under the street committee instead of their 属地
community party organisation (R3), and one black-listed company runs a model project (R14).
"""

from __future__ import annotations

from datetime import date, timedelta

from .governance import DistrictFrame
from .plan import NONE, Company, Compound, DistrictPlan, home_codes
from .world import MEMBER, World, shift_years

__all__ = ["build_companies", "plan_companies"]



def plan_companies(world: World, plan: DistrictPlan, city_prefix: str) -> None:
    """Create the companies, hand out the managed compounds, sort them into R2 kinds."""
    r, t = world.rng, plan.targets
    names: set[str] = set()
    weights = [len(c.compounds) + 1 for c in plan.communities]
    companies = [
        Company("", world.names.company(city_prefix, names),
                r.choices(plan.communities, weights)[0])
        for _ in range(t.companies)
    ]
    size = [1.0 / (i + 1) ** 0.85 for i in range(len(companies))]
    managed = [c for c in plan.compounds if c.managed]
    r.shuffle(managed)
    for company, c in zip(companies, managed, strict=False):  # everyone manages one at least
        _assign(c, company)
    for c in managed[len(companies):]:
        street = c.community.street
        w = [s * (3.0 if co.community.street is street else 1.0)
             for s, co in zip(size, companies, strict=True)]
        _assign(c, r.choices(companies, w)[0])

    by_size = sorted(companies, key=lambda co: -len(co.compounds))
    own_n = t.company_orgs - t.company_joint
    top = by_size[: max(own_n, round(len(by_size) * 0.6))]
    own = r.sample(top, own_n)
    rest = [co for co in companies if co not in own]
    r.shuffle(rest)
    joint_n = t.company_joint - t.company_attached
    for i, co in enumerate(rest):
        if i < joint_n:
            co.kind = "joint"
        elif i < t.company_joint:
            co.kind = "attached"
        else:
            co.kind = "none"
    no_org = [co for co in rest if co.kind == "none"]
    should = max(1, round(len(no_org) * 0.1))
    small = round(len(no_org) * 0.35)
    for i, co in enumerate(no_org):
        if i < should:
            co.kind, co.members = "should", r.randint(3, 5)
        elif i < should + small:
            co.kind, co.members = "small", r.randint(1, 2)
        co.instructor = r.random() < 0.7
    nones = [co for co in no_org if co.kind == "none"]
    if len(nones) >= 2:  # both R2 variants present whatever the draw
        nones[0].instructor, nones[1].instructor = False, True
    for i, co in enumerate(sorted(own, key=lambda co: -len(co.compounds))):
        co.kind = "own"
        co.members = 15 if i == 0 else (r.randint(8, 11) if i < 3 else r.randint(3, 7))
    for co in companies:
        if co.kind in ("joint", "attached"):
            co.members = r.randint(1, 2)
    plan.companies = companies

    # Model (示范) projects: some ordinary ones, one run by a black-listed company, one at
    # a compound with no party organisation (both are R14 findings).
    for c in managed:
        c.model_project = c.cover != NONE and r.random() < 0.06
    black = next(co for co in by_size if co.kind != "own" and co.compounds)
    black.black = True
    black.compounds[0].model_project = True
    uncovered = [c for c in managed if c.cover == NONE]
    if uncovered:
        uncovered[0].model_project = True


def _assign(c: Compound, company: Company) -> None:
    c.company_obj = company
    company.compounds.append(c)


def build_companies(world: World, plan: DistrictPlan, frame: DistrictFrame) -> None:
    """Write every company with its staff, organisation, contracts, oversight and ratings."""
    r, area = world.rng, plan.spec.code
    homes = home_codes(plan.compounds)
    for co in plan.companies:
        co.code = world.org("QY", co.name, "物业服务企业", co.community.code,
                            founded=world.year_day(2003, 2018))
        for c in co.compounds:
            c.company = co.code
    joint = [co for co in plan.companies if co.kind == "joint"]
    groups: list[list[Company]] = []
    while joint:
        size = 3 if len(joint) == 3 or (len(joint) > 4 and r.random() < 0.4) else 2
        groups.append(joint[:size])
        joint = joint[size:]
    wrong_level = max(1, round(2 * plan.targets.compounds / 510))
    for co in plan.companies:
        if co.kind == "own":
            _own_org(world, co, wrong_level > 0, frame)
            if co.org and wrong_level > 0 and co.members < 8:
                wrong_level -= 1
        elif co.kind == "attached":
            co.org = world.org("DZ", f"中共{co.name}支部委员会", "党支部", co.community.code,
                               parent=co.community.party, built_in=[co.code], formation="挂靠",
                               founded=world.year_day(2019, 2023))
    for group in groups:
        first = group[0]
        org = world.org("DZ", f"中共{first.community.name}物业服务企业联合支部委员会", "党支部",
                        first.community.code, parent=first.community.party,
                        built_in=[co.code for co in group], formation="联合建",
                        founded=world.year_day(2018, 2023))
        for co in group:
            co.org = org
    for co in plan.companies:
        _staff(world, area, homes, co)
        world.supervise(frame.regulator, co.code, "行业监管", world.year_day(2015, 2019))
        world.supervise(co.community.street.office, co.code, "属地管理",
                        world.year_day(2015, 2020))
        _contracts(world, plan, co)
        _ratings(world, co)
    for c in plan.compounds:  # abandoned compounds keep the contract that ended (弃管)
        if not c.managed and world.rng.random() < 0.35:
            co = r.choice(plan.companies)
            end = world.year_day(2018, 2024)
            world.contract(co.code, c.code, f"{c.name}物业服务项目", shift_years(end, -3), end)


def _own_org(world: World, co: Company, wrong_level: bool, frame: DistrictFrame) -> None:
    comm = co.community
    founded = world.year_day(2016, 2023)
    if co.members >= 12:
        co.org = world.org("DZ", f"中共{co.name}委员会", "党委", comm.code, parent=frame.two_new,
                           built_in=[co.code], formation="单独建", founded=founded)
    elif co.members >= 8:
        co.org = world.org("DZ", f"中共{co.name}总支部委员会", "党总支", comm.code,
                           parent=comm.party, built_in=[co.code], formation="单独建",
                           founded=founded)
    else:
        parent = comm.party
        if wrong_level:  # R3: a company branch hung under the street, not its community
            parent = comm.street.committee
            world.tally["gap_r3_wrong_level"] += 1
        co.org = world.org("DZ", f"中共{co.name}支部委员会", "党支部", comm.code, parent=parent,
                           built_in=[co.code], formation="单独建", founded=founded)


def _staff(world: World, area: str, homes: list[str], co: Company) -> None:
    """Head, one project manager per active contract, office staff; members as planned."""
    r = world.rng
    head = r.choice(("法定代表人", "总经理"))
    roles: list[tuple[str, date]] = [(head, world.year_day(2015, 2021))]
    roles += [("项目经理", date(2000, 1, 1))] * len(co.compounds)  # start set per contract
    roles += [("工作人员", world.year_day(2016, 2024)) for _ in range(r.randint(1, 2))]
    while len(roles) < co.members + 1:
        roles.append(("工作人员", world.year_day(2016, 2024)))
    member_slots = set(r.sample(range(len(roles)), co.members))
    party_org = co.org or co.community.party
    people: list[str] = []
    for i, _ in enumerate(roles):
        standing = MEMBER if i in member_slots else world.resident_standing(0.0)
        people.append(world.person(area, r.choice(homes), standing, party_org))
    co.head = people[0]
    for i, c in enumerate(co.compounds):
        c.pm = people[1 + i]
    for i, (title, start) in enumerate(roles):
        if title != "项目经理":
            world.post(people[i], co.code, title, start)
    members = [people[i] for i in sorted(member_slots)]
    if co.kind == "own" and co.org and members:
        founded = world.year_day(2016, 2023)
        sec, dep, mem = _titles(co.members)
        world.post(members[0], co.org, sec, founded, concurrent=True)
        rest = members[1:]
        if dep and rest:
            world.post(rest.pop(0), co.org, dep, founded, concurrent=True)
        for p in rest[:2]:
            world.post(p, co.org, mem, founded, concurrent=True)
    elif co.kind in ("joint", "attached") and members:
        world.post(members[0], co.org, "党支部书记" if co.kind == "attached" else "支部委员",
                   world.year_day(2019, 2023), concurrent=True)
    for i in (0, *range(1, 1 + len(co.compounds))):  # heads and PMs in the community 大党委 (R7)
        if i in member_slots and r.random() < 0.3:
            world.post(people[i], co.community.party, "社区大党委兼职委员",
                       world.year_day(2019, 2024), concurrent=True)
            world.tally["r7_company_concurrent"] += 1


def _titles(members: int) -> tuple[str, str, str]:
    """Committee titles (secretary, deputy, member) of a company organisation of that size."""
    if members >= 12:
        return ("党委书记", "党委副书记", "党委委员")
    if members >= 8:
        return ("党总支书记", "党总支副书记", "总支委员")
    return ("党支部书记", "", "支部委员")


def _contracts(world: World, plan: DistrictPlan, co: Company) -> None:
    r, s = world.rng, world.snapshot
    for c in co.compounds:
        term = r.choice((3, 5))
        if r.random() < 0.2:
            start, end = world.year_day(2015, 2023), None
        else:
            end = s + timedelta(days=r.randint(30, term * 365 - 30))
            start = shift_years(end, -term)
        project = f"{c.name}{'红色物业示范项目' if c.model_project else '物业服务项目'}"
        world.contract(co.code, c.code, project, start, end)
        world.post(c.pm, co.code, "项目经理", start)
        if r.random() < 0.25:  # the compound changed manager before
            prev = r.choice(plan.companies)
            if prev is not co and prev.code:
                p_start = shift_years(start, -r.choice((3, 5)))
                world.contract(prev.code, c.code, f"{c.name}物业服务项目", p_start, start)


def _ratings(world: World, co: Company) -> None:
    """The three years up to the snapshot's (2022–2024 for the default snapshot)."""
    r = world.rng
    y = world.snapshot.year
    years = (y - 2, y - 1, y)
    for year in years:
        grade = r.choices("ABCD", (35, 45, 15, 5))[0]
        listed = ""
        if grade == "A" and r.random() < 0.1:
            listed = "红榜"
        elif grade in "CD" and r.random() < 0.15:
            listed = "黑榜"
        if co.black and year == years[-1]:
            grade, listed = "C", "黑榜"
        elif listed == "黑榜" and year == years[-1] and any(c.model_project for c in co.compounds):
            listed = ""  # only the planned company is both black-listed and a model
        world.rating(co.code, year, listed, grade)
