// name: dq_unaffiliated_party_orgs
// title_zh: 未接入隶属链的党组织
// title_en: Party organisations not affiliated up the chain
// rules: DQ, R3
// source: 004
// one_row_per: active party-side organisation, not sitting at a city, without an active parent
// one_row_per_zh: 不在市级单位、没有有效上级的在册党的组织
// rule_zh: 数据质量：市以下的党委、党工委、党总支、党支部、党的工作小组、党小组、行业党委都应登记
// rule_zh: 隶属组织编码，隶属于一个在册组织；组织部和市级组织是隶属链的顶端。
// rule_zh: 未登记上级的为无上级，上级已撤销或已退出台账的为上级无效。
// description: Data quality: every party-side organisation (党委, 党工委, 党总支, 党支部, 党的工作小组,
// description: 党小组, 行业党委) below the city should be affiliated (隶属组织编码) under an active one.
// description: The 组织部 and organisations sitting at a city are the top of the chain.
// description: finding: 无上级 (no parent recorded) or 上级无效 (parent revoked or retired).
// column: org_code — 组织编码 — the organisation
// column: org_name — 组织名称 — its name
// column: org_kind — 组织类型 — its kind
// column: unit_code — 所在单位编码 — the unit it sits at
// column: unit_level — 所在层级 — that unit's level
// column: parent_code — 隶属组织编码 — the recorded parent (null: none)
// column: finding — 结论 — 无上级 or 上级无效
// column: community_code — 社区编码 — the organisation's community
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — the organisation's street
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — the organisation's district
// column: district_name — 区县名称 — its name
// type: org_kind — org_kind
// type: unit_level — level
// type: finding — finding
// finding: finding — 无上级, 上级无效
MATCH (o:Organisation)
WHERE o.kind IN ['party_committee', 'party_working_committee', 'general_branch', 'party_branch',
                 'party_work_group', 'party_group', 'industry_party_committee']
  AND @current(o) AND o.status = 'active'
OPTIONAL MATCH (o)-[st:SITS_AT]->(u:Unit)
WITH o, u, st
WHERE (st IS NULL OR @live(st)) AND coalesce(u.level <> 'city', true) AND @in_scope(u)
OPTIONAL MATCH (o)-[a:AFFILIATED_UNDER]->(parent:Organisation)
WITH o, u, parent, a
WHERE (a IS NULL OR @live(a))
  AND (parent IS NULL OR NOT @current(parent)
       OR coalesce(parent.status = 'active', false) = false)
RETURN o.code AS org_code, o.name AS org_name, o.kind AS org_kind,
       u.code AS unit_code, u.level AS unit_level, parent.code AS parent_code,
       CASE WHEN parent IS NULL THEN '无上级' ELSE '上级无效' END AS finding,
       u.community_code AS community_code, u.community_name AS community_name,
       u.street_code AS street_code, u.street_name AS street_name,
       u.district_code AS district_code, u.district_name AS district_name
ORDER BY org_code
