// name: one_shoulder
// title_zh: 书记主任“一肩挑”
// title_en: Branch secretary who also chairs the owners' committee
// rules: R6
// source: 003, 004
// one_row_per: active compound with both an active party organisation and an active owners' committee
// one_row_per_zh: 既有在册党组织又有在册业主委员会的在册小区
// rule_zh: 同一人既任小区党组织书记（副书记不算）又任业委会主任，两个职务都在任（本职或兼任）时为一肩挑。
// rule_zh: 显示的编码是此人的；不是一肩挑时显示编码最小的书记和主任（空缺时为空）。没有一肩挑的小区为问题。
// description: one_shoulder is true when some person is secretary (normalised role 书记; 副书记
// description: is not) of one of the compound's party organisations and chair (主任) of its
// description: owners' committee, both posts active (本职 or 兼任). Codes shown are that person's,
// description: else the lowest secretary and chair codes (null when the post is vacant).
// column: compound_code — 小区编码 — the compound's unit code
// column: compound_name — 小区名称 — its name
// column: party_org_code — 党组织编码 — the compound's party organisation (lowest code if several)
// column: committee_code — 业委会编码 — the compound's owners' committee (lowest code if several)
// column: secretary_code — 书记编码 — the secretary's person code, or null
// column: chair_code — 主任编码 — the chair's person code, or null
// column: one_shoulder — 一肩挑 — the secretary and the chair are the same person
// column: community_code — 社区编码 — the compound's community
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — the compound's street
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — the compound's district
// column: district_name — 区县名称 — its name
// type: one_shoulder — bool
// finding: one_shoulder — false
// Engine note: OPTIONAL MATCH without a WHERE runs batched on FalkorDB (with a WHERE, or as a
// pattern comprehension, it runs once per row); conditions are applied in the aggregations.
MATCH (po:Organisation)-[b:BUILT_IN]->(c:Unit {level: 'compound'})
WHERE po.kind IN ['party_committee', 'general_branch', 'party_branch']
  AND @current(po) AND po.status = 'active' AND @live(b)
  AND @current(c) AND @in_scope(c)
WITH c, collect(po.code) AS party_orgs
OPTIONAL MATCH (oc:Organisation)-[os:SITS_AT]->(c)
OPTIONAL MATCH (h:Person)-[hr:SERVES_AS|CROSS_APPOINTED_TO]->(oc)
WITH c, party_orgs, oc, h, hr,
     oc.kind = 'owners_committee' AND @live(os) AND @current(oc)
       AND oc.status = 'active' AS committee
WITH c, party_orgs,
     collect(DISTINCT CASE WHEN committee THEN oc.code END) AS committees,
     collect(CASE WHEN committee AND hr.role = 'director' AND @active(hr)
              THEN h.code END) AS chairs
WHERE size(committees) > 0
OPTIONAL MATCH (spo:Organisation)-[sb:BUILT_IN]->(c)
OPTIONAL MATCH (s:Person)-[sr:SERVES_AS|CROSS_APPOINTED_TO]->(spo)
WITH c, party_orgs, committees, chairs,
     collect(CASE WHEN sr.role = 'secretary' AND @active(sr)
                   AND spo.kind IN ['party_committee', 'general_branch', 'party_branch']
                   AND @live(sb) AND @current(spo) AND spo.status = 'active'
              THEN s.code END) AS secretaries
WITH c, party_orgs, committees, secretaries, chairs,
     [x IN secretaries WHERE x IN chairs] AS both
RETURN c.code AS compound_code, c.name AS compound_name,
       reduce(lo = null, x IN party_orgs | CASE WHEN lo IS NULL OR x < lo THEN x ELSE lo END) AS party_org_code,
       reduce(lo = null, x IN committees | CASE WHEN lo IS NULL OR x < lo THEN x ELSE lo END) AS committee_code,
       reduce(lo = null, x IN CASE WHEN size(both) > 0 THEN both ELSE secretaries END |
              CASE WHEN lo IS NULL OR x < lo THEN x ELSE lo END) AS secretary_code,
       reduce(lo = null, x IN CASE WHEN size(both) > 0 THEN both ELSE chairs END |
              CASE WHEN lo IS NULL OR x < lo THEN x ELSE lo END) AS chair_code,
       size(both) > 0 AS one_shoulder,
       c.community_code AS community_code, c.community_name AS community_name,
       c.street_code AS street_code, c.street_name AS street_name,
       c.district_code AS district_code, c.district_name AS district_name
ORDER BY compound_code
