"""A demo history: N monthly full exports with realistic churn (``redgov demo --history N``).

The first export is the generator's own (:func:`.generate.generate`) at the month end
N − 1 months before :data:`.generate.SNAPSHOT`; every later one is the month before it
with one month of :mod:`.churn` applied, dated at its month's end, so the last describes
``SNAPSHOT``.  Each is a complete ``全量`` export in its own folder named by its date,
ready to be synced in order (each sync publishes one snapshot).

The tables are held in memory between months (about 120,000 rows at ``city``); the
first export still streams to disk as the generator writes it.  Deterministic: the churn
draws from its own ``random.Random`` derived from the seed, so the same seed writes the
same bytes in every folder, and ``months = 1`` is exactly the single export.
"""

from __future__ import annotations

import csv
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Final

from .churn import Churn
from .export import HEADERS, MANIFEST, ExportWriter
from .generate import SNAPSHOT, SOURCE, exported_at, generate
from .measure import measure
from .summary import SCALE_ZH, DemoSummary
from .world import World

__all__ = ["MAX_MONTHS", "Month", "Tables", "generate_history", "month_ends"]

#: The longest history ``redgov demo`` writes (three years of month ends).
MAX_MONTHS: Final = 36
_CODE_NUMBER = re.compile(r"(\d+)$")


def month_ends(last: date, count: int) -> list[date]:
    """The ``count`` month ends up to ``last`` (itself a month end), oldest first.

    >>> [d.isoformat() for d in month_ends(date(2024, 12, 31), 3)]
    ['2024-10-31', '2024-11-30', '2024-12-31']
    """
    out = [last]
    while len(out) < count:
        out.append(out[-1].replace(day=1) - timedelta(days=1))
    return out[::-1]


@dataclass
class Month:
    """One export of a history: its date, folder, rows per table and the churn it carries
    over the month before (empty for the first)."""

    snapshot: date
    folder: Path
    rows: dict[str, int]
    events: Counter[str] = field(default_factory=Counter)


class Tables:
    """Every table of an export but the manifest, in memory as lists of string cells.

    :class:`.world.World` writes new rows here exactly as it writes to an export folder.
    """

    def __init__(self) -> None:
        self.rows: dict[str, list[list[str]]] = {t: [] for t in HEADERS if t != MANIFEST}

    def row(self, table: str, *values: object) -> None:
        self.rows[table].append(["" if v is None else str(v) for v in values])

    @classmethod
    def read(cls, folder: Path) -> Tables:
        tables = cls()
        for name, rows in tables.rows.items():
            with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
                reader = csv.reader(fh)
                next(reader)
                rows.extend(reader)
        return tables

    def write(self, folder: Path, manifest: list[tuple[str, str]]) -> dict[str, int]:
        with ExportWriter(folder) as out:
            for key, value in manifest:
                out.row(MANIFEST, key, value)
            for name, rows in self.rows.items():
                for row in rows:
                    out.row(name, *row)
            return {k: v for k, v in out.counts.items() if k != MANIFEST}

    def highest(self, table: str, column: str) -> int:
        """The highest number a code column ends with (codes are prefix + counter)."""
        i = HEADERS[table].index(column)
        found = (_CODE_NUMBER.search(r[i]) for r in self.rows[table])
        return max((int(m.group(1)) for m in found if m), default=0)


def _short_pairs(visits: list[list[str]]) -> set[tuple[str, str]]:
    """Instructor–company pairs that fell short of two visits in some month (R12 cases):
    they stay short in the months the history adds."""
    per: Counter[tuple[str, str, str]] = Counter((v[0], v[1], v[2][:7]) for v in visits)
    months = sorted({v[2][:7] for v in visits})
    pairs = sorted({(v[0], v[1]) for v in visits})
    return {p for p in pairs if any(per[(*p, m)] < 2 for m in months)}


def generate_history(out_dir: Path, *, scale: str = "district", seed: int = 1,
                     months: int = 1) -> tuple[DemoSummary, list[Month]]:
    """Write ``months`` dated export folders into ``out_dir``; the summary of the last.

    The summary's calibration figures are recounted from the last export's files
    (:func:`.measure.measure`); instructors and the seeded gaps are the first export's.
    """
    if not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"months must be 1–{MAX_MONTHS}, not {months}")
    started = time.perf_counter()
    out_dir = Path(out_dir)
    dates = month_ends(SNAPSHOT, months)
    first = out_dir / dates[0].isoformat()
    base = generate(first, scale=scale, seed=seed, snapshot=dates[0])
    history = [Month(dates[0], first, dict(base.rows))]
    if months > 1:
        tables = Tables.read(first)
        rng = random.Random(seed * 1_000_003 + 7)  # not the generator's own sequence
        world = World(tables, rng, dates[0])
        world.resume(tables.highest("组织", "组织编码"), tables.highest("人员", "人员编码"))
        short = _short_pairs(tables.rows["走访"])
        source = f"{SOURCE}（{SCALE_ZH.get(scale, scale)}，种子 {seed}）"
        for prev, cur in pairwise(dates):
            world.snapshot = cur
            events = Churn(tables.rows, world, prev, cur, short).run()
            folder = out_dir / cur.isoformat()
            manifest = [("来源", source), ("导出时间", exported_at(seed, cur)),
                        ("快照日期", cur.isoformat()), ("类型", "全量"), ("版本", "1")]
            history.append(Month(cur, folder, tables.write(folder, manifest), events))
    last = history[-1]
    figures = measure(last.folder)
    summary = replace(
        base, out_dir=last.folder, snapshot_date=last.snapshot.isoformat(),
        exported_at=exported_at(seed, last.snapshot), rows=dict(last.rows),
        seconds=round(time.perf_counter() - started, 3),
        **{k: figures[k] for k in (
            "compounds", "compound_branches", "compounds_covered", "managed_compounds",
            "owners_committee_compounds", "companies", "companies_with_party_org",
            "one_shoulder", "party_member_chairs", "people")},
    )
    return summary, history
