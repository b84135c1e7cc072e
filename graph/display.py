"""The display vocabulary: how every code the model stores is shown to a person.

:mod:`graph.vocabulary` maps registry Chinese onto the model's stable English codes
(``managed``, ``general_branch``, ``SERVES_AS`` …).  This module goes the other way, for
display: every enumeration value, status word, finding and rule has one Chinese form (the
default) and one English form (the switch), declared here once.  The CLI's table, CSV and
XLSX output, the dashboard and every download read from here; ``--format json`` keeps the
codes themselves, which are the stable machine values.

A domain is a family of codes (``level``, ``org_kind``, ``finding`` …).  Codes are unique
across domains up to their Chinese form, so :func:`display` can also be asked without one.

>>> display("general_branch"), display("general_branch", "en")
('党总支', 'general branch')
>>> display("black", domain="rating_list"), display("ok", domain="finding")
('黑榜', '合规')
>>> display(True), display(False, "en"), display(None)
('是', 'no', '')
>>> format_rate(0.95496), format_rate(1), format_rate(None)
('95.5%', '100.0%', '')
>>> format_time("2026-11-30T23:30:00Z")
'2026-12-01 07:30:00'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Final

from ..loaders.schema import display_fields
from .evaluation_rules import CRITERION_ZH, INCIDENT_KIND_ZH
from .vocabulary import (
    COMPOUND_TYPES,
    FORMATIONS,
    LEVEL_ZH,
    ORG_KIND_ZH,
    ORG_STATUS,
    RATING_LISTS,
    REL,
    ROLE_ZH,
    STANDING_ZH,
    SUPERVISION_KINDS,
)

__all__ = [
    "BEIJING",
    "DOMAINS",
    "FIELDS",
    "KEY_CODES",
    "LANGS",
    "RULES",
    "SOURCES",
    "Source",
    "codes",
    "display",
    "english_codes",
    "field_label",
    "format_date",
    "format_rate",
    "format_time",
    "record_key_text",
    "rule_text",
    "source_title",
    "term",
]

LANGS: Final = ("zh", "en")

#: Beijing time (Asia/Shanghai).  China has kept UTC+8 without daylight saving since 1991,
#: so a fixed offset is exact and needs no time-zone database on the office's machine.
BEIJING: Final = timezone(timedelta(hours=8), "Asia/Shanghai")


def _en(code: str) -> str:
    return code.replace("_", " ")


def _pairs(zh_by_code: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    return {code: (zh, _en(code)) for code, zh in zh_by_code.items()}


def _inverse(registry: Mapping[str, str]) -> dict[str, str]:
    """Registry word → code, turned round; the first registry word for a code wins."""
    out: dict[str, str] = {}
    for zh, code in registry.items():
        out.setdefault(code, zh)
    return out


#: domain → code → (Chinese, English).
DOMAINS: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "level": _pairs(LEVEL_ZH),
    "org_kind": _pairs(ORG_KIND_ZH),
    "compound_type": _pairs(_inverse(COMPOUND_TYPES)),
    "formation": _pairs(_inverse(FORMATIONS)),
    "org_status": _pairs(_inverse(ORG_STATUS)),
    "standing": _pairs(STANDING_ZH),
    "role": _pairs(ROLE_ZH),
    "supervision_kind": _pairs(_inverse(SUPERVISION_KINDS)),
    "rating_list": {code: (zh, f"{code} list") for zh, code in RATING_LISTS.items()},
    "relation": {
        REL.SERVES_AS: ("本职", "own post"),
        REL.CROSS_APPOINTED_TO: ("兼任", "cross-appointment"),
        REL.SUPERVISES: ("监管", "supervises"),
        REL.AFFILIATED_UNDER: ("隶属", "affiliated under"),
        REL.PART_OF: ("上级单位", "part of"),
        REL.SITS_AT: ("所在单位", "sits at"),
        REL.BUILT_IN: ("依托主体", "built in"),
        REL.MANAGES: ("物业服务", "manages"),
        REL.LIVES_IN: ("居住", "lives in"),
        REL.MEMBER_OF: ("组织关系", "member of"),
        REL.VISITED: ("走访", "visited"),
        REL.RATED: ("评价", "rated"),
        REL.SCORED: ("评分", "scored"),
        REL.NAMED: ("命名", "named"),
        REL.HAD_INCIDENT: ("事件", "had incident"),
        REL.FUNDED: ("经费", "funded"),
    },
    "label": {
        "Unit": ("单位", "unit"), "Organisation": ("组织", "organisation"),
        "Person": ("人员", "person"), "Rating": ("评价", "rating"),
        "SyncRun": ("同步记录", "sync run"),
        "Score": ("评分", "score"), "Naming": ("命名", "naming"),
        "Incident": ("事件", "incident"), "Funding": ("经费", "funding"),
        "CompoundFact": ("小区事实汇总", "compound fact"),
        "PartyOrgFact": ("党组织事实汇总", "party organisation fact"),
    },
    # 示范创建 (seed 004, graph/evaluation_rules.py).  The category and criterion codes
    # are read with their domain only (``person`` is also a record kind, and
    # ``party_leadership`` a supervision kind): see _CONTEXTUAL below.
    "eval_category": {
        "project": ("示范项目", "model project"), "company": ("示范企业", "model company"),
        "committee": ("最美业委会", "model owners' committee"),
        "person": ("最美物业人", "model property worker"),
    },
    "criterion": _pairs(CRITERION_ZH),
    "incident_kind": _pairs(INCIDENT_KIND_ZH),
    # why a candidate cannot be selected (queries/evaluation.py, R16–R18)
    "disqualifier": {
        "no_party_org": ("无小区党组织", "no compound party organisation"),
        "blacklisted": ("列入黑名单", "black-listed"),
        "company_blacklisted": ("物业企业列入黑名单", "managing company black-listed"),
        "safety_incident": ("近两年安全事故", "safety incident in the last two years"),
        "company_safety_incident": ("物业企业近两年安全事故",
                                    "managing company's safety incident in two years"),
        "company_party_org_missing": ("企业未成立党组织", "company has no party organisation"),
        "party_org_due": ("企业党组织应建未单独建", "3+ full members but no own organisation"),
        "refused_party_activity": ("拒不参加党建活动", "refused party-building activities"),
        "labour_or_abnormal": ("劳动保障违法或经营异常", "labour violation or abnormal operation"),
        "low_credit": ("信用等级偏低", "credit grade B or lower"),
        "no_model_project": ("无示范项目", "no compound named model project"),
        "veto": ("一票否决", "veto"),
    },
    "sync_kind": {"full": ("全量", "full"), "incremental": ("增量", "incremental")},
    "sync_status": {
        "applied": ("已应用", "applied"), "unchanged": ("无变化", "unchanged"),
        "rejected": ("已拒绝", "rejected"), "dry-run": ("试运行", "dry run"),
        "failed": ("失败", "failed"),
    },
    # the phases long work reports while it runs and a sync keeps the timings of
    # (loaders/progress.py, redgov/progress.py)
    "sync_phase": {
        "read": ("读取", "read"), "validate": ("校验", "validate"), "diff": ("比对", "diff"),
        "write": ("写入", "write"), "publish": ("发布", "publish"),
        "facts": ("事实汇总", "facts"), "stage": ("暂存", "stage"),
        "generate": ("生成演示数据", "generate"), "figures": ("统计", "figures"),
        "compare": ("比较快照", "compare snapshots"),
        "undo": ("撤销未发布的写入", "undo unpublished writes"),
        "questions": ("审计问题", "audit questions"),
    },
    # the embedded server while it loads its graph after a start (`redgov status`,
    # graph/stores/embedded_server.py loading()): what it is doing now
    "load_phase": {
        "load_start": ("启动中", "starting"),
        "load_file": ("读取数据文件", "reading the data file"),
        "load_nodes": ("载入节点", "loading nodes"),
        "load_edges": ("载入关系", "loading relations"),
        "load_matrices": ("载入邻接矩阵", "loading matrices"),
        "load_indexes": ("重建索引", "rebuilding indexes"),
        "load_replay": ("重放追加日志", "replaying the append-only log"),
    },
    "change": {
        "added": ("新增", "added"), "changed": ("修改", "changed"),
        "retired": ("退出", "retired"), "unchanged": ("无变化", "unchanged"),
        # between two snapshots (redgov diff): a parent or 所在单位 changed, a party
        # organisation's 隶属 changed, a post / supervision / contract began or ended
        "moved": ("迁移", "moved"), "reaffiliated": ("隶属变更", "reaffiliated"),
        "begun": ("开始", "begun"), "ended": ("结束", "ended"),
    },
    # the kinds of record a diff or a fact list speaks of
    "record": {
        "unit": ("单位", "unit"), "organisation": ("组织", "organisation"),
        "person": ("人员", "person"), "post": ("任职", "post"),
        "supervision": ("监管", "supervision"), "contract": ("物业服务合同", "contract"),
        "membership": ("组织关系", "membership"), "residence": ("居住", "residence"),
        "affiliation": ("隶属", "affiliation"), "sub_unit": ("下级单位", "sub-unit"),
        "ancestor": ("上级单位", "ancestor"), "visit": ("走访", "visit"),
        "seat": ("所在单位", "seat"), "built_in": ("依托主体", "built in"),
        "rating": ("评价记录", "rating"),
        "score": ("评分记录", "score"), "naming": ("命名记录", "naming"),
        "incident": ("事件记录", "incident"), "funding": ("经费记录", "funding"),
    },
    # the headline figures a diff compares per unit (coverage_rollup, overdue_reelection)
    "figure": {
        "party_org_rate": ("党组织覆盖率", "party-organisation coverage"),
        "owners_committee_rate": ("业委会覆盖率", "owners'-committee coverage"),
        "one_shoulder_rate": ("一肩挑比例", "one-shoulder share"),
        "cross_rate": ("交叉任职比例", "cross-appointment ratio"),
        "overdue": ("到期未换届数", "overdue re-elections"),
    },
    # Findings are written in Chinese by the questions themselves (they are the codes);
    # ``ok`` is the one English code among them.
    "finding": {
        "ok": ("合规", "ok"),
        "应建未建": ("应建未建", "due but not built"),
        "工作覆盖": ("工作覆盖", "covered by party work"),
        "未覆盖": ("未覆盖", "not covered"),
        "未隶属": ("未隶属", "not affiliated"),
        "隶属不当": ("隶属不当", "wrongly affiliated"),
        "班子人数不符": ("班子人数不符", "committee size off"),
        "书记人数不符": ("书记人数不符", "secretary count off"),
        "副书记人数不符": ("副书记人数不符", "deputy secretary count off"),
        "委员人数不符": ("委员人数不符", "member count off"),
        "无上级": ("无上级", "no parent"),
        "上级无效": ("上级无效", "parent not active"),
        "无书记": ("无书记", "no secretary"),
        "非兼任": ("非兼任", "not a concurrent post"),
        "人选不符": ("人选不符", "wrong person"),
        "走访不足": ("走访不足", "too few visits"),
        "黑榜企业": ("黑榜企业", "black-listed company"),
        "无小区党组织": ("无小区党组织", "no compound party organisation"),
        "主任非党员": ("主任非党员", "chair not a party member"),
        "党员比例不足": ("党员比例不足", "party share too low"),
        # R20 (named_vs_ranked)
        "命名不符合条件": ("命名不符合条件", "named but not eligible"),
        "名次在前未命名": ("名次在前未命名", "passed over for a lower rank"),
        "命名数不足名额": ("命名数不足名额", "fewer named than the quota"),
    },
    "origin": {
        "业委会成员": ("业委会成员", "owners' committee member"),
        "小区党员": ("小区党员", "resident party member"),
        "社区工作人员": ("社区工作人员", "community staff"),
        "其他": ("其他", "other"),
        "无书记": ("无书记", "no secretary"),
    },
    "org_state": {
        "撤销": ("撤销", "revoked"),
        "已退出台账": ("已退出台账", "retired from the registry"),
    },
    "bool": {"true": ("是", "yes"), "false": ("否", "no")},
}

#: A record's values, named as the registry's column headers name them (``redgov diff``
#: and ``show``).  Property names, not codes: kept out of :data:`DOMAINS` (a command's
#: words like ``status`` are not leaked codes).
FIELDS: Final[dict[str, tuple[str, str]]] = {
    # every registry value's label, declared with its column (loaders/schema.py)
    **display_fields(),
    # values that are not a registry column's
    "rel": ("关系类型", "relation"), "retired_on": ("退出日期", "retired on"),
    "sig": ("其他", "other"),
}
#: A staged sync's status (``redgov review``, the 同步 page).
REVIEW_STATUS: Final[dict[str, tuple[str, str]]] = {
    "staged": ("待审核", "awaiting review"), "approved": ("已批准", "approved"),
    "rejected": ("已驳回", "rejected"),
}


def field_label(name: str, lang: str = "zh") -> str:
    """A record property's name for people (``unit_code`` → 所在单位编码); unknown: as is."""
    forms = FIELDS.get(name)
    return name if forms is None else (forms[1] if lang == "en" else forms[0])


