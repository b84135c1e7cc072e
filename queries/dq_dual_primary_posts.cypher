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
// One batched traversal over the three ways a body belongs to a compound (pattern
// comprehensions per compound run once per row on FalkorDB, which was much slower).
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
