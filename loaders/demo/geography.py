"""What each scale covers: the city root, its districts and their sizes.

``district`` is Huli (湖里区, 厦门) as published in docs/domain.md §6: 5 streets, 59
communities, about 510 compounds.  ``city`` is Xiamen's six districts with sizes in the
same proportions.  ``province`` must hold ≥ 50,000 compounds, but an export has exactly one
city root (docs/registry.md), so it is one synthetic city root, 闽海市, standing for a
province's worth of districts named after Fujian's county-level divisions; the
organisation department of a province would receive one such export per city, and one
big export is the harder benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from typing import Final

__all__ = ["SCALES", "DistrictSpec", "ScaleSpec", "scale_spec"]

#: Huli's compounds, the base every district's targets are scaled from.
HULI_COMPOUNDS: Final = 510


@dataclass(frozen=True)
class DistrictSpec:
    code: str
    name: str
    level: str  # 区 or 县
    compounds: int
    communities: int
    streets: tuple[str, ...]  # names; 镇 names become 乡镇 units


@dataclass(frozen=True)
class ScaleSpec:
    name: str
    city_code: str
    city_name: str
    city_prefix: str  # company names start with it (厦门…物业服务有限公司)
    districts: tuple[DistrictSpec, ...]


_XIAMEN: Final = (
    DistrictSpec("350206", "湖里区", "区", 510, 59,
                 ("湖里街道", "殿前街道", "禾山街道", "江头街道", "金山街道")),
    DistrictSpec("350203", "思明区", "区", 700, 97,
                 ("中华街道", "厦港街道", "鹭江街道", "开元街道", "梧村街道", "筼筜街道",
                  "莲前街道", "嘉莲街道", "滨海街道", "鼓浪屿街道")),
    DistrictSpec("350211", "集美区", "区", 420, 60,
                 ("集美街道", "侨英街道", "杏林街道", "杏滨街道", "灌口镇", "后溪镇")),
    DistrictSpec("350205", "海沧区", "区", 260, 38,
                 ("海沧街道", "新阳街道", "嵩屿街道", "东孚街道")),
    DistrictSpec("350212", "同安区", "区", 360, 55,
                 ("大同街道", "祥平街道", "西柯街道", "新民镇", "五显镇", "洪塘镇", "汀溪镇",
                  "莲花镇")),
    DistrictSpec("350213", "翔安区", "区", 300, 45,
                 ("新店街道", "香山街道", "金海街道", "民安街道", "凤翔街道", "马巷街道",
                  "大嶝街道", "内厝镇", "新圩镇")),
)

_FUJIAN: Final = tuple(
    line.strip()
    for line in (files(__package__) / "fujian_districts.txt").read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)
_PROVINCE_COMPOUNDS: Final = 51_000
# A fixed spread of district sizes (mean 1.0) so districts differ without a random draw.
_SPREAD: Final = (1.0, 1.25, 0.8, 1.1, 0.9, 0.75, 1.2)


def _province() -> ScaleSpec:
    weights = [_SPREAD[i % len(_SPREAD)] for i in range(len(_FUJIAN))]
    total = sum(weights)
    districts = []
    for i, (name, w) in enumerate(zip(_FUJIAN, weights, strict=True)):
        compounds = round(_PROVINCE_COMPOUNDS * w / total) + 1
        level = name[-1]
        districts.append(DistrictSpec(
            f"359{i + 1:03d}", name, level, compounds, max(8, round(compounds / 8.6)),
            (),  # street names drawn at generation time
        ))
    return ScaleSpec("province", "359900", "闽海市", "闽海", tuple(districts))


SCALES: Final[dict[str, ScaleSpec]] = {
    "district": ScaleSpec("district", "350200", "厦门市", "厦门", _XIAMEN[:1]),
    "city": ScaleSpec("city", "350200", "厦门市", "厦门", _XIAMEN),
    "province": _province(),
}


def scale_spec(scale: str) -> ScaleSpec:
    try:
        return SCALES[scale]
    except KeyError:
        raise ValueError(f"unknown scale {scale!r}; one of {', '.join(SCALES)}") from None
