"""Every label the dashboard shows, in Chinese (the default) and English.

The people using the dashboard work in Chinese; English is a switch in the sidebar.
Pages never spell a label themselves: they call :func:`t` with a key from
:data:`LABELS`, so a missing translation is a ``KeyError`` in the tests rather than a
half-English screen.  Domain values (levels, organisation kinds, roles, standings, findings …)
are never spelled here: :func:`term` shows them through ``graph.display``.

>>> t("nav.overview", "zh"), t("nav.overview", "en")
('总览', 'Overview')
>>> term("kind", "party_branch", "zh"), term("kind", "party_branch", "en")
('党支部', 'party branch')
"""

from __future__ import annotations

from typing import Final

from ..graph import display
from ..present.messages import lookup

__all__ = ["LABELS", "LANGS", "t", "term"]

LANGS: Final = ("zh", "en")

#: key → (Chinese, English).  ``{name}`` placeholders are filled by :func:`t`.
LABELS: Final[dict[str, tuple[str, str]]] = {
    "app.title": ("红色物业治理图谱", "Red Property Governance Graph"),
    "app.lang": ("语言 Language", "Language 语言"),
    "app.store": ("数据库：{store}", "Store: {store}"),
    "app.as_of": ("截至日期：{date}（所选快照的快照日期）",
                  "As of: {date} (the chosen snapshot's date)"),
    "snap.pick": ("快照", "Snapshot"),
    "snap.help": ("每次同步发布一个快照；各页按所选快照作答，默认最新。",
                  "Every sync publishes a snapshot; every page answers for the one chosen "
                  "(default: the latest)."),
    "snap.entry": ("{date} · {kind} · 第 {ordinal} 次", "{date} · {kind} · #{ordinal}"),
    "snap.latest": ("（最新）", " (latest)"),
    "snap.unknown": ("找不到快照 {spec}：已显示最新快照。",
                     "Snapshot {spec} not found: showing the latest."),
    "app.no_sync": ("图中尚无同步记录：先运行 `redgov demo` 或 `redgov sync`。",
                    "No sync run in the graph yet: run `redgov demo` or `redgov sync` first."),
    "app.catalog_missing": ("审计目录不可用：{error}", "The audit catalog is unavailable: {error}"),
    "app.zone": ("时间均为北京时间（UTC+8）", "Times are Beijing time (UTC+8)"),
    "app.empty": ("（无数据）", "(no rows)"),
    "app.store_away": ("数据库暂时不可用（已停止或正在重启），恢复后刷新本页即可。",
                       "The database is unavailable for now (stopped or restarting); "
                       "reload this page once it is back."),
    "nav.overview": ("总览", "Overview"),
    "nav.hierarchy": ("层级", "Hierarchy"),
    "nav.audit": ("审计", "Audit"),
    "nav.people": ("人员", "People"),
    "nav.sync": ("同步", "Sync"),
    "nav.changes": ("变化", "Changes"),
    "nav.selection": ("示范创建", "Model selection"),
    # overview
    "ov.header": ("总览：核心指标与目标", "Overview: headline figures against targets"),
    "ov.target": ("目标 {target}", "target {target}"),
    "ov.no_target": ("无统一目标", "no fixed target"),
    "ov.met": ("达标", "met"),
    "ov.missed": ("未达标", "missed"),
    "ov.pp": ("{diff} 个百分点", "{diff} pp"),
    "ov.numerator": ("符合数", "numerator"),
    "ov.denominator": ("总数", "denominator"),
    "ov.axis_note": ("横轴从 {low} 到 {high}（按数据缩放）；虚线为目标。",
                     "Axis from {low} to {high} (zoomed to the data); the dashed line is the "
                     "target."),
    "ov.delta_help": ("与上一个快照（{date}，第 {ordinal} 次）相比",
                      "Change since the previous snapshot ({date}, #{ordinal})"),
    "ov.by": ("分组", "Group by"),
    "ov.metric": ("指标", "Figure"),
    "ov.chart": ("各{level}{metric}", "{metric} by {level}"),
    "ov.trend": ("历次快照趋势", "Trend over snapshots"),
    "ov.trend_note": ("每个点是该快照发布时的图、截至其快照日期的结果（已退出的记录不计）。",
                      "Each point is the graph as that snapshot published it, as of its "
                      "snapshot date (retired records never count)."),
    "ov.trend_point": ("{date}（第 {ordinal} 次）", "{date} (#{ordinal})"),
    "ov.trend_show": ("显示趋势", "Show the trend"),
    "ov.flat": ("持平", "no change"),
    "ov.worst": ("按{metric}从低到高，只画最低的 {n} 个（共 {total} 个）。",
                 "Lowest {metric} first: the {n} lowest of {total} are drawn."),
    "ov.trend_one": ("只有一个快照，暂无趋势。", "Only one snapshot so far: no trend yet."),
    "fig.party_org": ("小区党组织覆盖率", "Compounds with a party organisation"),
    "fig.party_org.of": ("{n}/{total} 个小区", "{n} of {total} compounds"),
    "fig.work_cover": ("小区党的工作覆盖率", "Compounds with party work coverage"),
    "fig.work_cover.of": ("{n}/{total} 个小区", "{n} of {total} compounds"),
    "fig.qualified_gap": ("具备条件未建党组织的小区", "Qualified compounds without a party org"),
    "fig.company_org": ("有党组织的物业企业", "Companies with a party organisation"),
    "fig.company_org.of": ("{n}/{total} 家企业", "{n} of {total} companies"),
    "fig.company_built": ("物业企业应建尽建率", "Companies due their own organisation"),
    "fig.company_built.of": ("{n}/{total} 家（3名以上正式党员的企业）",
                             "{n} of {total} (companies with 3+ full members)"),
    "fig.company_uncovered": ("未覆盖的物业企业", "Companies not covered"),
    "fig.company_uncovered.of": ("共 {total} 家企业；无党组织也无指导员",
                                 "of {total}; no party organisation, no instructor"),
    "fig.committee": ("业委会或自治组织覆盖率", "Compounds with owners' or self-governance body"),
    "fig.committee.of": ("{n}/{total} 个小区", "{n} of {total} compounds"),
    "fig.one_shoulder": ("“一肩挑”比例", "一肩挑 rate (secretary chairs the committee)"),
    "fig.one_shoulder.of": ("{n}/{total} 个有党组织和业委会的小区",
                            "{n} of {total} compounds with both bodies"),
    "fig.cross": ("交叉任职比例", "Cross-appointment ratio"),
    "fig.cross.of": ("{n}/{total} 名班子成员", "{n} of {total} committee members"),
    "fig.overdue": ("业委会到期未换届", "Owners' committees overdue for re-election"),
    "fig.value": ("数值", "Value"),
    "fig.snapshot": ("快照日期", "Snapshot date"),
    # hierarchy
    "hi.header": ("层级浏览", "Hierarchy explorer"),
    "hi.root": ("全部", "All"),
    "hi.children": ("下级单位", "Sub-units"),
    "hi.open": ("进入", "Open"),
    "hi.pick": ("选择下级单位", "Choose a sub-unit"),
    "hi.tree": ("树状视图（两级，含覆盖情况；点击一行进入）",
                "Tree (two levels, with coverage; click a row to open it)"),
    "hi.coverage": ("党组织覆盖 {rate}（{n}/{total} 个小区）",
                    "Party org coverage {rate} ({n}/{total} compounds)"),
    "hi.badge_ok": ("已覆盖", "covered"),
    "hi.badge_full": ("全覆盖", "fully covered"),
    "hi.badge_most": ("基本覆盖", "mostly covered"),
    "hi.badge_low": ("覆盖不足", "under-covered"),
    "hi.badge_none": ("无小区", "no compounds"),
    "hi.click": ("点击一行进入该单位。", "Click a row to open the unit."),
    "hi.badge_work": ("仅工作小组", "work group only"),
    "hi.badge_gap": ("未覆盖", "not covered"),
    "hi.orgs": ("组织", "Organisations"),
    "hi.leaders": ("负责人", "Leaders"),
    "hi.contracts": ("物业服务合同", "Property-service contracts"),
    "hi.gaps": ("审计发现", "Gaps from the audit catalog"),
    "hi.no_gaps": ("本单位无审计发现。", "No gaps found for this unit."),
    "hi.gap_title": ("{title} · {rules} — 发现 {n} 条", "{title} · {rules} — {n} findings"),
    "hi.network": ("治理关系网络", "Governance network"),
    "hi.collapsed": ("节点超过 {limit} 个：人员已并入其所在组织（共 {people} 人）。",
                     "More than {limit} nodes: people are collapsed into their organisations "
                     "({people} people)."),
    "hi.truncated": ("网络只显示本级及下一级的组织：{shown} 个（辖区内共 {total} 个）。",
                     "The network shows the bodies of this level and the one below: {shown} "
                     "(of {total} in the area)."),
    "hi.none": ("（无）", "(none)"),
    "hi.unknown_unit": ("找不到单位 {code}", "Unit {code} not found"),
    # audit
    "au.header": ("审计目录", "Audit catalog"),
    "au.question": ("审计问题", "Question"),
    "au.rules": ("规则", "Rules"),
    "au.sources": ("依据", "Sources"),
    "au.one_row": ("每行是", "One row per"),
    "au.params": ("参数", "Parameters"),
    "au.scope_all": ("（全部）", "(everything)"),
    "au.count": ("共 {n} 行", "{n} rows"),
    "au.findings": ("，其中审计发现 {n} 行", ", of which {n} are findings"),
    "au.rule_and_sources": ("规则说明与依据文件", "Rule and source documents"),
    "au.kind_unit": ("单位", "unit"),
    "au.kind_person": ("人员", "person"),
    "au.company": ("物业企业共 {companies} 家：有党组织 {with_org} 家（{org_rate}）；正式党员 "
                   "{minimum} 名以上的 {qualified} 家，其中已单独建 {built} 家（应建尽建率 "
                   "{built_rate}），应建未建 {not_built} 家；无党组织且无党建指导员（未覆盖）"
                   "{uncovered} 家。",
                   "{companies} property companies: {with_org} with a party organisation "
                   "({org_rate}); {qualified} with {minimum} or more full members, of which "
                   "{built} built their own ({built_rate}) and {not_built} did not; {uncovered} "
                   "with neither a party organisation nor an instructor (not covered)."),
    "au.csv": ("下载 CSV", "Download CSV"),
    "au.xlsx": ("下载 XLSX", "Download XLSX"),
    "au.goto": ("查看行中的单位或人员", "Open a unit or person from the rows"),
    "au.goto_unit": ("在层级中打开", "Open in the explorer"),
    "au.goto_person": ("在人员中打开", "Open in People"),
    "au.evidence": ("依据：{code} 的事实与来源", "Evidence: the facts behind {code}, with sources"),
    "au.evidence_none": ("没有可显示的事实", "No facts to show"),
    # changes (变化)
    "ch.header": ("变化：两个快照之间", "Changes between two snapshots"),
    "ch.from": ("从快照", "From snapshot"),
    "ch.to": ("到快照", "To snapshot"),
    "ch.level": ("指标汇总层级", "Figures per unit at"),
    "ch.scope": ("范围", "Scope"),
    "ch.snapshot": ("{date} · 第{n}次", "{date} · #{n}"),
    "ch.need_two": ("需要至少两个已发布的快照（现有 {n} 个）", "Needs two published snapshots "
                    "({n} so far)"),
    "ch.same": ("请选择两个不同的快照", "Pick two different snapshots"),
    "ch.figures": ("指标变化（{n} 项）", "Figure moves ({n})"),
    "ch.records": ("记录变化（{n} 条）", "Record changes ({n})"),
    "ch.none": ("（无）", "(none)"),
    # people
    "pe.header": ("人员查询", "People"),
    "pe.search": ("按姓名或编码搜索", "Search by name or code"),
    "pe.results": ("共匹配 {n} 人，本页显示第 {first}–{last} 人（点击一行查看）",
                   "{n} people match; showing {first}–{last} (click a row to open)"),
    "pe.page": ("页码（共 {pages} 页）", "Page (of {pages})"),
    "pe.pick": ("选择人员", "Choose a person"),
    "pe.posts": ("任职（本职与兼任）", "Posts and cross-appointments"),
    "pe.timeline": ("任职时间线", "Timeline"),
    "pe.bridges": ("其兼任所连接的组织", "Organisations this person bridges"),
    "pe.no_bridge": ("当前只在一个组织任职。", "Holds active posts in one organisation only."),
    "pe.masked": ("个人信息已脱敏：只显示姓名与编码。",
                  "Personal data is masked: only names and codes are shown."),
    "pe.active": ("在任", "active"),
    "pe.ended": ("已结束", "ended"),
    # sync
    "sy.header": ("同步记录", "Sync runs"),
    "sy.graph_runs": ("已写入图中的同步", "Runs applied to the graph (SyncRun nodes)"),
    "sy.log": ("全部同步尝试（含被拒绝和无变化的）", "Every sync attempt (sync-runs.jsonl)"),
    "sy.no_log": ("尚无日志文件 {path}", "No log file yet at {path}"),
    "sy.changes": ("变更明细", "Changes per table"),
    "sy.warnings": ("警告", "Warnings"),
    "sy.errors": ("错误", "Errors"),
    "sy.pick": ("选择一次同步", "Choose a run"),
    "sy.later": ("所选快照（第 {ordinal} 次）之后另有 {n} 次同步，未列出；"
                 "在侧栏选最新快照可看全部。",
                 "{n} later run(s) after the chosen snapshot (#{ordinal}) are not listed; "
                 "choose the latest snapshot in the sidebar to see them all."),
    "sy.beijing": ("时间均为北京时间。", "Times are Beijing time (UTC+8)."),
    "sy.staged": ("暂存待审核的同步", "Staged syncs (review before landing)"),
    "sy.no_staged": ("没有暂存的同步（redgov sync 路径 --review 可暂存一次同步）。",
                     "No staged syncs (redgov sync PATH --review stages one)."),
    "sy.staged_hint": ("查看字段变化、批准或驳回请用命令行：redgov review show 编号 / "
                       "redgov review approve 编号 / redgov review reject 编号 --reason 理由。",
                       "Inspect, approve or reject on the command line: redgov review show ID"
                       " / redgov review approve ID / redgov review reject ID --reason TEXT."),
    "sy.pull": ("自动拉取", "Pulls from the registry"),
    "sy.no_pull": ("尚未添加拉取来源（redgov source add）。",
                   "No pull sources yet (redgov source add)."),
    "sy.pull_streak": ("来源 {source} 已连续 {n} 次拉取失败：{line}",
                       "Source {source} failed {n} pulls in a row: {line}"),
    "col.pull_source": ("来源", "source"),
    "col.pull_attempt": ("上次尝试", "last attempt"),
    "col.pull_success": ("上次成功", "last success"),
    "col.pull_next": ("下次运行", "next run"),
    "col.pull_failures": ("连续失败", "failures in a row"),
    "col.pull_result": ("上次结果", "last result"),
    "sy.phases": ("各阶段用时", "Time per phase"),
    "sy.phases_none": ("该次同步未记录各阶段用时（记录用时之前的同步）。",
                       "This run kept no phase timings (it predates them)."),
    "data.computing": ("正在计算（已完成 {done}/{total}）：{names}",
                       "Computing ({done} of {total} done): {names}"),
    # column headers used by the dashboard's own reads
    "col.code": ("编码", "code"),
    "col.name": ("名称", "name"),
    "col.level": ("层级", "level"),
    "col.kind": ("类型", "kind"),
    "col.status": ("状态", "status"),
    "col.unit": ("所在单位", "unit"),
    "col.person": ("人员", "person"),
    "col.person_code": ("人员编码", "person code"),
    "col.standing": ("政治面貌", "standing"),
    "col.org": ("组织", "organisation"),
    "col.org_code": ("组织编码", "organisation code"),
    "col.post_type": ("任职类型", "post type"),
    "col.title": ("职务", "title"),
    "col.role": ("规范职务", "role"),
    "col.start": ("开始日期", "start"),
    "col.end": ("结束日期", "end"),
    "col.company": ("物业企业", "company"),
    "col.compound": ("小区", "compound"),
    "col.project": ("项目名称", "project"),
    "col.coverage": ("覆盖", "coverage"),
    "col.rate": ("覆盖率", "rate"),
    "col.detail": ("说明", "detail"),
    "col.compounds": ("小区数", "compounds"),
    "col.question": ("问题", "question"),
    "col.rows": ("行数", "rows"),
    "col.state": ("在任", "state"),
    "col.run": ("同步编号", "run"),
    "col.source": ("来源", "source"),
    "col.snapshot": ("快照日期", "snapshot"),
    "col.kind_run": ("类型", "kind"),
    "col.started": ("开始时间", "started"),
    "col.duration": ("耗时(秒)", "duration (s)"),
    "col.phases": ("各阶段用时", "phase timings"),
    "col.phase": ("阶段", "phase"),
    "col.seconds": ("用时(秒)", "seconds"),
    "col.share": ("占比", "share"),
    "col.added": ("新增", "added"),
    "col.changed": ("修改", "changed"),
    "col.retired": ("退出", "retired"),
    "col.unchanged": ("未变", "unchanged"),
    "col.table": ("表", "table"),
    "col.row": ("行", "row"),
    "col.column": ("列", "column"),
    "col.value": ("值", "value"),
    "col.reason": ("原因", "reason"),
    "col.path": ("导出目录", "export folder"),
    "col.warnings": ("警告数", "warnings"),
    "col.staged_id": ("暂存编号", "staged id"),
    "col.review": ("审核状态", "review status"),
    "col.staged_at": ("暂存时间", "staged at"),
    "col.base": ("基于快照", "base snapshot"),
    "col.decision": ("处理说明", "decision"),
    "col.errors": ("错误数", "errors"),
    # post types and network legend
    "rel.STRUCTURE": ("所在/依托/服务", "sits at / built in / manages"),
    "legend.orgs": ("组织", "Organisations"),
    "legend.people": ("人员", "People"),
    "legend.edges": ("关系", "Relations"),
    "legend.gap": ("审计发现（红框）", "Audit finding (red border)"),
    "legend.gap_short": ("有审计发现", "audit finding"),
    "net.cover": ("{n}个小区", "{n} compounds"),
    "net.members": ("{n}家", "{n} companies"),
    "net.companies": ("{name}物业企业", "property companies of {name}"),
    "net.people": ("{n}人", "{n} people"),
    "net.instructors": ("党建指导员 {n} 名", "{n} instructors"),
    "net.folded": ("另有 {n} 个组织", "{n} more bodies"),
    "net.folded_compounds": ("另有 {n} 个小区", "{n} more compounds"),
    "net.left_out": ("另有 {n} 个组织与图中组织无隶属、监管关系，未画出：{kinds}。",
                     "{n} bodies with no affiliation or supervision among those drawn are "
                     "left out: {kinds}."),
    "net.org_view": ("本级及下一级的组织，只画隶属与监管关系；人员并入各组织的人数，"
                     "框的大小表示覆盖的小区数。",
                     "Bodies of this level and the one below, with affiliation and supervision "
                     "only; people are counted in each body; size shows the compounds covered."),
    "net.community_view": ("本社区的组织与各小区：小区居中，左为小区党组织，右为业主组织，"
                           "最右为物业企业。",
                           "The community's bodies and compounds: compounds in the middle, their "
                           "party bodies left, owners' bodies right, companies beyond."),
    "legend.unit": ("单位", "Unit"),
    "legend.collapsed": ("（含 {n} 人）", "({n} people)"),
    # 示范创建 (selection): the year's ranking, lists, funding (R15) and phase targets (R21)
    "se.header": ("示范创建：评选、经费保障与阶段目标",
                  "Model selection: ranking, funding and phase targets"),
    "se.year": ("评选年度", "Year"),
    "se.scope": ("范围：{scope}", "Scope: {scope}"),
    "se.scope_all": ("全部", "everything"),
    "se.tab_ranking": ("评选排名", "Ranking"),
    "se.tab_lists": ("红黑榜", "Red and black lists"),
    "se.tab_funding": ("经费保障", "Funding"),
    "se.tab_targets": ("阶段目标", "Phase targets"),
    "se.funding_rollup": ("各街道经费保障率（{year}年）",
                          "Funding guarantee rate by street ({year})"),
    "se.funding_short": ("未达到保障标准的党组织：{n} 个，缺口合计 {total} 元",
                         "Party organisations below their floor: {n}, short by {total} yuan"),
    "se.targets_file": ("目标文件：{file}", "Targets file: {file}"),
    "se.targets_default": ("默认目标（绵阳“分步部署推进”）", "the shipped defaults (seed 004)"),
    "se.trend": ("各目标完成比例的变化（按快照）", "Share of each target done, by snapshot"),
    "se.snapshot": ("快照日期", "snapshot date"),
    "se.share": ("完成比例", "share done"),
    "se.target": ("目标", "target"),
    "se.download": ("下载评选汇总表（XLSX）", "Download the selection summary (XLSX)"),
    "se.workbook": ("“红色物业”示范创建评选汇总表", "Red property model selection summary"),
    "se.no_snapshot": ("尚无快照：先同步。", "No snapshot yet: sync first."),
    "se.category": ("评选类别", "Category"),
    "se.quota": ("名额 {quota}；参评 {candidates}，可参评 {eligible}，名额内 {within}，"
                 "已命名 {named}",
                 "Quota {quota}; candidates {candidates}, eligible {eligible}, within quota "
                 "{within}, named {named}"),
    "se.three_year": ("三年累计命名：{value} / {target}（截止 {due}，{status}）",
                      "Named over three years: {value} / {target} (due {due}, {status})"),
    "se.total": ("总分", "total"),
    "se.criterion": ("指标", "criterion"),
    "se.chart": ("可参评对象的各项得分（前 {n} 名）", "Criterion scores of the eligible (top {n})"),
    "se.disqualified": ("不得参评：{n} 个", "Disqualified: {n}"),
    "se.named_vs_ranked": ("命名与评选排名对照：{n} 条发现", "Named versus ranked: {n} findings"),
    "se.lists": ("{year} 年度上榜 {n} 次，其中黑榜 {black} 次",
                 "{n} listings in {year}, {black} of them black"),
    "se.sheet_ranking": ("{kind}评选", "{kind} ranking"),
    "se.sheet_disqualified": ("不得参评及依据", "Disqualified and evidence"),
    "se.code": ("对象编码", "code"),
    "se.name": ("对象名称", "name"),
    "se.reason": ("不得参评情形", "reason"),
    "se.evidence": ("依据", "evidence"),
}

#: The dashboard's short group names → the display vocabulary's domains.
_DOMAIN: Final[dict[str, str]] = {
    "level": "level", "kind": "org_kind", "role": "role", "standing": "standing",
    "supervision": "supervision_kind", "status": "org_status", "relation": "relation",
    "finding": "finding", "compound_type": "compound_type", "formation": "formation",
    "sync_kind": "sync_kind", "sync_status": "sync_status", "change": "change",
}


def t(key: str, lang: str = "zh", **values: object) -> str:
    """The label ``key`` in ``lang`` with ``{placeholders}`` filled from ``values``."""
    return lookup(LABELS, key, lang, **values)


def term(group: str, value: str | None, lang: str = "zh") -> str:
    """A vocabulary value (level/kind/role/standing/…) for display, from
    ``graph.display`` — the one display vocabulary; this only names its domain.

    An unknown value is shown as it is, so nothing silently disappears.
    """
    return display.term(_DOMAIN.get(group, group), value, lang)
