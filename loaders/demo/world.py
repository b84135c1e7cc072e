"""The generation context: one random source, the export writer, and row helpers.

Every row of the export is written through :class:`World`, which allocates codes from
counters (so codes never collide across districts), formats dates as ISO strings and
keeps the tallies the summary reports.  Nothing here holds generated rows: a district
builder keeps its own plan while it runs and drops it when done.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Final, Protocol

from .names import NameMaker
from .personal import make_id, make_phone

__all__ = ["MEMBER", "NON_MEMBER", "PROBATIONARY", "RowSink", "World", "shift_years"]

MEMBER: Final = "中共党员"
PROBATIONARY: Final = "中共预备党员"
NON_MEMBER: Final = "群众"
# Other 政治面貌 values a ledger carries (民主党派, 团员, 无党派): kept as written.
_OTHER_STANDINGS: Final = ("共青团员", "致公党党员", "民盟盟员", "九三学社社员", "民进会员",
                           "台盟盟员", "无党派人士")


def shift_years(d: date, years: int) -> date:
    """The same day ``years`` later (28 Feb for 29 Feb in a common year)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


class RowSink(Protocol):
    """Where rows go: the streaming :class:`~.export.ExportWriter`, or a history's tables
    held in memory (:class:`~.history.Tables`)."""

    def row(self, table: str, *values: object) -> None: ...


class World:
    """Writes rows and allocates codes for one export."""

    def __init__(self, out: RowSink, rng: random.Random, snapshot: date) -> None:
        self.out = out
        self.rng = rng
        self.names = NameMaker(rng)
        self.snapshot = snapshot
        self.tally: Counter[str] = Counter()  # calibration figures and gaps, by key
        self._org_n = 0
        self._person_n = 0

    def resume(self, org_n: int, person_n: int) -> None:
        """Go on numbering after an existing export's highest organisation and person
        numbers (a history's later months add to the first month's export)."""
        self._org_n, self._person_n = org_n, person_n

    # --- dates ------------------------------------------------------------------------
    def day(self, first: date, last: date) -> date:
        """A uniformly drawn day in [first, last]."""
        span = (last - first).days
        return first + timedelta(days=self.rng.randint(0, max(span, 0)))

    def year_day(self, y0: int, y1: int) -> date:
        return self.day(date(y0, 1, 1), min(date(y1, 12, 31), self.snapshot - timedelta(days=30)))

    # --- rows -------------------------------------------------------------------------
    def unit(self, code: str, name: str, level: str, parent: str = "", compound_type: str = "",
             households: int | str = "") -> None:
        self.out.row("单位", code, name, level, parent, compound_type, households)

    def org(self, prefix: str, name: str, kind: str, unit: str, *, parent: str = "",
            built_in: Iterable[str] = (), formation: str = "", founded: date | None = None,
            term_end: date | None = None, revoked: bool = False) -> str:
        self._org_n += 1
        code = f"{prefix}{self._org_n:08d}"
        self.out.row(
            "组织", code, name, kind, unit, parent, ";".join(built_in), formation,
            founded.isoformat() if founded else "", term_end.isoformat() if term_end else "",
            "撤销" if revoked else "正常",
        )
        return code

    def person(self, area: str, home: str, standing: str = NON_MEMBER, party_org: str = "",
               male: bool | None = None) -> str:
        """Write one person; members without a given 党组织编码 keep it empty."""
        r = self.rng
        if male is None:
            male = r.random() < 0.52
        n = self._person_n
        self._person_n += 1
        code = f"RY{n + 1:09d}"
        self.out.row(
            "人员", code, self.names.person(male), "男" if male else "女", standing,
            party_org if standing in (MEMBER, PROBATIONARY) else "", home,
            make_id(area, n, male), make_phone(r),
        )
        return code

    def resident_standing(self, member_share: float) -> str:
        """A 政治面貌 drawn for an ordinary resident."""
        x = self.rng.random()
        if x < member_share:
            return MEMBER if x > member_share * 0.06 else PROBATIONARY
        if x < member_share + 0.07:
            return self.rng.choice(_OTHER_STANDINGS)
        return NON_MEMBER

    def post(self, person: str, org: str, title: str, start: date, end: date | None = None,
             *, concurrent: bool = False) -> None:
        self.out.row("任职", person, org, title, "兼任" if concurrent else "本职",
                     start.isoformat(), end.isoformat() if end else "")

    def supervise(self, source: str, target: str, kind: str, start: date,
                  end: date | None = None) -> None:
        self.out.row("监管", source, target, kind, start.isoformat(),
                     end.isoformat() if end else "")

    def contract(self, company: str, compound: str, project: str, start: date,
                 end: date | None) -> None:
        self.out.row("物业服务", company, compound, project, start.isoformat(),
                     end.isoformat() if end else "")

    def visit(self, person: str, company: str, day: date) -> None:
        self.out.row("走访", person, company, day.isoformat())

    def rating(self, company: str, year: int, listed: str, grade: str) -> None:
        self.out.row("评价", company, year, listed, grade)
