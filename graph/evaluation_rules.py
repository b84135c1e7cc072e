"""示范创建 (seed 004, 内容四/五/六): categories, criteria, maxima, quotas and targets — as data.

Seed 004 declares four yearly selections at city level, each scored out of 100 by a table
of criteria (内容六 附件1–4) and each with a yearly minimum (内容四 数量要求) and a three-year
total (内容四 备注, 内容五 分步部署推进 ④).  They are declared here once; the loader
(``评分`` validation), the evaluation (:mod:`redgov.queries.evaluation`), the catalog's
disqualifier questions and the dashboard all read them from here.

Order matters: the criteria are listed in the seed's order, which is also the order
R19's tie-break uses (a tie on the total is broken by the first criterion, then the
second …, then by code).

>>> CATEGORIES["示范项目"], CATEGORY_ZH["company"]
('project', '示范企业')
>>> [c.code for c in CRITERIA["project"]][:2], sum(c.maximum for c in CRITERIA["project"])
(['party_leadership', 'governance_mechanism'], 100)
>>> QUOTAS["person"], THREE_YEAR_TARGETS["project"]
(50, 100)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "CANDIDATE_KINDS",
    "CATEGORIES",
    "CATEGORY_ZH",
    "CRITERIA",
    "CRITERION_BY_ZH",
    "CRITERION_ZH",
    "INCIDENT_KINDS",
    "INCIDENT_KIND_ZH",
    "QUOTAS",
    "SAFETY_INCIDENTS",
    "SOURCES",
    "THREE_YEAR_TARGETS",
    "THREE_YEAR_TARGET_DATE",
    "Criterion",
]

#: 评选类别 → machine code (docs/registry.md 评分/命名).
CATEGORIES: Final[dict[str, str]] = {
    "示范项目": "project",  # 旗飘绵州·红色物业示范项目 (住宅小区、商圈楼宇)
    "示范企业": "company",  # 旗飘绵州·红色物业示范企业
    "最美业委会": "committee",
    "最美物业人": "person",
}
CATEGORY_ZH: Final[dict[str, str]] = {v: k for k, v in CATEGORIES.items()}
#: What a candidate of each category is: ("unit", compound level), ("organisation", kind)
#: or ("person", None).  A 商圈楼宇 is a compound-level unit, so it qualifies as a project.
CANDIDATE_KINDS: Final[dict[str, tuple[str, str | None]]] = {
    "project": ("unit", "compound"),
    "company": ("organisation", "property_company"),
    "committee": ("organisation", "owners_committee"),
    "person": ("person", None),
}


@dataclass(frozen=True)
class Criterion:
    code: str
    zh: str
    maximum: int


#: The scoring tables, in the seed's order (004 内容六 附件1–4; the project and company
#: weights also in 内容四).  Each sums to 100.
CRITERIA: Final[dict[str, tuple[Criterion, ...]]] = {
    # 附件2 “五好”: 党建引领好（30分）、治理机制好（32分）、服务管理好（20分）、
    # 实景呈现好（10分）、群众评价好（8分）
    "project": (
        Criterion("party_leadership", "党建引领好", 30),
        Criterion("governance_mechanism", "治理机制好", 32),
        Criterion("service_management", "服务管理好", 20),
        Criterion("presentation", "实景呈现好", 10),
        Criterion("public_rating", "群众评价好", 8),
    ),
    # 附件1 “五优”: 组织建设优（30分）、运营管理优（20分）、服务质量优（20分）、
    # 社会形象优（15分）、参与协助优（15分）
    "company": (
        Criterion("organisation_building", "组织建设优", 30),
        Criterion("operations", "运营管理优", 20),
        Criterion("service_quality", "服务质量优", 20),
        Criterion("public_image", "社会形象优", 15),
        Criterion("participation", "参与协助优", 15),
    ),
    # 附件3: 制度落实好（70分）、资金收益使用合理（10分）、选解聘程序规范（10分）、
    # 社会各界认同（10分）
    "committee": (
        Criterion("rules_applied", "制度落实好", 70),
        Criterion("funds_used_properly", "资金收益使用合理", 10),
        Criterion("hiring_procedure", "选解聘程序规范", 10),
        Criterion("public_recognition", "社会各界认同", 10),
    ),
    # 附件4: 政治思想好（20分）、业务技术精（30分）、安全事故无（10分）、业主评价高（25分）、
    # 个人荣誉多（15分）
    "person": (
        Criterion("political_integrity", "政治思想好", 20),
        Criterion("professional_skill", "业务技术精", 30),
        Criterion("no_safety_accident", "安全事故无", 10),
        Criterion("owner_rating", "业主评价高", 25),
        Criterion("personal_honours", "个人荣誉多", 15),
    ),
}
#: category → 指标 (Chinese) → criterion.
CRITERION_BY_ZH: Final[dict[str, dict[str, Criterion]]] = {
    cat: {c.zh: c for c in crits} for cat, crits in CRITERIA.items()
}
CRITERION_ZH: Final[dict[str, str]] = {
    c.code: c.zh for crits in CRITERIA.values() for c in crits
}

#: 内容四 数量要求: the yearly minimum named per category (示范项目 “不少于30个”, 示范企业
#: “不少于10家”, 最美业委会 “不少于10个”, 最美物业人 “不少于50名”); R19's quota.
QUOTAS: Final[dict[str, int]] = {"project": 30, "company": 10, "committee": 10, "person": 50}
#: 内容四 备注 / 内容五 分步部署推进 ④: “通过3年时间 … 示范项目100个、示范企业30家和
#: ‘最美物业人’150名、‘最美业委会’30个；2023年9月底 … 验收”.
THREE_YEAR_TARGETS: Final[dict[str, int]] = {
    "project": 100, "company": 30, "committee": 30, "person": 150,
}
THREE_YEAR_TARGET_DATE: Final = "2023-09-30"

#: 事件 类型 → machine code (docs/registry.md 事件).
INCIDENT_KINDS: Final[dict[str, str]] = {
    "安全责任事故": "safety_accident",
    "安全生产行政处罚": "safety_penalty",
    "人员伤亡事故": "casualty",
    "劳动保障违法": "labour_violation",
    "经营异常名录": "abnormal_operation",
    "黑名单": "blacklist",
    "拒不参加党建活动": "refused_party_activity",
    "一票否决": "veto",
}
INCIDENT_KIND_ZH: Final[dict[str, str]] = {v: k for k, v in INCIDENT_KINDS.items()}
#: 附件1 ③ / 附件2 ②: “近两年内有重大安全责任事故（安全生产行政处罚记录或人员伤亡事故）”.
SAFETY_INCIDENTS: Final = ("safety_accident", "safety_penalty", "casualty")

#: Where each piece comes from, for documentation and reports.
SOURCES: Final[dict[str, str]] = {
    "criteria": "004 内容六 附件1–4（各项评分总分100分）",
    "quotas": "004 内容四 数量要求",
    "three_year_targets": "004 内容四 备注；内容五 分步部署推进 ④",
}
