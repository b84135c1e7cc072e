"""The demo's 示范创建 tables (评分, 命名, 事件, 经费), calibrated to seed 004.

Written after the rest of an export, from the rows already on disk, so the generator's
own random sequence (and every figure the other demo tests pin) is untouched: this module
draws from its own ``random.Random`` derived from the seed.  For each of the three years
up to the snapshot's evaluation year it picks a city's worth of candidates (内容四: a year
names ≥ 30 projects, ≥ 10 companies, ≥ 10 committees, ≥ 50 people, so about 40–60 project
candidates, 15–25 companies, 15–25 committees and 60–80 people, fewer when the export is
small), has each scored by the organisation departments and street committees above it
(a criterion's score by one or two scorers), and plants every disqualifier of R16–R18:
compounds without a party organisation, black-listed compounds and companies, safety
incidents in the year and the one before, refusals, labour violations, abnormal-operation
listings, low credit grades, vetoes.  The 命名 list names the best eligible candidates
but plants R20's findings: one named candidate that is not eligible, one passed over,
and a quota shortfall (companies).  经费 gives party organisations in companies and
compounds their yearly funds, a few below R15's floor and a few with none.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Final

from ...graph.evaluation_rules import CATEGORY_ZH, CRITERIA, INCIDENT_KIND_ZH, QUOTAS
from .export import HEADERS

__all__ = ["EVALUATION_TABLES", "build_evaluation", "evaluation_year"]

EVALUATION_TABLES: Final = ("评分", "命名", "事件", "经费")
#: Candidates per year and category at city scale (seed 004 内容四, see the module doc).
_CANDIDATES: Final = {"project": 50, "company": 20, "committee": 18, "person": 70}
_PARTY: Final = ("党委", "党总支", "党支部")
#: R15 floors by kind (seed 004 内容三 强化考评激励).
_FLOOR: Final = {"党委": 10000, "党总支": 5000, "党支部": 3000}


def evaluation_year(snapshot: date) -> int:
    """The last year whose 命名 (about 20 December) the snapshot already holds."""
    return snapshot.year if (snapshot.month, snapshot.day) >= (12, 20) else snapshot.year - 1


def _read(folder: Path, table: str) -> list[list[str]]:
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[1:]


@dataclass
class _City:
    """What the picks need from the export already written."""

    parent: dict[str, str] = field(default_factory=dict)
    level: dict[str, str] = field(default_factory=dict)
    compounds: list[str] = field(default_factory=list)
    orgs: dict[str, list[str]] = field(default_factory=dict)
    built_in: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    managed_by: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    staff: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    scorers: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    #: (company, year) → (红黑榜, 信用等级) of the 评价 rows
    rated: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    def black(self, company: str, year: int) -> bool:
        return self.rated.get((company, str(year)), ("", ""))[0] == "黑榜"

    def low(self, company: str, year: int) -> bool:
        grade = self.rated.get((company, str(year)), ("", ""))[1]
        return bool(grade) and not grade.upper().startswith("A")

    def up(self, unit: str, level: str) -> str | None:
        seen = 0
        while unit and seen < 8:
            if self.level.get(unit) == level:
                return unit
            unit, seen = self.parent.get(unit, ""), seen + 1
        return None


def _city(folder: Path, snapshot: date) -> _City:
    city = _City()
    day = snapshot.isoformat()
    for code, _name, level, parent, *_ in _read(folder, "单位"):
        city.parent[code], city.level[code] = parent, level
        if level == "小区":
            city.compounds.append(code)
    for row in _read(folder, "组织"):
        code, kind, unit, built, formation, status = row[0], row[2], row[3], row[5], row[6], row[9]
        if status != "正常":
            continue
        city.orgs[code] = row
        if kind in _PARTY and formation in ("单独建", "联合建"):
            for target in filter(None, built.split(";")):
                city.built_in[target].append(code)
        if kind in ("组织部", "党工委"):
            city.scorers[unit].append(code)
    for company, compound, _p, start, end, *_ in _read(folder, "物业服务"):
        if start <= day and (not end or day < end):
            city.managed_by[compound].append(company)
    for person, org, _t, kind, _s, end, *_ in _read(folder, "任职"):
        if kind == "本职" and not end and org in city.orgs and city.orgs[org][2] == "物业服务企业":
            city.staff[org].append(person)
    city.rated = {(r[0], r[1]): (r[2], r[3]) for r in _read(folder, "评价")}
    return city


class _Writer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        # 评价 too: a low credit grade is planted where a company has no rating that year
        self.rows: dict[str, list[tuple[object, ...]]] = {
            t: [] for t in (*EVALUATION_TABLES, "评价")}

    def add(self, table: str, *values: object) -> None:
        # columns declared past the ones the demo fills are left empty, as ExportWriter does
        self.rows[table].append((*values, *[""] * (len(HEADERS[table]) - len(values))))

    def flush(self) -> dict[str, int]:
        for table, rows in self.rows.items():
            with (self.folder / f"{table}.csv").open("a", encoding="utf-8", newline="") as fh:
                csv.writer(fh).writerows(rows)
        return {t: len(r) for t, r in self.rows.items()}


def _mean(values: Iterable[float]) -> float:
    vals = [Decimal(str(v)) for v in values]
    return float((sum(vals, Decimal(0)) / len(vals)).quantize(Decimal("0.1"), ROUND_HALF_UP))


class _Year:
    """One year's candidates, scores, planted incidents and namings."""

    def __init__(self, city: _City, rng: random.Random, year: int, out: _Writer,
                 scale: float) -> None:
        self.city, self.rng, self.year, self.out, self.scale = city, rng, year, out, scale
        self.incidents: set[tuple[str, str, str]] = set()

    def day(self, year: int | None = None) -> str:
        y = self.year if year is None else year
        return date(y, self.rng.randint(1, 11), self.rng.randint(1, 28)).isoformat()

    def incident(self, target: str, kind: str, year: int | None = None, note: str = "") -> None:
        when = self.day(year)
        key = (target, kind, when)
        if key not in self.incidents:
            self.incidents.add(key)
            self.out.add("事件", target, INCIDENT_KIND_ZH[kind], when, note)

    def scorers_of(self, unit: str) -> list[str]:
        found: list[str] = []
        for level in ("街道", "乡镇", "区", "县", "市"):
            at = self.city.up(unit, level)
            if at:
                found.extend(self.city.scorers.get(at, []))
        return sorted(set(found))[:3] or sorted(self.city.scorers.get(self.root(), []))[:1]

    def root(self) -> str:
        return next((u for u, lv in self.city.level.items() if lv == "市"), "")

    def score(self, category: str, code: str, unit: str, strength: float) -> float:
        """Write the candidate's scores; returns its total as R19 computes it."""
        scorers = self.scorers_of(unit)
        if not scorers:
            return 0.0
        total = 0.0
        criteria = CRITERIA[category]
        skip = criteria[-1].code if self.rng.random() < 0.08 else None  # a criterion unscored
        for c in criteria:
            if c.code == skip:
                continue
            chosen = scorers if len(scorers) < 2 or self.rng.random() < 0.5 else \
                self.rng.sample(scorers, 2)
            given = []
            for who in chosen[:2]:
                raw = c.maximum * min(1.0, max(0.3, strength + self.rng.uniform(-0.08, 0.05)))
                value = round(raw * 2) / 2  # halves, as a jury scores
                given.append(value)
                self.out.add("评分", self.year, CATEGORY_ZH[category], code, c.zh, f"{value:g}",
                             who)
            total += _mean(given)
        return round(total, 1)


