"""Party-building instructors (党建指导员), their assignments and their visit logs.

Instructors are dispatched by the street committee to companies without a party
organisation and to compounds whose work group has no branch yet (R1, R2).  About 40
per Huli-sized district (Maiji dispatched 38), each with one to three assignments.  Visits
cover the six months before the snapshot; most pairs meet R12's two a month, about one
in seven falls short in some months (at least one pair per district always does).
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from .plan import Compound, DistrictPlan, Street, home_codes
from .world import MEMBER, World

__all__ = ["build_instructors"]


def build_instructors(world: World, plan: DistrictPlan,
                      work_groups: list[tuple[str, Compound]]) -> None:
    r, t = world.rng, world.tally
    area = plan.spec.code
    homes = home_codes(plan.compounds)
    targets: dict[int, list[tuple[str, str, str]]] = {}  # street index → (kind, code, org)
    street_index = {id(s): i for i, s in enumerate(plan.streets)}
    for co in plan.companies:
        if co.instructor and co.kind in ("should", "small", "none"):
            targets.setdefault(street_index[id(co.community.street)], []).append(
                ("company", co.code, ""))
    for group, c in work_groups:
        targets.setdefault(street_index[id(c.community.street)], []).append(
            ("compound", c.code, group))
    total = sum(len(v) for v in targets.values())
    per = max(1.0, total / plan.targets.instructors) if total else 1.0
    months = _months(world.snapshot, 6)
    for si in sorted(targets):
        street: Street = plan.streets[si]
        items = targets[si]
        n = max(1, math.ceil(len(items) / per))
        people = []
        for _ in range(n):
            p = world.person(area, r.choice(homes), MEMBER, street.committee)
            world.post(p, street.committee, "党建指导员", world.year_day(2018, 2023))
            people.append(p)
            t["instructors"] += 1
        for i, (kind, code, group) in enumerate(items):
            p = people[i % n]
            start = world.year_day(2019, 2024)
            world.supervise(p, code, "党建指导", start)
            if kind == "compound":
                world.post(p, group, "党建指导员", start, concurrent=True)
                continue
            short = r.random() < 0.15 or t["gap_r12_short"] == 0
            t["gap_r12_short"] += short
            for first, last in months:
                k = r.choice((0, 1, 1)) if short else r.randint(2, 3)
                days = sorted(r.sample(range((last - first).days + 1), k))
                for d in days:
                    world.visit(p, code, first + timedelta(days=d))
    for co in plan.companies:
        if co.kind in ("should", "small", "none") and not co.instructor:
            t["gap_r2_no_instructor"] += co.kind == "none"
        if co.kind == "should":
            t["gap_r2_should_build"] += 1


def _months(snapshot: date, count: int) -> list[tuple[date, date]]:
    """The ``count`` whole calendar months up to the snapshot's month, oldest first."""
    out = []
    y, m = snapshot.year, snapshot.month
    for _ in range(count):
        first = date(y, m, 1)
        nxt = date(y + (m == 12), m % 12 + 1, 1)
        out.append((first, min(nxt - timedelta(days=1), snapshot)))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]
