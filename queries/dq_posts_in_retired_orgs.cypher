// name: dq_posts_in_retired_orgs
// title_zh: 已撤销组织中的在任职务
// title_en: Current posts in revoked or retired organisations
// rules: DQ
// source: 002
// one_row_per: active post (本职 or 兼任, by its own dates and not retired) in an organisation that is revoked (撤销) or retired from the registry
// one_row_per_zh: 已撤销或已退出台账的组织中仍在任的职务（本职或兼任）
// rule_zh: 数据质量：这类职务在各项审计中都不计入，应在台账中办理离任。每一行都是问题。
// description: Data quality: such posts never count in the audit questions; they should be ended
// description: in the registry.
// column: person_code — 人员编码 — the post holder
// column: person_name — 姓名 — the holder's name
// column: org_code — 组织编码 — the organisation
// column: org_name — 组织名称 — its name
// column: org_kind — 组织类型 — its kind
// column: org_state — 组织状态 — 撤销 (revoked) or 已退出台账 (retired: no longer in the registry)
// column: post_type — 任职类型 — SERVES_AS (本职) or CROSS_APPOINTED_TO (兼任)
// column: title — 职务 — the title as written
// column: start — 开始日期 — the post's start
// column: community_code — 社区编码 — the organisation's community
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — the organisation's street
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — the organisation's district
// column: district_name — 区县名称 — its name
// type: org_kind — org_kind
// type: org_state — org_state
// type: post_type — relation
// type: title — text
// type: start — date
// finding: every row
MATCH (o:Organisation)
WHERE (coalesce(o.retired, false) = true OR o.status = 'revoked') AND @live(o)
OPTIONAL MATCH (o)-[st:SITS_AT]->(u:Unit)
WITH o, u, st
WHERE (st IS NULL OR @live(st)) AND @in_scope(u)
MATCH (p:Person)-[r:SERVES_AS|CROSS_APPOINTED_TO]->(o)
WHERE @active(r)
RETURN p.code AS person_code, p.name AS person_name, o.code AS org_code, o.name AS org_name,
       o.kind AS org_kind,
       CASE WHEN coalesce(o.retired, false) THEN '已退出台账' ELSE '撤销' END AS org_state,
       type(r) AS post_type, r.title AS title, r.start AS start,
       u.community_code AS community_code, u.community_name AS community_name,
       u.street_code AS street_code, u.street_name AS street_name,
       u.district_code AS district_code, u.district_name AS district_name
ORDER BY org_code, person_code, start
