"""The governing frame: city, district, street and community bodies and their officials.

Party side: 市委组织部 (the root, no parent) ⊃ 区委组织部 ⊃ 街道党工委 ⊃ 社区党委 (the
community 大党委), and the district 两新工委 for company 党委s.  The property-industry
party committee (行业党委) runs its own chain 市 → 区 → 街道 → 社区.  Beside them the
住建局 (industry regulator), the street office and the residents' committee.

R11 is seeded here: the district industry committee secretary is the 住建 official, the
street one the street's full-time deputy secretary, the community one the community
party secretary — except in one street and one or two communities per district (and one
district of the city scale), where someone else holds the post.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .geography import DistrictSpec, ScaleSpec
from .plan import Community, DistrictPlan, Street, home_codes
from .world import MEMBER, World

__all__ = ["CityFrame", "DistrictFrame", "build_city", "build_district_frame"]


@dataclass
class CityFrame:
    code: str
    name: str
    department: str  # 市委组织部
    regulator: str  # 市住建局
    industry: str  # 市物业服务行业党委


@dataclass
class DistrictFrame:
    department: str  # 区委组织部
    two_new: str  # 两新工委
    regulator: str  # 区住建局
    industry: str  # district 行业党委
    official: str  # the 住建 official in charge (person)


def build_city(world: World, scale: ScaleSpec) -> CityFrame:
    code, name = scale.city_code, scale.city_name
    world.unit(code, name, "市")
    founded = date(2012, 7, 1)
    dept = world.org("DZ", f"中共{name}委员会组织部", "组织部", code, founded=founded)
    regulator = world.org("ZF", f"{name}建设局", "行业主管部门", code, founded=founded)
    industry = world.org("DZ", f"中共{name}物业服务行业委员会", "行业党委", code, parent=dept,
                         founded=date(2019, 6, 28))
    official = world.person(code, "", MEMBER, dept)
    world.post(official, regulator, "物业管理处负责人", date(2018, 3, 1))
    world.post(official, industry, "行业党委书记", date(2019, 6, 28), concurrent=True)
    return CityFrame(code, name, dept, regulator, industry)


def build_district_frame(world: World, city: CityFrame, spec: DistrictSpec,
                         plan: DistrictPlan, r11_district_gap: bool) -> DistrictFrame:
    """District bodies, then every street and community with their officials."""
    r = world.rng
    area = spec.code
    world.unit(spec.code, spec.name, spec.level, city.code)
    homes = home_codes(plan.compounds)
    dept = world.org("DZ", f"中共{city.name}{spec.name}委员会组织部", "组织部", spec.code,
                     parent=city.department, founded=date(2012, 7, 1))
    two_new = world.org("DZ", f"中共{spec.name}非公有制经济组织和社会组织工作委员会", "党工委",
                        spec.code, parent=dept, founded=date(2016, 5, 1))
    regulator = world.org("ZF", f"{spec.name}住房和建设局", "行业主管部门", spec.code,
                          founded=date(2012, 7, 1))
    industry = world.org("DZ", f"中共{spec.name}物业服务行业委员会", "行业党委", spec.code,
                         parent=city.industry, founded=date(2019, 9, 1))
    official = world.person(area, r.choice(homes), MEMBER, two_new)
    world.post(official, regulator, "物业管理科负责人", world.year_day(2016, 2020))
    secretary = official
    if r11_district_gap:  # the regulator's official is not the one holding the chair
        secretary = world.person(area, r.choice(homes), MEMBER, two_new)
        world.post(secretary, two_new, "两新工委委员", world.year_day(2017, 2020))
        world.tally["gap_r11_district"] += 1
    world.post(secretary, industry, "行业党委书记", date(2019, 9, 1), concurrent=True)
    chief = world.person(area, r.choice(homes), MEMBER, two_new)
    world.post(chief, two_new, "两新工委书记", world.year_day(2018, 2022))

    wrong_street = 1 if len(plan.streets) > 1 else 0
    for i, street in enumerate(plan.streets):
        _street(world, spec, street, plan, dept, industry, i == wrong_street)
    gap_communities = set(world.rng.sample(range(len(plan.communities)),
                                           max(1, round(len(plan.communities) / 40))))
    for i, comm in enumerate(plan.communities):
        _community(world, area, comm, i in gap_communities)
    return DistrictFrame(dept, two_new, regulator, industry, official)


def _street(world: World, spec: DistrictSpec, street: Street, plan: DistrictPlan, dept: str,
            industry: str, r11_gap: bool) -> None:
    r, area = world.rng, spec.code
    world.unit(street.code, street.name, "乡镇" if street.town else "街道", spec.code)
    homes = home_codes([c for comm in plan.communities if comm.street is street
                        for c in comm.compounds] or plan.compounds)
    founded = world.year_day(2000, 2012)
    if street.town:
        street.committee = world.org("DZ", f"中共{spec.name}{street.name}委员会", "党委",
                                     street.code, parent=dept, founded=founded)
        street.office = world.org("ZF", f"{street.name}人民政府", "街道办事处", street.code,
                                  founded=founded)
    else:
        street.committee = world.org("DZ", f"中共{spec.name}{street.name}工作委员会", "党工委",
                                     street.code, parent=dept, founded=founded)
        street.office = world.org("ZF", f"{spec.name}{street.name}办事处", "街道办事处",
                                  street.code, founded=founded)
    street.industry = world.org("DZ", f"中共{street.name}物业服务行业委员会", "行业党委",
                                street.code, parent=industry, founded=world.year_day(2019, 2021))
    word = "党委" if street.town else "党工委"
    secretary = world.person(area, r.choice(homes), MEMBER, street.committee)
    world.post(secretary, street.committee, f"{word}书记", world.year_day(2018, 2023))
    street.deputy = world.person(area, r.choice(homes), MEMBER, street.committee)
    world.post(street.deputy, street.committee, f"{word}专职副书记", world.year_day(2017, 2023))
    for _ in range(2):
        p = world.person(area, r.choice(homes), MEMBER, street.committee)
        world.post(p, street.committee, f"{word}委员", world.year_day(2016, 2023))
        street.members.append(p)
    head = world.person(area, r.choice(homes), MEMBER, street.committee)
    world.post(head, street.office, "主任" if not street.town else "主要负责人",
               world.year_day(2017, 2023))
    for _ in range(2):
        p = world.person(area, r.choice(homes), world.resident_standing(0.4), street.committee)
        world.post(p, street.office, "工作人员", world.year_day(2015, 2024))
    chair = street.deputy
    if r11_gap:
        chair = head
        world.tally["gap_r11_street"] += 1
    world.post(chair, street.industry, "行业党委书记", world.year_day(2019, 2022),
               concurrent=True)


def _community(world: World, area: str, comm: Community, r11_gap: bool) -> None:
    r = world.rng
    street = comm.street
    world.unit(comm.code, comm.name, "社区", street.code)
    homes = home_codes(comm.compounds)
    founded = world.year_day(2003, 2014)
    small = len(comm.compounds) < 4
    comm.party = world.org(
        "DZ", f"中共{street.name}{comm.name}{'总支部' if small else ''}委员会",
        "党总支" if small else "党委", comm.code, parent=street.committee, founded=founded)
    comm.residents = world.org("JW", f"{street.name}{comm.name}居民委员会", "居民委员会",
                               comm.code, founded=founded)
    comm.industry = world.org("DZ", f"中共{comm.name}物业服务行业委员会", "行业党委",
                              comm.code, parent=street.industry,
                              founded=world.year_day(2020, 2022))
    comm.volunteers = world.org("ZY", f"{comm.name}志愿服务队", "志愿服务队", comm.code,
                                founded=world.year_day(2016, 2021))
    word = "总支" if small else "党委"
    comm.secretary = world.person(area, r.choice(homes), MEMBER, comm.party)
    start = world.year_day(2016, 2021)
    world.post(comm.secretary, comm.party, f"社区{word}书记", start)
    if r.random() < 0.8:  # the usual community-level 一肩挑 of secretary and director
        world.post(comm.secretary, comm.residents, "居委会主任", start, concurrent=True)
    else:
        director = world.person(area, r.choice(homes), MEMBER, comm.party)
        world.post(director, comm.residents, "居委会主任", world.year_day(2016, 2021))
    deputy = world.person(area, r.choice(homes), MEMBER, comm.party)
    world.post(deputy, comm.party, f"社区{word}副书记", world.year_day(2016, 2022))
    comm.staff.append(deputy)
    for _ in range(2):
        p = world.person(area, r.choice(homes), MEMBER, comm.party)
        world.post(p, comm.party, f"社区{word}委员", world.year_day(2016, 2023))
        comm.staff.append(p)
    for _ in range(r.randint(1, 3)):
        p = world.person(area, r.choice(homes), world.resident_standing(0.3), comm.party)
        world.post(p, comm.residents, "网格员", world.year_day(2017, 2024))
    chair = comm.secretary
    if r11_gap:
        chair = comm.staff[-1]  # a committee member, not the community secretary
        world.tally["gap_r11_community"] += 1
    world.post(chair, comm.industry, "行业党委书记", world.year_day(2020, 2022), concurrent=True)
    if r.random() < 0.3:  # many hats on one head: the secretary also leads the volunteers
        world.post(comm.secretary, comm.volunteers, "志愿服务队负责人", world.year_day(2018, 2023),
                   concurrent=True)
    world.post(deputy, comm.industry, "行业党委委员", world.year_day(2020, 2022), concurrent=True)
