// name: branch_committee_size
// title_zh: 小区党组织班子配备
// title_en: Size and make-up of compound party committees
// rules: R9
// source: 003
// one_row_per: active party organisation (党委/党总支/党支部) built in at least one compound
// one_row_per_zh: 依托至少一个小区建立的在册党组织（党委、党总支或党支部）
// rule_zh: 小区党组织班子应为3至5人：书记1名、副书记1名、委员1至3名（委员与兼职委员都算委员），
// rule_zh: 按在任的本职或兼任职务统计；联合建的党组织只算一行。结论按顺序取第一条不符：
// rule_zh: 班子人数不符（不在3至5人）、书记人数不符（不是1名）、副书记人数不符（不是1名）、
// rule_zh: 委员人数不符（不在1至3名），都符合为合规。
// description: A compound branch committee has 3–5 members: 书记 1, 副书记 1, 委员 1–3 (委员 and
// description: 兼职委员 count as 委员). Posts: active, 本职 or 兼任. finding, first that applies:
// description: 班子人数不符 (committee outside 3–5), 书记人数不符 (not exactly 1), 副书记人数不符
// description: (not exactly 1), 委员人数不符 (outside 1–3), else ok. A joint branch is one row.
// column: party_org_code — 党组织编码 — the party organisation
// column: party_org_name — 党组织名称 — its name
// column: compound_codes — 依托小区 — the active compounds it is built in
// column: secretaries — 书记人数 — people with an active 书记 post
// column: deputy_secretaries — 副书记人数 — people with an active 副书记 post
// column: committee_members — 委员人数 — people with an active 委员 or 兼职委员 post
// column: committee — 班子人数 — distinct people in any of those posts
// column: finding — 结论 — 班子人数不符, 书记人数不符, 副书记人数不符, 委员人数不符 or ok
// column: community_code — 社区编码 — the organisation's community (of the unit it sits at)
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — the organisation's street
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — the organisation's district
// column: district_name — 区县名称 — its name
// type: compound_codes — codes:unit
// type: secretaries, deputy_secretaries, committee_members, committee — int
// type: finding — finding
// finding: finding — 班子人数不符, 书记人数不符, 副书记人数不符, 委员人数不符
MATCH (po:Organisation)
WHERE po.kind IN ['party_committee', 'general_branch', 'party_branch']
  AND @current(po) AND po.status = 'active'
// The seat is matched unfiltered (batched on FalkorDB) and its version checked after: a live
// organisation has at most one live seat, and none only when it sits nowhere.
OPTIONAL MATCH (po)-[st:SITS_AT]->(u:Unit)
WITH po, u, st
WHERE (st IS NULL OR @live(st)) AND @in_scope(u)
MATCH (po)-[b:BUILT_IN]->(c:Unit {level: 'compound'})
WHERE @live(b) AND @current(c)
WITH po, u, c
ORDER BY c.code
WITH po, u, collect(DISTINCT c.code) AS compound_codes
// Engine note: an OPTIONAL MATCH with a WHERE runs once per row on FalkorDB, one without runs
// batched: the posts are matched unfiltered and the conditions applied in the aggregation.
OPTIONAL MATCH (m)-[r:SERVES_AS|CROSS_APPOINTED_TO]->(po)
WITH po, compound_codes, u, m, r,
     r.role IN ['secretary', 'deputy_secretary', 'committee_member', 'concurrent_member']
       AND @active(r) AS live
WITH po, compound_codes, u,
     collect(DISTINCT CASE WHEN live AND r.role = 'secretary' THEN m.code END) AS secs,
     collect(DISTINCT CASE WHEN live AND r.role = 'deputy_secretary' THEN m.code END) AS deps,
     collect(DISTINCT CASE WHEN live AND r.role IN ['committee_member', 'concurrent_member']
                           THEN m.code END) AS mems,
     collect(DISTINCT CASE WHEN live THEN m.code END) AS everyone
RETURN po.code AS party_org_code, po.name AS party_org_name, compound_codes,
       size(secs) AS secretaries, size(deps) AS deputy_secretaries,
       size(mems) AS committee_members, size(everyone) AS committee,
       CASE WHEN size(everyone) < 3 OR size(everyone) > 5 THEN '班子人数不符'
            WHEN size(secs) <> 1 THEN '书记人数不符'
            WHEN size(deps) <> 1 THEN '副书记人数不符'
            WHEN size(mems) < 1 OR size(mems) > 3 THEN '委员人数不符'
            ELSE 'ok' END AS finding,
       u.community_code AS community_code, u.community_name AS community_name,
       u.street_code AS street_code, u.street_name AS street_name,
       u.district_code AS district_code, u.district_name AS district_name
ORDER BY party_org_code