_MERGED: dict[str, tuple[str, str]] = {}
#: Domains whose codes repeat other domains' codes: shown with their domain only.
_CONTEXTUAL: Final = frozenset({"eval_category", "criterion"})
for _domain, _table in DOMAINS.items():
    if _domain in _CONTEXTUAL:
        continue
    for _code, _forms in _table.items():
        if _MERGED.setdefault(_code, _forms)[0] != _forms[0]:
            raise ValueError(f"display code {_code!r} has two Chinese forms ({_domain})")


def _key(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def display(value: Any, lang: str = "zh", domain: str | None = None) -> str:
    """The form of ``value`` to show in ``lang``; an unknown value is shown as it is.

    ``None`` shows as the empty string, booleans as 是/否 (yes/no).  With ``domain`` the
    lookup is confined to that domain (a KeyError for an unknown domain).
    """
    if value is None:
        return ""
    table = DOMAINS[domain] if domain is not None else _MERGED
    forms = table.get(_key(value))
    if forms is None:
        return str(value)
    return forms[1] if lang == "en" else forms[0]


def term(domain: str, value: Any, lang: str = "zh") -> str:
    """:func:`display` with the domain first (``term("level", "street")`` → 街道)."""
    return display(value, lang, domain)


def codes(domain: str) -> tuple[str, ...]:
    """The codes of one domain, in declaration order."""
    return tuple(DOMAINS[domain])


def english_codes() -> frozenset[str]:
    """Every code written in Latin letters: none may appear in a Chinese table or download.

    >>> {"managed", "SERVES_AS", "ok", "full"} <= english_codes()
    True
    """
    return frozenset(c for c in _MERGED if c.isascii() and c not in ("true", "false"))


def format_rate(value: float | None, lang: str = "zh") -> str:
    """The one rounding rule for every rate: a percentage with one decimal place."""
    if value is None:
        return ""
    return f"{float(value) * 100:.1f}%"


def _parse_time(value: str | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = value.strip()
    if "T" in text and text[:8].isdigit():  # a sync run id: 20261122T031500.123456Z-1a2b3c
        text = text.split("-")[0]
        return datetime.strptime(text, "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_time(value: str | datetime | None, lang: str = "zh") -> str:
    """A moment in Beijing time, ``YYYY-MM-DD HH:MM:SS`` (naive values are read as UTC).

    >>> format_time("20261122T031500.123456Z-1a2b3c")
    '2026-11-22 11:15:00'
    """
    if value is None or value == "":
        return ""
    return _parse_time(value).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def format_date(value: str | date | None, lang: str = "zh") -> str:
    """A calendar date as ``YYYY-MM-DD`` (an ISO text is kept, a date object is written)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


# --- rules and their source documents ---------------------------------------------------
#: rule id → (Chinese, English): what an auditor checks (docs/domain.md §5).
RULES: Final[dict[str, tuple[str, str]]] = {
    "R1": ("每个小区建有党组织（单独建或联合建），或至少建有党的工作小组并有党建指导员；"
           "目标覆盖率100%",
           "every compound has a party organisation, or at least a party work group with "
           "an instructor; target 100%"),
    "R2": ("有3名以上正式党员的物业企业单独建立党组织（应建尽建）；不足3名的联合建或挂靠；"
           "没有党员的选派党建指导员（党的工作全覆盖）",
           "a property company with 3 or more full members builds its own party organisation; "
           "with fewer, joint or attached; with none, an instructor is dispatched"),
    "R3": ("物业企业新建党支部隶属属地社区党组织；企业党委隶属街道党工委或区两新党委",
           "a company branch is affiliated under the local community party organisation; a "
           "company party committee under the street committee or the district committee"),
    "R4": ("业主委员会主任原则上由党员担任，委员中党员比例一般在30%以上",
           "the owners' committee chair is a party member; party members are at least 30% "
           "of its members"),
    "R5": ("未成立业主委员会的小区成立自治组织；目标覆盖率100%",
           "compounds without an owners' committee have a self-governance body; target 100%"),
    "R6": ("推行小区党组织书记与业主委员会主任“一肩挑”",
           "the compound branch secretary also chairs the owners' committee"),
    "R7": ("推行交叉任职：小区党组织班子成员在业委会、监委会、物业企业中任职，"
           "业委会主任、物业企业负责人、项目经理担任社区大党委或小区党组织兼职委员",
           "cross-appointment between the branch committee and the compound's other bodies"),
    "R8": ("业主监督委员会成员不在业委会或物业企业任职（监督独立）",
           "supervisory committee members hold no post in the owners' committee or the "
           "property company"),
    "R9": ("小区党组织班子3至5人：书记1名、副书记1名、委员1至3名",
           "a compound branch committee has 3–5 members: one secretary, one deputy, 1–3 "
           "members"),
    "R10": ("小区党组织书记优先从业委会成员中产生，其次从小区党员中产生，再次由社区工作人员担任",
            "the branch secretary comes from the owners' committee, else resident party "
            "members, else community staff"),
    "R11": ("物业行业党委书记为兼职：区级由住建部门分管负责人兼任，"
            "街道级由街道党工委专职副书记兼任，社区级由社区党组织书记兼任",
            "the property-industry party committee secretary is a concurrent post held by "
            "the official named for its level"),
    "R12": ("党建指导员每月至少走访所联系的物业企业两次",
            "an instructor visits each assigned company at least twice a month"),
    "R13": ("业主委员会任期届满按时换届（到期未换届即为问题）",
            "owners' committees are re-elected when their term ends"),
    "R14": ("列入黑榜的物业企业、所在小区未建党组织的项目不得评为示范项目",
            "black-listed companies and projects without a compound party organisation "
            "cannot be model projects"),
    "R15": ("非公企业党委、党总支、党支部每年党建工作经费分别不少于1万元、5000元、3000元",
            "yearly party-work funding for 党委/党总支/党支部: at least 10000/5000/3000 yuan"),
    "R16": ("示范项目：小区未建党组织、小区或其物业企业当年列入黑名单、"
            "近两年有安全事故的不得参评",
            "model project: not without a compound party organisation, not black-listed "
            "(compound or managing company) that year, no safety incident in two years"),
    "R17": ("示范企业：未按要求成立党组织、拒不参加党建活动、近两年有安全事故、当年劳动保障违法"
            "或列入经营异常名录、信用等级B级及以下、当年没有项目创建为示范项目的不得参评",
            "model company: own party organisation, no refusal, no safety incident in two "
            "years, no labour violation or abnormal operation, credit above B, and a "
            "managed compound named model project that year"),
    "R18": ("最美业委会、最美物业人：当年有一票否决事件的不得参评",
            "model owners' committee / property worker: not with a veto that year"),
    "R19": ("评分：各指标取评分组织的平均分（保留一位小数），未评的指标计0分；按总分排名，"
            "同分依次比较各项指标，再按编码；名次在当年名额以内为入选",
            "scoring: mean over scorers per criterion (one decimal), unscored criteria 0; "
            "ranked by total, ties by the criteria in order then code; within the quota"),
    "R20": ("命名与排名对照：命名了不符合条件的对象、名额内未命名而名次更低者被命名、"
            "命名数少于名额的，都是问题",
            "named versus ranked: ineligible named, a better-ranked candidate passed over, "
            "fewer named than the quota"),
    "R21": ("分步部署：2021年底新增单建200个、联建100个；2023年底物业项目党的组织覆盖100%、"
            "经费保障100%；三年选树示范项目100个、示范企业30家、最美业委会30个、最美物业人150名",
            "phase targets: new organisations by end 2021, coverage and funding by end 2023, "
            "three-year totals of named candidates"),
    "DQ": ("数据质量：台账记录之间相互矛盾或不完整",
           "data quality: registry records that contradict each other or are incomplete"),
}


@dataclass(frozen=True)
class Source:
    """A seed document: the policy text or field report a rule comes from."""

    id: str
    title: str
    issuer: str
    date: str

    def cite(self) -> str:
        """The document as a citation: title in 《》, issuer and date.

        >>> SOURCES["001"].cite()
        '《天水市麦积区：“红色物业”畅通社区治理“最后一公里”》（甘肃政法网，2022年7月）'
        """
        return f"《{self.title}》（{self.issuer}，{self.date}）"


#: The five seed documents (docs/sources/), declared once by their titles.
SOURCES: Final[dict[str, Source]] = {
    "000": Source("000", "加强党建引领推进“红色物业”提升城市社区治理水平实施方案",
                  "某县（原文以 xx 隐去地名）", "2022年"),
    "001": Source("001", "天水市麦积区：“红色物业”畅通社区治理“最后一公里”",
                  "甘肃政法网", "2022年7月"),
    "002": Source("002", "福建厦门市湖里区：党建引领小区业委会、物业协同发展路径探索",
                  "中共厦门市湖里区委组织部，人民网—中国共产党新闻网", "2024年9月"),
    "003": Source("003", "xx市小区党建模式试点工作方案", "某市（原文以 xx 隐去地名）", "日期不详"),
    "004": Source("004", "党建引领社区物业服务管理暨四川红色物业实践",
                  "伍三明，物业企业党组织书记能力提升专题示范培训班讲稿", "2022年6月"),
}


def rule_text(rule: str, lang: str = "zh") -> str:
    """A rule's text in ``lang``.

    >>> rule_text("R13")
    '业主委员会任期届满按时换届（到期未换届即为问题）'
    """
    zh, en = RULES[rule]
    return en if lang == "en" else zh


def source_title(source: str) -> str:
    """A seed document's title in 《》, or the id itself when it is not a seed."""
    return f"《{SOURCES[source].title}》" if source in SOURCES else source


#: Identities holding a vocabulary code (posts: the normalised role; supervision: the kind).
KEY_CODES: dict[str, tuple[tuple[int, str], ...]] = {
    "任职": ((2, "role"),), "监管": ((2, "supervision_kind"),),
    "评分": ((1, "eval_category"), (3, "criterion")), "命名": ((1, "eval_category"),),
    "事件": ((1, "incident_kind"),),
}


def record_key_text(table: str, key: str, lang: str = "zh") -> str:
    """A record's identity as a reviewer reads it (``P2|O_OC1|委员|2021-06-01``)."""
    where = KEY_CODES.get(table)
    if where is None:
        return key
    parts = key.split("|")
    for index, domain in where:
        if index < len(parts):
            parts[index] = display(parts[index], lang, domain)
    return "|".join(parts)
