"""Generate a demo registry export: the entry point :func:`generate`.

Deterministic by seed: one ``random.Random(seed)`` drives every draw, nothing iterates a
set or reads the clock, and the manifest's 导出时间 is derived from the seed, so the same
seed writes byte-identical files and a second ``redgov demo`` syncs as ``unchanged``.
The snapshot date is fixed by default (2024-12-31, the year of Huli's published figures):
expired terms, active contracts and the visit window are all relative to it.  A history
(:mod:`.history`) starts from an export generated at an earlier month's end.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Final

from ..progress import stop_point
from .companies import build_companies, plan_companies
from .compounds import build_compound_bodies, build_compound_people
from .evaluation import build_evaluation
from .export import MANIFEST, ExportWriter
from .geography import scale_spec
from .governance import build_city, build_district_frame
from .instructors import build_instructors
from .plan import plan_district
from .summary import SCALE_ZH, DemoSummary
from .world import World

__all__ = ["SNAPSHOT", "exported_at", "generate"]

SNAPSHOT: Final = date(2024, 12, 31)
SOURCE: Final = "redgov 演示台账"
#: Which district of a multi-district scale has its industry-committee chair wrong (R11).
_R11_DISTRICT: Final = 3


def exported_at(seed: int, snapshot: date = SNAPSHOT) -> str:
    """The manifest's export time: the morning after the snapshot, minutes from the seed."""
    minutes = (seed * 7919) % (6 * 60)
    day = snapshot + timedelta(days=1)
    return f"{day:%Y-%m-%d} {1 + minutes // 60:02d}:{minutes % 60:02d}:{(seed * 31) % 60:02d}"


def generate(out_dir: Path, *, scale: str = "district", seed: int = 1,
             snapshot: date = SNAPSHOT) -> DemoSummary:
    """Write a full (全量) registry export of the given scale into ``out_dir``.

    The folder is created if needed; the nine table files are (over)written, other files
    are left alone.  ``snapshot`` (default :data:`SNAPSHOT`) is the date the export
    describes; every date drawn is relative to it.
    """
    started = time.perf_counter()
    spec = scale_spec(scale)
    out_dir = Path(out_dir)
    rng = random.Random(seed)
    stamp = exported_at(seed, snapshot)
    with ExportWriter(out_dir) as out:
        source = f"{SOURCE}（{SCALE_ZH.get(scale, scale)}，种子 {seed}）"
        for key, value in (("来源", source), ("导出时间", stamp),
                           ("快照日期", snapshot.isoformat()), ("类型", "全量"), ("版本", "1")):
            out.row(MANIFEST, key, value)
        world = World(out, rng, snapshot)
        city = build_city(world, spec)
        streets = communities = compounds = companies = with_org = 0
        total: Counter[str] = Counter()
        for i, district in enumerate(spec.districts):
            stop_point()  # a first Ctrl-C stops here (progress.py)
            world.tally = Counter()  # per district, so each seeds every finding at least once
            plan = plan_district(world, district)
            plan_companies(world, plan, spec.city_prefix)
            frame = build_district_frame(world, city, district, plan, i == _R11_DISTRICT)
            build_companies(world, plan, frame)
            groups = build_compound_bodies(world, plan)
            build_compound_people(world, plan)
            build_instructors(world, plan, groups)
            streets += len(plan.streets)
            communities += len(plan.communities)
            compounds += len(plan.compounds)
            companies += len(plan.companies)
            with_org += sum(co.kind in ("own", "joint", "attached") for co in plan.companies)
            total.update(world.tally)
        counts = dict(out.counts)
    # 示范创建 tables: from the rows on disk, with a random source of their own (so every
    # other table is what it was before they existed).
    for table, n in build_evaluation(out_dir, seed=seed, snapshot=snapshot).items():
        counts[table] += n
    t = total
    return DemoSummary(
        out_dir=out_dir, scale=scale, seed=seed, snapshot_date=snapshot.isoformat(),
        exported_at=stamp, districts=len(spec.districts), streets=streets,
        communities=communities, compounds=compounds,
        compound_branches=t["compound_branches"], compounds_covered=t["compounds_covered"],
        managed_compounds=t["managed"], owners_committee_compounds=t["owners_committees"],
        companies=companies, companies_with_party_org=with_org,
        one_shoulder=t["one_shoulder"], party_member_chairs=t["party_chairs"],
        instructors=t["instructors"], people=counts["人员"],
        rows={k: v for k, v in counts.items() if k != MANIFEST},
        gaps={k: v for k, v in sorted(t.items()) if k.startswith("gap_")},
        seconds=round(time.perf_counter() - started, 3),
    )
