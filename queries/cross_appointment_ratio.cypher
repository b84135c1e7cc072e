// name: cross_appointment_ratio
// title_zh: 小区党组织班子交叉任职比例
// title_en: Cross-appointment ratio of compound party committees
// rules: R7
// source: 003, 004
// one_row_per: active compound with an active party organisation
// one_row_per_zh: 有在册党组织的在册小区
// rule_zh: 班子人数是在小区党组织任书记、副书记、委员或兼职委员（本职或兼任）的不同人数；
// rule_zh: 交叉任职人数是其中同时在本小区业委会、监委会或物业企业（有在期服务合同）任职的人数。
// rule_zh: 联合建的党组织在它覆盖的每个小区各算一次。
// description: committee = distinct people with an active post (本职 or 兼任) whose normalised
// description: role is 书记, 副书记, 委员 or 兼职委员 in one of the compound's party organisations;
// description: cross = those who also hold an active post in the compound's owners' committee,
// description: supervisory committee (active, sitting at the compound) or property company
// description: (active contract). A joint branch counts once for each compound it covers.
// column: compound_code — 小区编码 — the compound's unit code
// column: compound_name — 小区名称 — its name
// column: party_org_code — 党组织编码 — the compound's party organisation (lowest code if several)
// column: committee — 班子人数 — people on the party organisation's committee
// column: cross — 交叉任职人数 — of those, people with a post in the compound's other bodies
// column: ratio — 交叉任职比例 — cross / committee, 4 decimals (null when committee = 0)
// column: community_code — 社区编码 — the compound's community
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — the compound's street
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — the compound's district
// column: district_name — 区县名称 — its name
// type: committee, cross — int
// type: ratio — rate
// finding: none
// headline: ratio
// Engine note: on FalkorDB an OPTIONAL MATCH with a WHERE runs one traversal per row (~25 µs
// each, seconds at province scale), one without a WHERE runs batched; so the optional
// neighbourhoods are matched unfiltered and filtered inside the aggregations (CASE … END is
// null when a condition fails, and collect/count skip nulls).
MATCH (po:Organisation)-[b:BUILT_IN]->(c:Unit {level: 'compound'})
WHERE po.kind IN ['party_committee', 'general_branch', 'party_branch']
  AND @current(po) AND po.status = 'active' AND @live(b)
  AND @current(c) AND @in_scope(c)
WITH c, collect(po.code) AS party_orgs
OPTIONAL MATCH (sb:Organisation)-[sbs:SITS_AT]->(c)
WITH c, party_orgs,
     collect(CASE WHEN sb.kind IN ['owners_committee', 'supervisory_committee']
                   AND @live(sbs) AND @current(sb) AND sb.status = 'active'
              THEN sb.code END) AS seated
OPTIONAL MATCH (co:Organisation)-[k:MANAGES]->(c)
WITH c, party_orgs, seated,
     collect(CASE WHEN co.kind = 'property_company' AND @current(co)
                   AND co.status = 'active' AND @active(k)
              THEN co.code END) AS companies
OPTIONAL MATCH (mpo:Organisation)-[mb:BUILT_IN]->(c)
OPTIONAL MATCH (m:Person)-[mr:SERVES_AS|CROSS_APPOINTED_TO]->(mpo)
OPTIONAL MATCH (m)-[xr:SERVES_AS|CROSS_APPOINTED_TO]->(xb:Organisation)
WITH c, party_orgs, seated + companies AS bodies, m, xr, xb,
     mr.role IN ['secretary', 'deputy_secretary', 'committee_member', 'concurrent_member']
       AND @active(mr)
       AND mpo.kind IN ['party_committee', 'general_branch', 'party_branch']
       AND @live(mb) AND @current(mpo) AND mpo.status = 'active' AS on_committee
WITH c, party_orgs,
     size(collect(DISTINCT CASE WHEN on_committee THEN m.code END)) AS committee_size,
     collect(DISTINCT CASE
       WHEN on_committee AND xb.code IN bodies AND @active(xr)
       THEN m.code END) AS crossers
RETURN c.code AS compound_code, c.name AS compound_name,
       reduce(lo = null, x IN party_orgs | CASE WHEN lo IS NULL OR x < lo THEN x ELSE lo END) AS party_org_code,
       committee_size AS committee, size(crossers) AS cross,
       CASE WHEN committee_size = 0 THEN null
            ELSE round(10000.0 * size(crossers) / committee_size) / 10000.0 END AS ratio,
       c.community_code AS community_code, c.community_name AS community_name,
       c.street_code AS street_code, c.street_name AS street_name,
       c.district_code AS district_code, c.district_name AS district_name
ORDER BY compound_code
