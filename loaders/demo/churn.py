"""One month of registry churn, applied to a demo export held in memory.

A history (:mod:`.history`) starts from the generator's full export and, month after
month, changes about 2 % of its records the way a district's ledgers change:

- ``reelection``: an owners' committee whose term has ended elects a new one — the old
  posts end, new posts begin (some members re-elected, some new residents), and the
  committee's 届满日期 moves five years on; a few overdue committees catch up too;
- ``branch_founded``: a compound without a party organisation founds a 党支部 (its
  resident members move their 组织关系 to it); the work group it replaces is revoked;
- ``owners_committee_founded``: a compound governed by a self-governance body elects an
  owners' committee; the body is revoked;
- ``new_compound``: a new compound (unit) with its contract, project manager, residents
  and often a work group;
- ``standing``: probationary members (中共预备党员) become full members (中共党员);
  ``recruit``: a few residents become probationary members;
- ``moved_out`` / ``moved_in``: residents holding no post leave (their row disappears, so
  the next full sync retires them) and new ones arrive, about 1.3 % of people each way;
- ``contract_switch``: a compound's contract ends early and another company's begins;
  ``contract_renewed``: a contract that ran out is renewed (mostly by the same company);
- ``revoked``: every revocation above (状态 → 撤销), counted once more on its own;
- ``visits``: the instructors' visits of the month.

Every draw goes through one ``random.Random``, rows are visited in file order and nothing
iterates a set, so a seed fixes every month.  Event dates fall inside the month.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Final

from .export import HEADERS
from .world import MEMBER, NON_MEMBER, PROBATIONARY, World, shift_years

__all__ = ["KINDS", "Churn"]

#: The kinds of change a month can carry (the keys of :attr:`Churn.events`).
KINDS: Final = ("reelection", "branch_founded", "owners_committee_founded", "new_compound",
                "standing", "recruit", "moved_out", "moved_in", "contract_switch",
                "contract_renewed", "revoked", "visits")
_PARTY: Final = ("党委", "党总支", "党支部")
_MEMBERS: Final = (MEMBER, PROBATIONARY)
_NEW_TYPES: Final = (("物管小区", 80), ("安置小区", 15), ("商圈楼宇", 5))


def _col(table: str) -> dict[str, int]:
    return {name: i for i, name in enumerate(HEADERS[table])}


UNIT, ORG, PER, POST, SUP, CON, VIS = (
    _col(t) for t in ("单位", "组织", "人员", "任职", "监管", "物业服务", "走访"))
Row = list[str]


def _iso(d: date) -> str:
    return d.isoformat()


def _open_at(row: Row, start: int, end: int, day: str) -> bool:
    """Valid on ``day``: start ≤ day < end, either end open."""
    return (not row[start] or row[start] <= day) and (not row[end] or day < row[end])


class Churn:
    """The changes of the month (``prev``, ``cur``], written into ``tables`` in place."""

    def __init__(self, tables: dict[str, list[Row]], world: World, prev: date, cur: date,
                 short_pairs: set[tuple[str, str]]) -> None:
        self.t = tables
        self.w = world
        self.r = world.rng
        self.prev, self.cur = prev, cur
        self.short_pairs = short_pairs
        self.events: Counter[str] = Counter({k: 0 for k in KINDS})
        self._index()

    # --- lookups ----------------------------------------------------------------------
    def _index(self) -> None:
        """Lookups over the current rows (rebuilt each month; rows are shared, not copied)."""
        t, cur = self.t, _iso(self.cur)
        self.units = {u[UNIT["单位编码"]]: u for u in t["单位"]}
        self.compounds = [u for u in t["单位"] if u[UNIT["层级"]] == "小区"]
        self.communities = [u for u in t["单位"] if u[UNIT["层级"]] == "社区"]
        self.orgs = {o[ORG["组织编码"]]: o for o in t["组织"]}
        self.people = {p[PER["人员编码"]]: p for p in t["人员"]}
        self.community_party: dict[str, str] = {}
        self.street_office: dict[str, str] = {}
        self.cover: dict[str, str] = {}
        self.at: dict[tuple[str, str], str] = {}  # (compound, kind) → active organisation
        self.companies: dict[str, list[str]] = defaultdict(list)  # district → companies
        comm_codes = {u[UNIT["单位编码"]] for u in self.communities}
        for o in t["组织"]:
            code, kind, unit = o[ORG["组织编码"]], o[ORG["类型"]], o[ORG["所在单位编码"]]
            if o[ORG["状态"]] != "正常":
                continue
            built = [c for c in o[ORG["依托主体编码"]].split(";") if c]
            if kind in ("党委", "党总支") and unit in comm_codes and not built:
                self.community_party.setdefault(unit, code)
            elif kind == "街道办事处":
                self.street_office.setdefault(unit, code)
            elif kind == "物业服务企业":
                self.companies[unit[:6]].append(code)
            if kind in _PARTY:
                for c in built:
                    self.cover.setdefault(c, code)
            elif kind in ("党的工作小组", "业主委员会", "业主监督委员会", "自治组织"):
                self.at.setdefault((unit, kind), code)
        self.posts_in: dict[str, list[Row]] = defaultdict(list)
        for row in t["任职"]:
            self.posts_in[row[POST["组织编码"]]].append(row)
        self.residents: dict[str, list[Row]] = defaultdict(list)
        for p in t["人员"]:
            self.residents[p[PER["居住单位编码"]]].append(p)
        self.contracts: dict[str, list[Row]] = defaultdict(list)
        for row in t["物业服务"]:
            self.contracts[row[CON["小区编码"]]].append(row)
        self._today = cur

    def _day(self) -> date:
        return self.w.day(self.prev + timedelta(days=1), self.cur)

    def _party_home(self, compound: str) -> str:
        """The party organisation a member living in ``compound`` belongs to."""
        unit = self.units[compound]
        return self.cover.get(compound) or self.community_party.get(unit[UNIT["上级单位编码"]], "")

    def _resident(self, compound: str, standing: str) -> str:
        return self.w.person(compound[:6], compound, standing, self._party_home(compound))

    def _end_posts(self, org: str, day: date) -> list[Row]:
        """End every open post in ``org`` on ``day``; the ended rows."""
        ended = []
        for row in self.posts_in.get(org, []):
            if not row[POST["结束日期"]] and row[POST["开始日期"]] <= _iso(day):
                row[POST["结束日期"]] = _iso(day)
                ended.append(row)
        return ended

    def _revoke(self, org: str, day: date) -> None:
        self.orgs[org][ORG["状态"]] = "撤销"
        self._end_posts(org, day)
        self.events["revoked"] += 1

    # --- the month ----------------------------------------------------------------------
    def run(self) -> Counter[str]:
        self._reelections()
        self._branches()
        self._owners_committees()
        self._contracts()
        self._standings()
        self._moves()
        self._new_compounds()
        self._visits()
        return self.events

    def _reelections(self) -> None:
        r, cur, prev = self.r, _iso(self.cur), _iso(self.prev)
        for c in self.compounds:
            oc = self.at.get((c[UNIT["单位编码"]], "业主委员会"))
            if not oc:
                continue
            end = self.orgs[oc][ORG["届满日期"]]
            if not end or end > cur:
                continue
            if r.random() >= (0.75 if end > prev else 0.12):
                continue  # overdue for now (R13 keeps finding some)
            day = self._day()
            old = self._end_posts(oc, day)
            for row in old:
                person = row[POST["人员编码"]]
                if r.random() >= 0.6:  # a new resident takes the seat
                    chair = "主任" in row[POST["职务"]]
                    standing = MEMBER if chair and r.random() < 0.5 else \
                        self.w.resident_standing(0.15)
                    person = self._resident(c[UNIT["单位编码"]], standing)
                self.w.post(person, oc, row[POST["职务"]], day,
                            concurrent=row[POST["任职类型"]] == "兼任")
            self.orgs[oc][ORG["届满日期"]] = _iso(shift_years(day, 5))
            self.events["reelection"] += 1

    def _branches(self) -> None:
        r = self.r
        bare = [c for c in self.compounds if c[UNIT["单位编码"]] not in self.cover]
        founding = [c for c in bare if r.random() < (
            0.12 if (c[UNIT["单位编码"]], "党的工作小组") in self.at else 0.03)]
        if not founding and bare:  # at least one a month while any compound lacks one
            founding = [max(bare, key=lambda c: sum(
                p[PER["政治面貌"]] == MEMBER for p in self.residents[c[UNIT["单位编码"]]]))]
        for c in founding:
            self._found_branch(c)

    def _found_branch(self, c: Row) -> None:
        code, name, parent = c[UNIT["单位编码"]], c[UNIT["名称"]], c[UNIT["上级单位编码"]]
        day = self._day()
        branch = self.w.org("DZ", f"中共{name}支部委员会", "党支部", code,
                            parent=self.community_party.get(parent, ""), built_in=[code],
                            formation="单独建", founded=day)
        self.cover[code] = branch
        members = [p for p in self.residents[code] if p[PER["政治面貌"]] in _MEMBERS]
        for p in members:
            p[PER["党组织编码"]] = branch  # 组织关系 moves to the new branch
        full = [p[PER["人员编码"]] for p in members if p[PER["政治面貌"]] == MEMBER]
        while len(full) < 3:
            full.append(self._resident(code, MEMBER))
        for person, title in zip(full, ("党支部书记", "党支部副书记", "支部委员"), strict=False):
            self.w.post(person, branch, title, day)
        group = self.at.pop((code, "党的工作小组"), "")
        if group:
            self._revoke(group, day)
            for row in self.t["监管"]:  # the instructor's guidance ends with the group
                if row[SUP["被监管方编码"]] == code and not row[SUP["结束日期"]] \
                        and row[SUP["开始日期"]] <= _iso(day):
                    row[SUP["结束日期"]] = _iso(day)
        self.events["branch_founded"] += 1

    def _owners_committees(self) -> None:
        r = self.r
        governed = [c for c in self.compounds if (c[UNIT["单位编码"]], "自治组织") in self.at
                    and (c[UNIT["单位编码"]], "业主委员会") not in self.at]
        for c in governed:
            if r.random() < 0.01:
                self._found_owners_committee(c)

    def _found_owners_committee(self, c: Row) -> None:
        code, name = c[UNIT["单位编码"]], c[UNIT["名称"]]
        day = self._day()
        self._revoke(self.at.pop((code, "自治组织")), day)
        oc = self.w.org("YW", f"{name}业主委员会", "业主委员会", code, founded=day,
                        term_end=shift_years(day, 5))
        self.at[(code, "业主委员会")] = oc
        people = [p[PER["人员编码"]] for p in self.residents[code]]
        self.r.shuffle(people)
        while len(people) < 5:
            people.append(self._resident(code, self.w.resident_standing(0.1)))
        for i, person in enumerate(people[:5]):
            self.w.post(person, oc, ("业委会主任", "业委会副主任")[i] if i < 2 else "业委会委员",
                        day)
        street = self.units[c[UNIT["上级单位编码"]]][UNIT["上级单位编码"]]
        self.w.supervise(self._party_home(code), oc, "党组织领导", day)
        if street in self.street_office:
            self.w.supervise(self.street_office[street], oc, "属地管理", day)
        self.events["owners_committee_founded"] += 1

    def _contracts(self) -> None:
        r, cur, prev = self.r, _iso(self.cur), _iso(self.prev)
        running: list[tuple[Row, Row]] = []
        for c in self.compounds:
            rows = self.contracts[c[UNIT["单位编码"]]]
            if any(_open_at(x, CON["开始日期"], CON["结束日期"], cur) for x in rows):
                running += [(c, x) for x in rows
                            if _open_at(x, CON["开始日期"], CON["结束日期"], prev)
                            and _open_at(x, CON["开始日期"], CON["结束日期"], cur)]
                continue
            lapsed = [x for x in rows if prev < x[CON["结束日期"]] <= cur]
            if lapsed:  # ran out this month and nothing follows: renewed
                last = lapsed[-1]
                same = r.random() < 0.8
                company = last[CON["企业编码"]] if same else self._other_company(last)
                day = date.fromisoformat(last[CON["结束日期"]])
                self.w.contract(company, c[UNIT["单位编码"]],
                                last[CON["项目名称"]] if same else f"{c[UNIT['名称']]}物业服务项目",
                                day, shift_years(day, r.choice((3, 5))))
                if not same:
                    self._hand_over(c, last, company, day)
                self.events["contract_renewed"] += 1
        switches = max(1, round(len(running) * 0.003 + r.random() - 0.5))
        for c, old in r.sample(running, min(switches, len(running))):
            day = self._day()
            company = self._other_company(old)
            old[CON["结束日期"]] = _iso(day)
            self.w.contract(company, c[UNIT["单位编码"]], f"{c[UNIT['名称']]}物业服务项目", day,
                            shift_years(day, r.choice((3, 5))))
            self._hand_over(c, old, company, day)
            self.events["contract_switch"] += 1

    def _other_company(self, contract: Row) -> str:
        old = contract[CON["企业编码"]]
        pool = [co for co in self.companies[contract[CON["小区编码"]][:6]] if co != old]
        return self.r.choice(pool) if pool else old

    def _hand_over(self, c: Row, old: Row, company: str, day: date) -> None:
        """The old company's project manager leaves, the new one's arrives; the compound's
        supervisory committee now oversees the new company."""
        for row in self.posts_in.get(old[CON["企业编码"]], []):
            if row[POST["职务"]] == "项目经理" and row[POST["开始日期"]] == old[CON["开始日期"]] \
                    and not row[POST["结束日期"]]:
                row[POST["结束日期"]] = _iso(day)
                break
        code = c[UNIT["单位编码"]]
        pm = self.w.person(code[:6], code, self.w.resident_standing(0.1), self._party_home(code))
        self.w.post(pm, company, "项目经理", day)
        board = self.at.get((code, "业主监督委员会"))
        if board:
            for row in self.t["监管"]:
                if (row[SUP["监管方编码"]], row[SUP["被监管方编码"]], row[SUP["结束日期"]]) == (
                        board, old[CON["企业编码"]], "") and row[SUP["开始日期"]] <= _iso(day):
                    row[SUP["结束日期"]] = _iso(day)
            self.w.supervise(board, company, "业主监督", day)

    def _standings(self) -> None:
        r = self.r
        probationary = [p for p in self.t["人员"] if p[PER["政治面貌"]] == PROBATIONARY]
        for p in probationary:
            if r.random() < 1 / 12 or (self.events["standing"] == 0 and p is probationary[-1]):
                p[PER["政治面貌"]] = MEMBER  # a year's probation ends
                self.events["standing"] += 1
        pool = [p for p in self.t["人员"] if p[PER["政治面貌"]] == NON_MEMBER
                and p[PER["居住单位编码"]] in self.cover]
        for p in r.sample(pool, min(len(pool), max(1, math.ceil(len(probationary) / 12)))):
            p[PER["政治面貌"]] = PROBATIONARY
            p[PER["党组织编码"]] = self.cover[p[PER["居住单位编码"]]]
            self.events["recruit"] += 1

    def _moves(self) -> None:
        r = self.r
        holding = {row[POST["人员编码"]] for row in self.t["任职"]}
        holding.update(row[SUP["监管方编码"]] for row in self.t["监管"])
        people = self.t["人员"]
        leaving = {i for i, p in enumerate(people) if p[PER["人员编码"]] not in holding
                   and p[PER["居住单位编码"]] in self.units and r.random() < 0.013}
        homes = [p[PER["居住单位编码"]] for i, p in enumerate(people) if i in leaving]
        people[:] = [p for i, p in enumerate(people) if i not in leaving]
        self.events["moved_out"] += len(leaving)
        compounds = [c[UNIT["单位编码"]] for c in self.compounds]
        for home in homes:  # as many arrive, in compounds drawn anew
            code = r.choice(compounds) if r.random() < 0.5 else home
            self._resident(code, self.w.resident_standing(0.08))
            self.events["moved_in"] += 1

    def _new_compounds(self) -> None:
        r = self.r
        count = max(1, math.floor(len(self.compounds) * 0.0015 + r.random()))
        taken = {u[UNIT["名称"]] for u in self.compounds}
        for _ in range(count):
            comm = r.choice(self.communities)
            self._new_compound(comm, taken)

    def _new_compound(self, comm: Row, taken: set[str]) -> None:
        r, w = self.r, self.w
        parent = comm[UNIT["单位编码"]]
        used = [int(u[UNIT["单位编码"]][-3:]) for u in self.compounds
                if u[UNIT["上级单位编码"]] == parent]
        code = f"{parent}{max(used, default=0) + 1:03d}"
        kind = r.choices([k for k, _ in _NEW_TYPES], [w for _, w in _NEW_TYPES])[0]
        households = min(3000, max(80, round(r.lognormvariate(6.0, 0.5))))
        name = w.names.compound(kind, taken)
        day = self._day()
        w.unit(code, name, "小区", parent, kind, households)
        unit = self.t["单位"][-1]
        self.units[code] = unit
        self.compounds.append(unit)
        party = self.community_party.get(parent, "")
        for _ in range(3 + min(households // 80, 18)):
            self.residents[code].append(self._new_person(code, w.resident_standing(0.08)))
        companies = self.companies[code[:6]]
        if companies:
            company = r.choice(companies)
            w.contract(company, code, f"{name}物业服务项目", day, shift_years(day, 3))
            pm = w.person(code[:6], code, w.resident_standing(0.1), party)
            w.post(pm, company, "项目经理", day)
        if r.random() < 0.6:
            group = w.org("DZ", f"{name}党的工作小组", "党的工作小组", code, parent=party,
                          built_in=[code], founded=day)
            self.at[(code, "党的工作小组")] = group
            w.post(self._new_person(code, MEMBER)[PER["人员编码"]], group, "党的工作小组组长", day)
        self.events["new_compound"] += 1

    def _new_person(self, compound: str, standing: str) -> Row:
        self._resident(compound, standing)
        return self.t["人员"][-1]

    def _visits(self) -> None:
        r = self.r
        first = self.cur.replace(day=1)
        span = (self.cur - first).days + 1
        pairs = sorted({(v[VIS["人员编码"]], v[VIS["组织编码"]]) for v in self.t["走访"]})
        for person, company in pairs:
            k = r.choice((0, 1, 1)) if (person, company) in self.short_pairs else r.randint(2, 3)
            for d in sorted(r.sample(range(span), k)):
                self.w.visit(person, company, first + timedelta(days=d))
                self.events["visits"] += 1
