// name: supervisory_independence
// title_zh: 监委会成员独立性
// title_en: Independence of supervisory-committee members
// rules: R8
// source: 003
// one_row_per: (supervisory-committee member, other body) where the member also holds an active post in the same compound's owners' committee or property company
// one_row_per_zh: 同时在本小区业委会或物业企业任职的（监委会成员，其他组织）
// rule_zh: 业主监督委员会成员不得在同一小区的业委会或物业企业任职，以保证监督独立。
// rule_zh: 监委会、业委会指所在小区的在册组织，物业企业指对小区有在期合同的在册企业；职务为在任的本职或兼任。
// rule_zh: 每一行都是问题。
// description: Supervisory committee, owners' committee: active, sitting at the compound; property
// description: company: active, with an active contract for the compound. Posts: active, 本职 or 兼任.
// column: person_code — 人员编码 — the member's person code
// column: person_name — 姓名 — the member's name
// column: compound_code — 小区编码 — the compound
// column: compound_name — 小区名称 — its name
// column: supervisory_code — 监委会编码 — the supervisory committee
// column: other_org_code — 兼职组织编码 — the owners' committee or company also served
// column: other_org_kind — 兼职组织类型 — owners_committee or property_company
// column: community_code — 社区编码 — the compound's community
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — the compound's street
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — the compound's district
// column: district_name — 区县名称 — its name
// type: other_org_kind — org_kind
// finding: every row
MATCH (sc:Organisation {kind: 'supervisory_committee'})-[ss:SITS_AT]->(c:Unit {level: 'compound'})
WHERE @current(sc) AND sc.status = 'active' AND @live(ss)
  AND @current(c) AND @in_scope(c)
MATCH (p:Person)-[r1:SERVES_AS|CROSS_APPOINTED_TO]->(sc)
WHERE @active(r1)
WITH DISTINCT c, sc, p
MATCH (p)-[r2:SERVES_AS|CROSS_APPOINTED_TO]->(o:Organisation)
WHERE @active(r2) AND @current(o) AND o.status = 'active'
  AND o.kind IN ['owners_committee', 'property_company']
WITH DISTINCT c, sc, p, o
WITH c, sc, p, o,
     size([(o)-[os:SITS_AT]->(c) WHERE @live(os) | o]) AS sits,
     size([(o)-[k:MANAGES]->(c) WHERE @active(k) | k]) AS contracts
WHERE (o.kind = 'owners_committee' AND sits > 0) OR (o.kind = 'property_company' AND contracts > 0)
RETURN p.code AS person_code, p.name AS person_name,
       c.code AS compound_code, c.name AS compound_name,
       sc.code AS supervisory_code, o.code AS other_org_code, o.kind AS other_org_kind,
       c.community_code AS community_code, c.community_name AS community_name,
       c.street_code AS street_code, c.street_name AS street_name,
       c.district_code AS district_code, c.district_name AS district_name
ORDER BY compound_code, person_code, other_org_code
