// name: industry_committee_secretary
// title_zh: 物业行业党委书记兼任情况
// title_en: Who holds the property-industry party committee secretary post
// rules: R11
// source: 004
// one_row_per: (active 行业党委, secretary); a committee without a secretary gives one row with finding 无书记
// one_row_per_zh: （在册行业党委，书记）；没有书记的行业党委为一行，结论为无书记
// rule_zh: 物业行业党委书记应为兼职（兼任）：区级由同区行业主管部门（住建）的负责人兼任，
// rule_zh: 街道级由街道党工委（党委）副书记兼任，社区级由社区党组织书记兼任。
// rule_zh: 结论按顺序取第一条：无书记、非兼任、人选不符，都符合为合规。
// description: The secretary's post is a concurrent one (兼任), held by: at a district, an official
// description: of the 行业主管部门 (住建) sitting at the same district (any active post there); at a
// description: street, the deputy secretary (副书记) of the street's 党工委/党委; at a community, the
// description: secretary of the community's party organisation. finding, first that applies:
// description: 无书记, 非兼任 (no active 兼任 secretary post), 人选不符, else ok.
// column: committee_code — 行业党委编码 — the industry party committee
// column: committee_name — 行业党委名称 — its name
// column: unit_code — 所在单位编码 — the unit it sits at
// column: unit_level — 所在层级 — district, street or community
// column: secretary_code — 书记编码 — the secretary's person code (null: none)
// column: secretary_name — 书记姓名 — the secretary's name
// column: concurrent — 兼任 — the secretary post is held as 兼任 (null: no secretary)
// column: finding — 结论 — 无书记, 非兼任, 人选不符 or ok
// column: community_code — 社区编码 — the committee's community
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — the committee's street
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — the committee's district
// column: district_name — 区县名称 — its name
// type: unit_level — level
// type: concurrent — bool
// type: finding — finding
// finding: finding — 无书记, 非兼任, 人选不符
MATCH (hy:Organisation {kind: 'industry_party_committee'})
WHERE @current(hy) AND hy.status = 'active'
OPTIONAL MATCH (hy)-[st:SITS_AT]->(u:Unit)
WITH hy, u, st
WHERE (st IS NULL OR @live(st)) AND @in_scope(u)
OPTIONAL MATCH (s:Person)-[sr:SERVES_AS|CROSS_APPOINTED_TO]->(hy)
WHERE sr.role = 'secretary' AND @active(sr)
WITH hy, u, s, collect(type(sr)) AS post_types
// The secretary's posts are matched once, unfiltered (batched on FalkorDB; three pattern
// comprehensions ran once per row each), and sorted into the three kinds in the aggregation.
OPTIONAL MATCH (s)-[pr:SERVES_AS|CROSS_APPOINTED_TO]->(po:Organisation)-[ps:SITS_AT]->(pu:Unit)
WITH hy, u, s, post_types, pr, po,
     @current(po) AND po.status = 'active' AND @live(ps) AND pu.code = u.code AND @active(pr)
       AS here
WITH hy, u, s, post_types,
     collect(CASE WHEN here AND po.kind = 'regulator' THEN po.code END) AS regulator_posts,
     collect(CASE WHEN here AND pr.role = 'deputy_secretary'
                   AND po.kind IN ['party_working_committee', 'party_committee']
                  THEN po.code END) AS street_posts,
     collect(CASE WHEN here AND pr.role = 'secretary'
                   AND po.kind IN ['party_committee', 'general_branch', 'party_branch']
                  THEN po.code END) AS community_posts
RETURN hy.code AS committee_code, hy.name AS committee_name, u.code AS unit_code,
       u.level AS unit_level, s.code AS secretary_code, s.name AS secretary_name,
       CASE WHEN s IS NULL THEN null ELSE 'CROSS_APPOINTED_TO' IN post_types END AS concurrent,
       CASE WHEN s IS NULL THEN '无书记'
            WHEN NOT ('CROSS_APPOINTED_TO' IN post_types) THEN '非兼任'
            WHEN u.level = 'district' AND size(regulator_posts) = 0 THEN '人选不符'
            WHEN u.level = 'street' AND size(street_posts) = 0 THEN '人选不符'
            WHEN u.level = 'community' AND size(community_posts) = 0 THEN '人选不符'
            ELSE 'ok' END AS finding,
       u.community_code AS community_code, u.community_name AS community_name,
       u.street_code AS street_code, u.street_name AS street_name,
       u.district_code AS district_code, u.district_name AS district_name
ORDER BY committee_code, secretary_code
