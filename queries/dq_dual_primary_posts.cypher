// name: dq_dual_primary_posts
// title_zh: 同一小区内两处本职
// title_en: People with 本职 posts in two bodies of one compound
// rules: DQ, R8
// source: 003
// one_row_per: (person, compound) where the person holds active 本职 posts in two or more different active bodies of that compound
// one_row_per_zh: 在同一小区两个以上不同组织有在任本职职务的（人员，小区）
// rule_zh: 数据质量：一个人的本职只有一个，同一小区里的第二个本职通常是兼任被登记成了本职。
// rule_zh: 小区的组织包括所在小区的组织、依托小区的党组织和有在期合同的物业企业。每一行都是问题。
// description: Data quality: a person's own post (本职) is one; a second one in the same compound
// description: is usually a 兼任 recorded as 本职. A compound's bodies are the organisations sitting
// description: at it, the party organisations built in it and the companies with an active contract for it.
// column: person_code — 人员编码 — the person
// column: person_name — 姓名 — the person's name
// column: compound_code — 小区编码 — the compound
// column: compound_name — 小区名称 — its name
// column: org_codes — 本职组织 — the bodies holding the person's 本职 posts, by code
// column: community_code — 社区编码 — the compound's community
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — the compound's street
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — the compound's district
// column: district_name — 区县名称 — its name
// type: org_codes — codes:organisation
// finding: every row
// Two plans, one per case; exactly one of the two parts gives rows (UNWIND of an empty list
// skips its part).  Scoped: from the scope's compounds, each body's 本职 holders, grouped by
// (compound, person).  Unscoped: from the people holding two 本职 posts in two different
// bodies (every person's posts walked once, no grouping over every post), kept when both
// bodies belong to one compound; then that (compound, person)'s bodies, as scoped.  Grouping
// every post of a province by (compound, person) took 4.6 s (issue 18).
UNWIND CASE WHEN $scope IS NULL THEN [] ELSE [true] END AS scoped
MATCH (p:Person)-[r:SERVES_AS]->(o:Organisation)-[l:SITS_AT|BUILT_IN|MANAGES]->(c:Unit {level: 'compound'})
WHERE @current(c) AND @in_scope(c)
  AND @current(o) AND o.status = 'active'
  AND @live(p, l) AND (type(l) <> 'MANAGES' OR @active(l))
  AND @active(r)
WITH c, p, collect(DISTINCT o) AS bodies
WHERE size(bodies) > 1
UNWIND bodies AS o
WITH c, p, o
ORDER BY o.code
WITH c, p, collect(o.code) AS org_codes
RETURN p.code AS person_code, p.name AS person_name, c.code AS compound_code,
       c.name AS compound_name, org_codes,
       c.community_code AS community_code, c.community_name AS community_name,
       c.street_code AS street_code, c.street_name AS street_name,
       c.district_code AS district_code, c.district_name AS district_name
ORDER BY compound_code, person_code
UNION ALL
UNWIND CASE WHEN $scope IS NULL THEN [true] ELSE [] END AS unscoped
MATCH (o1:Organisation)<-[r1:SERVES_AS]-(p:Person)-[r2:SERVES_AS]->(o2:Organisation)
WHERE o1 <> o2 AND @active(r1) AND @active(r2) AND @live(p)
  AND @current(o1) AND o1.status = 'active' AND @current(o2) AND o2.status = 'active'
WITH p, o1, o2
MATCH (o1)-[l1:SITS_AT|BUILT_IN|MANAGES]->(c:Unit {level: 'compound'})
      <-[l2:SITS_AT|BUILT_IN|MANAGES]-(o2)
WHERE @current(c) AND @in_scope(c) AND @live(l1, l2)
  AND (type(l1) <> 'MANAGES' OR @active(l1)) AND (type(l2) <> 'MANAGES' OR @active(l2))
WITH DISTINCT c, p
MATCH (p)-[r:SERVES_AS]->(o:Organisation)-[l:SITS_AT|BUILT_IN|MANAGES]->(c)
WHERE @current(o) AND o.status = 'active'
  AND @live(l) AND (type(l) <> 'MANAGES' OR @active(l))
  AND @active(r)
WITH c, p, collect(DISTINCT o) AS bodies
UNWIND bodies AS o
WITH c, p, o
ORDER BY o.code
WITH c, p, collect(o.code) AS org_codes
RETURN p.code AS person_code, p.name AS person_name, c.code AS compound_code,
       c.name AS compound_name, org_codes,
       c.community_code AS community_code, c.community_name AS community_name,
       c.street_code AS street_code, c.street_name AS street_name,
       c.district_code AS district_code, c.district_name AS district_name
ORDER BY compound_code, person_code
