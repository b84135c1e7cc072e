// name: coverage_rollup
// title_zh: 党建引领物业治理覆盖汇总
// title_en: Coverage roll-up by unit
// rules: R1, R5, R6, R7
// source: 002, 003, 004
// one_row_per: active unit at level (default street) within scope
// one_row_per_zh: 范围内指定层级（默认街道）的每个在册单位
// rule_zh: 按单位统计其下在册小区：有党组织、有业委会、有业委会或自治组织、有专业物业服务的小区数和覆盖率，
// rule_zh: 一肩挑比例（在既有党组织又有业委会的小区中），交叉任职比例（各小区党组织班子人数之和中兼任其他组织职务的人数）。
// rule_zh: 定义与“未建党组织的小区”“书记主任一肩挑”“交叉任职比例”相同；分母为0时比例为空。
// param_zh: level — 汇总层级
// description: Counts over the unit's active compounds, with the same definitions as
// description: compounds_without_branch, one_shoulder and cross_appointment_ratio: committee and
// description: cross are the sums of the per-compound figures (a joint branch counts once per
// description: compound it covers). Rates have 4 decimals and are null when their base is 0.
// param: level level street — the level of the units to roll up to
// column: unit_code — 单位编码 — the unit rolled up to
// column: unit_name — 单位名称 — its name
// column: level — 层级 — its level
// column: compounds — 小区数 — active compounds in the unit
// column: with_party_org — 有党组织小区数 — compounds with an active party organisation (R1)
// column: party_org_rate — 党组织覆盖率 — with_party_org / compounds
// column: with_owners_committee — 有业委会小区数 — compounds with an active owners' committee
// column: owners_committee_rate — 业委会覆盖率 — with_owners_committee / compounds
// column: with_self_governance — 有自治组织小区数 — compounds with an active self-governance body
// column: governed — 有业委会或自治组织小区数 — compounds with either (R5)
// column: governance_rate — 自治覆盖率 — governed / compounds
// column: managed — 专业物业小区数 — compounds with an active property-service contract
// column: managed_rate — 物业覆盖率 — managed / compounds
// column: with_both — 党组织与业委会均有小区数 — compounds with a party organisation and an owners' committee
// column: one_shoulder — 一肩挑小区数 — of those, compounds where the secretary chairs the committee (R6)
// column: one_shoulder_rate — 一肩挑比例 — one_shoulder / with_both
// column: committee — 班子人数 — sum of the compounds' party committee sizes (R7)
// column: cross — 交叉任职人数 — sum of their cross-appointed members (R7)
// column: cross_rate — 交叉任职比例 — cross / committee
// column: community_code — 社区编码 — the unit's community (null above community level)
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — the unit's street (null above street level)
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — the unit's district
// column: district_name — 区县名称 — its name
// type: level — level
// type: compounds, with_party_org, with_owners_committee, with_self_governance, governed, managed, with_both, one_shoulder, committee, cross — int
// type: party_org_rate, owners_committee_rate, governance_rate, managed_rate, one_shoulder_rate, cross_rate — rate
// finding: none
// example: --param level=district
// headline: party_org_rate
// Engine note: OPTIONAL MATCH with a WHERE runs one traversal per row on FalkorDB, one
// without runs batched; so the per-compound neighbourhoods are matched unfiltered and
// their conditions applied inside the aggregations (CASE … END is null when they fail).
MATCH (u:Unit {level: $level})
WHERE @current(u) AND @in_scope(u)
OPTIONAL MATCH up = (c:Unit {level: 'compound'})-[:PART_OF*0..4]->(u)
WHERE @current(c) AND all(x IN relationships(up) WHERE @live(x))
OPTIONAL MATCH (b:Organisation)-[bs:SITS_AT]->(c)
OPTIONAL MATCH (h:Person)-[hr:SERVES_AS|CROSS_APPOINTED_TO]->(b)
WITH u, c,
     collect(DISTINCT CASE
       WHEN b.kind IN ['owners_committee', 'supervisory_committee', 'self_governance_body']
        AND @live(bs) AND @current(b) AND b.status = 'active' THEN b END) AS seated,
     collect(DISTINCT CASE
       WHEN hr.role = 'director' AND @active(hr)
        AND b.kind = 'owners_committee' AND @live(bs)
        AND @current(b) AND b.status = 'active' THEN h.code END) AS chairs
OPTIONAL MATCH (co:Organisation)-[k:MANAGES]->(c)
WITH u, c, seated, chairs,
     collect(DISTINCT CASE
       WHEN co.kind = 'property_company' AND @current(co)
        AND co.status = 'active' AND @active(k)
       THEN co.code END) AS companies
