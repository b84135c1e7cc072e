"""The domain vocabulary, declared once: every Chinese registry term mapped to its English name.

Loaders translate registry values through these tables, queries use the English values
as literals, and the dashboard turns them back into Chinese for display.  Nothing else
in the code base spells a label, a relation type or an enumeration value on its own:
import the name from here (the catalog test checks that query literals are members).

>>> LEVELS["小区"]
'compound'
>>> normalise_role("党支部书记")
'secretary'
>>> normalise_role("业委会副主任")
'deputy_director'
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "ACCOUNT_ROLES",
    "ACCOUNT_ROLE_ZH",
    "COMPANY_KIND",
    "COMPOUND_TYPES",
    "CONTRACT_REL",
    "FORMATIONS",
    "LABEL_ACCOUNT",
    "LABEL_COMPOUND_FACT",
    "LABEL_FUNDING",
    "LABEL_INCIDENT",
    "LABEL_LOGIN_SESSION",
    "LABEL_LOGIN_THROTTLE",
    "LABEL_NAMING",
    "LABEL_ORGANISATION",
    "LABEL_PARTY_ORG_FACT",
    "LABEL_PERSON",
    "LABEL_RATING",
    "LABEL_SCORE",
    "LABEL_SNAPSHOT_SUMMARY",
    "LABEL_SYNC_RUN",
    "LABEL_UNIT",
    "LEVELS",
    "LEVEL_ORDER",
    "LEVEL_ZH",
    "MEMBER_STANDINGS",
    "META_LABELS",
    "ORG_KINDS",
    "ORG_KIND_ZH",
    "ORG_STATUS",
    "PARTY_ORG_KINDS",
    "POST_TYPES",
    "RATING_LISTS",
    "REL",
    "ROLES",
    "ROLE_ZH",
    "STANDINGS",
    "SUPERVISION_KINDS",
    "normalise_role",
]

# --- node labels -----------------------------------------------------------------
LABEL_UNIT: Final = "Unit"
LABEL_ORGANISATION: Final = "Organisation"
LABEL_PERSON: Final = "Person"
LABEL_RATING: Final = "Rating"
LABEL_SYNC_RUN: Final = "SyncRun"
# 示范创建 (seed 004): one node per registry row, versioned like Rating.
LABEL_SCORE: Final = "Score"  # 评分: one criterion's score by one scorer
LABEL_NAMING: Final = "Naming"  # 命名: one candidate named in one year
LABEL_INCIDENT: Final = "Incident"  # 事件: one incident that can disqualify
LABEL_FUNDING: Final = "Funding"  # 经费: one year's party-work funding
#: Not from the registry: one compound's facts, computed when a snapshot is published
#: (graph/compound_facts.py), versioned like the rest; counted by no status figure.
LABEL_COMPOUND_FACT: Final = "CompoundFact"
#: The same for one active party organisation at one seat (graph/org_facts.py).
LABEL_PARTY_ORG_FACT: Final = "PartyOrgFact"
NODE_LABELS: Final = (LABEL_UNIT, LABEL_ORGANISATION, LABEL_PERSON, LABEL_RATING, LABEL_SYNC_RUN,
                      LABEL_SCORE, LABEL_NAMING, LABEL_INCIDENT, LABEL_FUNDING,
                      LABEL_COMPOUND_FACT, LABEL_PARTY_ORG_FACT)
# Not governance data: the store's metadata space (Store.read_meta / write_meta) holds
# dashboard accounts and the shared login-throttling state under these labels.
LABEL_ACCOUNT: Final = "Account"
LABEL_LOGIN_THROTTLE: Final = "LoginThrottle"
#: A signed-in browser (redgov.access.sessions): keyed by a hash of its cookie's id.
LABEL_LOGIN_SESSION: Final = "LoginSession"
#: An answer kept for one published snapshot (graph/summaries.py: status counts, the
#: overview's figures), keyed by what, the snapshot's run id and the parameters.
LABEL_SNAPSHOT_SUMMARY: Final = "SnapshotSummary"
#: What the last sync kept for the next full diff (loaders/kept.py): the latest snapshot's
#: identities and signatures and the row memo, in parts.
LABEL_SYNC_KEPT: Final = "SyncKept"
META_LABELS: Final = (LABEL_ACCOUNT, LABEL_LOGIN_THROTTLE, LABEL_LOGIN_SESSION,
                      LABEL_SNAPSHOT_SUMMARY, LABEL_SYNC_KEPT)
#: Dashboard account roles, least to most: 查看 (overview, hierarchy, people), 审计 (+ the
#: audit catalog and downloads), 管理 (+ sync history and account management).
ACCOUNT_ROLES: Final = ("viewer", "auditor", "admin")
ACCOUNT_ROLE_ZH: Final = {"viewer": "查看员", "auditor": "审计员", "admin": "管理员"}


class REL:
    """Relation types.  The first four are the governance relations the product is about."""

    SERVES_AS: Final = "SERVES_AS"  # 本职: a person's own post in an organisation
    CROSS_APPOINTED_TO: Final = "CROSS_APPOINTED_TO"  # 兼任 / 交叉任职 / 一肩挑
    SUPERVISES: Final = "SUPERVISES"  # 监管: organisation or instructor → organisation/unit
    AFFILIATED_UNDER: Final = "AFFILIATED_UNDER"  # 隶属: party organisation → parent
    # structure beside them
    PART_OF: Final = "PART_OF"  # unit → parent unit (compound → community → …)
    SITS_AT: Final = "SITS_AT"  # organisation → the unit it sits at (所在单位)
    BUILT_IN: Final = "BUILT_IN"  # party organisation → compound unit or company (依托主体)
    MANAGES: Final = "MANAGES"  # property company → compound, one per contract (物业服务)
    LIVES_IN: Final = "LIVES_IN"  # person → compound (居住单位)
    MEMBER_OF: Final = "MEMBER_OF"  # person → party organisation holding their 组织关系
    VISITED: Final = "VISITED"  # instructor → company, one per visit (走访)
    RATED: Final = "RATED"  # company → Rating (评价, one per year)
    SCORED: Final = "SCORED"  # candidate (unit, organisation, person) → Score (评分)
    NAMED: Final = "NAMED"  # candidate → Naming (命名)
    HAD_INCIDENT: Final = "HAD_INCIDENT"  # company, compound, committee, person → Incident
    FUNDED: Final = "FUNDED"  # party organisation → Funding (经费)

    GOVERNANCE: Final = (SERVES_AS, CROSS_APPOINTED_TO, SUPERVISES, AFFILIATED_UNDER)
    ALL: Final = (
        SERVES_AS, CROSS_APPOINTED_TO, SUPERVISES, AFFILIATED_UNDER,
        PART_OF, SITS_AT, BUILT_IN, MANAGES, LIVES_IN, MEMBER_OF, VISITED, RATED,
        SCORED, NAMED, HAD_INCIDENT, FUNDED,
    )


CONTRACT_REL: Final = REL.MANAGES

# --- levels ------------------------------------------------------------------------
LEVEL_ORDER: Final = ("city", "district", "street", "community", "compound")
LEVELS: Final[dict[str, str]] = {
    "市": "city",
    "区": "district",
    "县": "district",
    "县(市)": "district",
    "县（市）": "district",
    "园区": "district",
    "街道": "street",
    "乡镇": "street",
    "乡": "street",
    "镇": "street",
    "社区": "community",
    "小区": "compound",
    "院落": "compound",
}
LEVEL_ZH: Final[dict[str, str]] = {
    "city": "市", "district": "区", "street": "街道", "community": "社区", "compound": "小区",
}

COMPOUND_TYPES: Final[dict[str, str]] = {
    "物管小区": "managed",
    "单位家属区": "institutional",
    "移交小区": "transferred",
    "弃管小区": "abandoned",
    "老旧小区": "old",
    "安置小区": "resettlement",
    "商圈楼宇": "commercial",
    "产业园区": "industrial_park",
}

# --- organisations -----------------------------------------------------------------
ORG_KINDS: Final[dict[str, str]] = {
    "组织部": "organisation_department",
    "党委": "party_committee",
    "党工委": "party_working_committee",
    "党总支": "general_branch",
    "党支部": "party_branch",
    "党的工作小组": "party_work_group",
    "党小组": "party_group",
    "行业党委": "industry_party_committee",
    "物业服务企业": "property_company",
    "业主委员会": "owners_committee",
    "业主监督委员会": "supervisory_committee",
    "自治组织": "self_governance_body",
    "居民委员会": "residents_committee",
    "行业主管部门": "regulator",
    "街道办事处": "street_office",
    "志愿服务队": "volunteer_team",
}
ORG_KIND_ZH: Final[dict[str, str]] = {v: k for k, v in ORG_KINDS.items()}

#: Party organisations in the sense of R1/R2: a 党的工作小组 or 党小组 is not one.
PARTY_ORG_KINDS: Final = ("party_committee", "general_branch", "party_branch")
#: Every kind that sits in the party's affiliation chain (隶属组织编码 allowed).
PARTY_SIDE_KINDS: Final = (
    "organisation_department", "party_committee", "party_working_committee",
    "general_branch", "party_branch", "party_work_group", "party_group",
    "industry_party_committee",
)
COMPANY_KIND: Final = "property_company"

FORMATIONS: Final[dict[str, str]] = {"单独建": "standalone", "联合建": "joint", "挂靠": "attached"}
ORG_STATUS: Final[dict[str, str]] = {"正常": "active", "撤销": "revoked"}

# --- people ------------------------------------------------------------------------
STANDINGS: Final[dict[str, str]] = {
    "中共党员": "full_member",
    "中共预备党员": "probationary_member",
    "群众": "non_member",
}
#: Any other 政治面貌 (民主党派 names, 共青团员, 无党派人士) is kept as `other`.
STANDING_OTHER: Final = "other"
MEMBER_STANDINGS: Final = ("full_member", "probationary_member")
STANDING_ZH: Final[dict[str, str]] = {
    "full_member": "中共党员", "probationary_member": "中共预备党员",
    "non_member": "群众", "other": "其他",
}

POST_TYPES: Final[dict[str, str]] = {"本职": REL.SERVES_AS, "兼任": REL.CROSS_APPOINTED_TO}

SUPERVISION_KINDS: Final[dict[str, str]] = {
    "行业监管": "industry_regulation",
    "属地管理": "territorial_management",
    "业主监督": "owner_oversight",
    "党组织领导": "party_leadership",
    "党建指导": "party_building_guidance",
}

RATING_LISTS: Final[dict[str, str]] = {"红榜": "red", "黑榜": "black"}

# --- roles -------------------------------------------------------------------------
ROLE_ZH: Final[dict[str, str]] = {
    "secretary": "书记",
    "deputy_secretary": "副书记",
    "committee_member": "委员",
    "concurrent_member": "兼职委员",
    "director": "主任",
    "deputy_director": "副主任",
    "head": "负责人",
    "project_manager": "项目经理",
    "instructor": "党建指导员",
    "navigator": "领航员",
    "observer": "观察员",
    "grid_leader": "网格长",
    "grid_worker": "网格员",
    "building_leader": "楼栋长",
    "volunteer": "志愿者",
    "group_leader": "组长",
    "member": "成员",
    "staff": "工作人员",
}
ROLES: Final = tuple(ROLE_ZH)
#: Roles that make a person part of a party organisation's committee (R7, R9).
COMMITTEE_ROLES: Final = ("secretary", "deputy_secretary", "committee_member", "concurrent_member")

# Checked in order: the first pattern found in the (space-free) 职务 text wins, so longer
# and more specific spellings come before their substrings (副书记 before 书记).
_ROLE_PATTERNS: Final[tuple[tuple[str, str], ...]] = (
    ("党建指导员", "instructor"),
    ("指导员", "instructor"),
    ("领航员", "navigator"),
    ("观察员", "observer"),
    ("兼职委员", "concurrent_member"),
    ("副书记", "deputy_secretary"),
    ("书记", "secretary"),
    ("副主任", "deputy_director"),
    ("主任", "director"),
    ("副组长", "committee_member"),
    ("组长", "group_leader"),
    ("法定代表人", "head"),
    ("负责人", "head"),
    ("董事长", "head"),
    ("总经理", "head"),
    ("经理", "project_manager"),  # 项目经理 and 物业经理 alike
    ("网格长", "grid_leader"),
    ("网格员", "grid_worker"),
    ("楼栋长", "building_leader"),
    ("单元长", "building_leader"),
    ("志愿者", "volunteer"),
    ("队员", "volunteer"),
    ("委员", "committee_member"),  # 业委会委员, 支委委员, 监委会委员 …
    ("成员", "member"),
    ("工作人员", "staff"),
    ("干事", "staff"),
)
_SPACES = re.compile(r"[\s\u3000]+")


def normalise_role(title: str) -> str | None:
    """Map a free-text 职务 onto a normalised role, or None when nothing matches.

    The registry's 职务 column is typed by clerks ("党支部书记", "业委会 主任",
    "小区党支部副书记兼业委会主任"); where one title names two posts the first wins,
    and the registry is expected to list a concurrent post as a row of its own.
    Unknown titles are kept verbatim by the loader and counted as warnings.
    """
    text = _SPACES.sub("", title or "")
    if not text:
        return None
    if text in ROLE_ZH.values():
        return next(k for k, v in ROLE_ZH.items() if v == text)
    for needle, role in _ROLE_PATTERNS:
        if needle in text:
            return role
    return None