def _pick(rng: random.Random, pool: list[str], n: int) -> list[str]:
    return rng.sample(pool, min(n, len(pool)))


def build_evaluation(folder: Path, *, seed: int, snapshot: date) -> dict[str, int]:
    """Append the four tables to the export in ``folder``; rows written per table."""
    city = _city(folder, snapshot)
    rng = random.Random(seed * 104_729 + 17)
    out = _Writer(folder)
    scale = min(1.0, len(city.compounds) / 500)
    last = evaluation_year(snapshot)
    for year in (last - 2, last - 1, last):
        _one_year(_Year(city, rng, year, out, scale), last)
    _funding(city, rng, out, last)
    return out.flush()


def _one_year(y: _Year, last: int) -> None:
    city, rng, year = y.city, y.rng, y.year
    n = {k: max(4, round(v * max(y.scale, 0.3))) for k, v in _CANDIDATES.items()}
    pool = sorted(k for k, v in city.orgs.items() if v[2] == "物业服务企业")
    good = [co for co in pool if city.built_in.get(co) and not city.low(co, year)
            and not city.black(co, year)]
    # Most candidates come from well-run companies' compounds (as a department's would).
    with_org = [c for c in city.compounds if city.built_in.get(c)]
    favoured = [c for c in with_org if set(city.managed_by.get(c, [])) & set(good)]
    projects = _pick(rng, favoured, (n["project"] - 3) * 3 // 5)
    projects += _pick(rng, [c for c in with_org if c not in projects], n["project"] - 3
                      - len(projects))
    without = [c for c in city.compounds if not city.built_in.get(c)]
    projects += _pick(rng, without, 3)
    ineligible: set[str] = set(projects[-3:])  # R16: no party organisation
    for c in projects:
        if any(city.black(co, year) for co in city.managed_by.get(c, [])):
            ineligible.add(c)  # its company is on the year's 黑榜 (评价)
    plants = [c for c in projects if c not in ineligible]
    rng.shuffle(plants)
    for code, kind, when in ((plants[0], "blacklist", year), (plants[1], "safety_accident", year),
                             (plants[2], "casualty", year - 1)):
        y.incident(code, kind, when, "物业管理大检查" if kind == "blacklist" else "")
        ineligible.add(code)
    # R17 plants on companies with their own party organisation serving
    # at most one candidate compound: a company's safety incident or black list also
    # disqualifies that compound (R16's company_* reasons).
    serving: dict[str, list[str]] = defaultdict(list)
    for c in projects:
        for co in city.managed_by.get(c, []):
            serving[co].append(c)
    quiet = [co for co in pool if city.built_in.get(co) and len(serving.get(co, [])) <= 1]
    rng.shuffle(quiet)
    quiet.sort(key=lambda co: -len(serving.get(co, [])))  # those serving one first
    planted: list[str] = []
    for co, kind in zip(quiet, ("safety_penalty", "blacklist", "refused_party_activity",
                                "labour_violation", "abnormal_operation"), strict=False):
        y.incident(co, kind, year, "物业管理大检查列入黑名单" if kind == "blacklist" else "")
        planted.append(co)
        if kind in ("safety_penalty", "blacklist"):
            ineligible.update(serving[co])
    for co in quiet[5:6]:
        if (co, str(year)) not in city.rated:
            city.rated[(co, str(year))] = ("", "B")
            y.out.add("评价", co, year, "", "B")
            planted.append(co)
    totals = {c: y.score("project", c, c, rng.uniform(0.62, 0.97)) for c in projects}
    named_projects = _name(y, "project", totals, ineligible)
    # 示范企业 candidates: the planted ones, the well-placed companies managing a named
    # project (the ones a department puts forward), and two others.
    has_project = {co for c in named_projects for co in city.managed_by.get(c, [])}
    companies = list(planted)
    companies += [co for co in good if co in has_project and co not in companies]
    companies += _pick(rng, [co for co in pool if co not in companies],
                       max(2, n["company"] - len(companies)))
    bad_company = {co for co in companies
                   if co in planted or co not in good or co not in has_project}
    totals = {co: y.score("company", co, city.orgs[co][3], rng.uniform(0.6, 0.96))
              for co in companies}
    _name(y, "company", totals, bad_company, shortfall=True)
    # 最美业委会 and 最美物业人, with vetoes
    committees = sorted(k for k, v in city.orgs.items() if v[2] == "业主委员会")
    committees = _pick(rng, committees, n["committee"])
    vetoed = set(committees[:2])
    for oc in sorted(vetoed):
        y.incident(oc, "veto", year, "")
    totals = {oc: y.score("committee", oc, city.orgs[oc][3], rng.uniform(0.6, 0.97))
              for oc in committees}
    _name(y, "committee", totals, vetoed)
    staff = sorted({p for co in sorted(city.staff) for p in city.staff[co][:3]})
    people = _pick(rng, staff, n["person"])
    home = {p: co for co in sorted(city.staff) for p in city.staff[co]}
    vetoed = set(people[:2])
    for p in sorted(vetoed):
        y.incident(p, "veto", year, "")
    totals = {p: y.score("person", p, city.orgs[home[p]][3], rng.uniform(0.6, 0.97))
              for p in people}
    _name(y, "person", totals, vetoed)


def _name(y: _Year, category: str, totals: dict[str, float], ineligible: set[str],
          shortfall: bool = False) -> list[str]:
    """Name the best eligible within the quota, planting R20's findings: the best-ranked
    eligible candidate is passed over, one ineligible candidate is named, and (companies)
    fewer than the quota are named."""
    ranked = sorted((c for c in totals if c not in ineligible), key=lambda c: (-totals[c], c))
    quota = QUOTAS[category]
    chosen = ranked[1:quota + 1] if len(ranked) > quota else ranked[1:]
    if shortfall:
        chosen = chosen[:max(1, min(len(chosen), quota - 2))]
    wrong = sorted(c for c in totals if c in ineligible)
    if wrong:
        chosen.append(wrong[0])
    for code in chosen:
        y.out.add("命名", y.year, CATEGORY_ZH[category], code, f"{y.year}-12-20")
    return chosen


def _funding(city: _City, rng: random.Random, out: _Writer, last: int) -> None:
    """R15: party organisations in companies and compounds, last two years."""
    funded = sorted({o for targets in city.built_in.values() for o in targets})
    for year in (last - 1, last):
        for org in funded:
            kind = city.orgs[org][2]
            x = rng.random()
            if x < 0.08:
                continue  # no funds recorded at all
            floor = _FLOOR[kind]
            amount = floor // 2 if x < 0.2 else floor + rng.choice((0, 0, 500, 1000, 2000))
            out.add("经费", org, year, amount)


def headers() -> dict[str, tuple[str, ...]]:
    """The four tables' headers as the export writes them (export.HEADERS)."""
    return {t: HEADERS[t] for t in EVALUATION_TABLES}