WITH u, c, chairs, size(companies) > 0 AS managed,
     size([x IN seated WHERE x.kind = 'owners_committee']) > 0 AS has_committee,
     size([x IN seated WHERE x.kind = 'self_governance_body']) > 0 AS has_self_body,
     [x IN seated WHERE x.kind IN ['owners_committee', 'supervisory_committee'] | x.code]
       + companies AS bodies
OPTIONAL MATCH (po:Organisation)-[pb:BUILT_IN]->(c)
OPTIONAL MATCH (m:Person)-[mr:SERVES_AS|CROSS_APPOINTED_TO]->(po)
OPTIONAL MATCH (m)-[xr:SERVES_AS|CROSS_APPOINTED_TO]->(xb:Organisation)
WITH u, c, chairs, managed, has_committee, has_self_body, bodies, po, m, mr, xr, xb,
     po.kind IN ['party_committee', 'general_branch', 'party_branch']
       AND @live(pb) AND @current(po) AND po.status = 'active' AS party_org
WITH u, c, chairs, managed, has_committee, has_self_body, bodies, party_org, m, mr, xr, xb,
     party_org AND mr.role IN ['secretary', 'deputy_secretary', 'committee_member', 'concurrent_member']
       AND @active(mr) AS on_committee
WITH u, c, chairs, managed, has_committee, has_self_body,
     count(CASE WHEN party_org THEN 1 END) > 0 AS has_party_org,
     collect(DISTINCT CASE WHEN on_committee THEN m.code END) AS members,
     collect(DISTINCT CASE WHEN on_committee AND mr.role = 'secretary' THEN m.code END)
       AS secretaries,
     collect(DISTINCT CASE
       WHEN on_committee AND xb.code IN bodies AND @active(xr)
       THEN m.code END) AS crossers
WITH u, c, has_party_org, managed, has_committee, has_self_body,
     has_party_org AND has_committee AND size([x IN secretaries WHERE x IN chairs]) > 0
       AS shoulder,
     size(members) AS committee_size, size(crossers) AS cross_size
WITH u,
     count(c) AS compounds,
     toInteger(sum(CASE WHEN c IS NOT NULL AND has_party_org THEN 1 ELSE 0 END)) AS with_party_org,
     toInteger(sum(CASE WHEN c IS NOT NULL AND has_committee THEN 1 ELSE 0 END)) AS with_owners_committee,
     toInteger(sum(CASE WHEN c IS NOT NULL AND has_self_body THEN 1 ELSE 0 END)) AS with_self_governance,
     toInteger(sum(CASE WHEN c IS NOT NULL AND (has_committee OR has_self_body) THEN 1 ELSE 0 END)) AS governed,
     toInteger(sum(CASE WHEN c IS NOT NULL AND managed THEN 1 ELSE 0 END)) AS managed,
     toInteger(sum(CASE WHEN c IS NOT NULL AND has_party_org AND has_committee THEN 1 ELSE 0 END)) AS with_both,
     toInteger(sum(CASE WHEN c IS NOT NULL AND shoulder THEN 1 ELSE 0 END)) AS one_shoulder,
     toInteger(sum(CASE WHEN c IS NOT NULL AND has_party_org THEN committee_size ELSE 0 END)) AS committee,
     toInteger(sum(CASE WHEN c IS NOT NULL AND has_party_org THEN cross_size ELSE 0 END)) AS cross
RETURN u.code AS unit_code, u.name AS unit_name, u.level AS level, compounds,
       with_party_org,
       CASE WHEN compounds = 0 THEN null ELSE round(10000.0 * with_party_org / compounds) / 10000.0 END AS party_org_rate,
       with_owners_committee,
       CASE WHEN compounds = 0 THEN null ELSE round(10000.0 * with_owners_committee / compounds) / 10000.0 END AS owners_committee_rate,
       with_self_governance, governed,
       CASE WHEN compounds = 0 THEN null ELSE round(10000.0 * governed / compounds) / 10000.0 END AS governance_rate,
       managed,
       CASE WHEN compounds = 0 THEN null ELSE round(10000.0 * managed / compounds) / 10000.0 END AS managed_rate,
       with_both, one_shoulder,
       CASE WHEN with_both = 0 THEN null ELSE round(10000.0 * one_shoulder / with_both) / 10000.0 END AS one_shoulder_rate,
       committee, cross,
       CASE WHEN committee = 0 THEN null ELSE round(10000.0 * cross / committee) / 10000.0 END AS cross_rate,
       u.community_code AS community_code, u.community_name AS community_name,
       u.street_code AS street_code, u.street_name AS street_name,
       u.district_code AS district_code, u.district_name AS district_name
ORDER BY unit_code
