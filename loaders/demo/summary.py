"""What a generated demo export holds: the calibration figures and the seeded findings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ...graph.display import format_rate

__all__ = ["SCALE_ZH", "DemoSummary"]

#: The demo scales in Chinese (the manifest's 来源 and the console say 区级, not district).
SCALE_ZH = {"district": "区级", "city": "市级", "province": "省级"}


@dataclass
class DemoSummary:
    """The generator's own account of the export (tests recount it from the CSV files).

    ``compound_branches`` is the figure Huli publishes as 444: active party
    organisations (党委/党总支/党支部) built in compounds.  ``compounds_covered`` counts the
    compounds those organisations list in 依托主体编码 (joint branches cover several).
    """

    out_dir: Path
    scale: str
    seed: int
    snapshot_date: str
    exported_at: str
    districts: int
    streets: int
    communities: int
    compounds: int
    compound_branches: int
    compounds_covered: int
    managed_compounds: int
    owners_committee_compounds: int
    companies: int
    companies_with_party_org: int
    one_shoulder: int
    party_member_chairs: int
    instructors: int
    people: int
    rows: dict[str, int] = field(default_factory=dict)
    gaps: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def managed_share(self) -> float:
        return self.managed_compounds / self.compounds if self.compounds else 0.0

    @property
    def owners_committee_share(self) -> float:
        return self.owners_committee_compounds / self.compounds if self.compounds else 0.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["out_dir"] = str(self.out_dir)
        d["managed_share"] = round(self.managed_share, 4)
        d["owners_committee_share"] = round(self.owners_committee_share, 4)
        return d

    def headline(self, lang: str = "zh") -> list[tuple[str, str]]:
        """(label, value) lines for the console, in Chinese unless ``lang`` is ``en``.

        Shares use the one rounding rule of every rate (one decimal place).
        """
        en = lang == "en"
        of = "of" if en else "/"
        rows = [
            ("街道", "streets", f"{self.streets}"),
            ("社区", "communities", f"{self.communities}"),
            ("小区", "compounds", f"{self.compounds}"),
            ("小区党组织", "compound party organisations",
             f"{self.compound_branches} (covering {self.compounds_covered} compounds)" if en
             else f"{self.compound_branches}（覆盖 {self.compounds_covered} 个小区）"),
            ("专业化物业管理小区", "professionally managed",
             f"{self.managed_compounds} ({format_rate(self.managed_share)})" if en
             else f"{self.managed_compounds}（{format_rate(self.managed_share)}）"),
            ("成立业委会的小区", "with an owners' committee",
             f"{self.owners_committee_compounds} ({format_rate(self.owners_committee_share)})"
             if en else
             f"{self.owners_committee_compounds}（{format_rate(self.owners_committee_share)}）"),
            ("建有党组织的物业企业", "companies with a party organisation",
             f"{self.companies_with_party_org} {of} {self.companies}"),
            ("书记主任“一肩挑”", "secretary is also chair", f"{self.one_shoulder}"),
            ("党员业委会主任", "party-member chairs", f"{self.party_member_chairs}"),
            ("党建指导员", "instructors", f"{self.instructors}"),
            ("人员", "people", f"{self.people}"),
        ]
        return [(label_en if en else label_zh, value) for label_zh, label_en, value in rows]
