// name: secretary_origin
// title_zh: 小区党组织书记来源
// title_en: Where compound branch secretaries come from
// rules: R10
// source: 003
// one_row_per: (active compound party organisation, secretary); an organisation without a secretary gives one row with origin 无书记
// one_row_per_zh: （在册小区党组织，书记）；没有书记的党组织为一行，来源为无书记
// rule_zh: 小区党组织书记优先从业委会成员中产生，其次从居住在小区的党员中产生，再次由社区工作人员担任。
// rule_zh: 来源按顺序取第一条：业委会成员、小区党员、社区工作人员，都不是的为其他；其他和无书记为问题。
// description: A branch secretary is drawn from owners' committee members, else resident party
// description: members, else community staff. origin, first that applies: 业委会成员 (an active
// description: post in an active owners' committee sitting at one of the organisation's compounds),
// description: 小区党员 (a party member living in one of them), 社区工作人员 (an active 本职 post in an
// description: active organisation sitting at the community of one of them), else 其他.
// column: party_org_code — 党组织编码 — the compound party organisation
// column: party_org_name — 党组织名称 — its name
// column: secretary_code — 书记编码 — the secretary's person code (null: none)
// column: secretary_name — 书记姓名 — the secretary's name
// column: origin — 来源 — 业委会成员, 小区党员, 社区工作人员, 其他 or 无书记
// column: community_code — 社区编码 — the organisation's community (of the unit it sits at)
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — the organisation's street
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — the organisation's district
// column: district_name — 区县名称 — its name
// type: origin — origin
// finding: origin — 其他, 无书记
MATCH (po:Organisation)
WHERE po.kind IN ['party_committee', 'general_branch', 'party_branch']
  AND @current(po) AND po.status = 'active'
OPTIONAL MATCH (po)-[st:SITS_AT]->(u:Unit)
WITH po, u, st
WHERE (st IS NULL OR @live(st)) AND @in_scope(u)
MATCH (po)-[b:BUILT_IN]->(c:Unit {level: 'compound'})
WHERE @live(b) AND @current(c)
WITH po, u, collect(DISTINCT c.code) AS compounds, collect(DISTINCT c.community_code) AS communities
// Engine note: OPTIONAL MATCH with a WHERE, and pattern comprehensions, run once per row on
// FalkorDB; unfiltered OPTIONAL MATCHes run batched, so conditions go into the aggregations.
OPTIONAL MATCH (s0:Person)-[sr:SERVES_AS|CROSS_APPOINTED_TO]->(po)
WITH po, compounds, communities, u,
     collect(DISTINCT CASE WHEN sr.role = 'secretary' AND @active(sr) THEN s0 END) AS secretaries
UNWIND CASE WHEN size(secretaries) = 0 THEN [null] ELSE secretaries END AS s
OPTIONAL MATCH (s)-[pr:SERVES_AS|CROSS_APPOINTED_TO]->(oc:Organisation)
OPTIONAL MATCH (oc)-[os:SITS_AT]->(oh:Unit)
OPTIONAL MATCH (s)-[lv:LIVES_IN]->(home:Unit)
WITH po, compounds, communities, u, s, pr, oc, oh, home, lv,
     @current(oc) AND oc.status = 'active' AND @active(pr) AND @live(os) AS live
WITH po, u, s,
     count(CASE WHEN live AND oc.kind = 'owners_committee' AND oh.code IN compounds
                THEN 1 END) AS committee_posts,
     count(CASE WHEN @live(lv) AND home.code IN compounds THEN 1 END) AS homes,
     count(CASE WHEN live AND type(pr) = 'SERVES_AS' AND oh.code IN communities
                THEN 1 END) AS community_posts
RETURN po.code AS party_org_code, po.name AS party_org_name,
       s.code AS secretary_code, s.name AS secretary_name,
       CASE WHEN s IS NULL THEN '无书记'
            WHEN committee_posts > 0 THEN '业委会成员'
            WHEN homes > 0 AND s.standing IN ['full_member', 'probationary_member'] THEN '小区党员'
            WHEN community_posts > 0 THEN '社区工作人员'
            ELSE '其他' END AS origin,
       u.community_code AS community_code, u.community_name AS community_name,
       u.street_code AS street_code, u.street_name AS street_name,
       u.district_code AS district_code, u.district_name AS district_name
ORDER BY party_org_code, secretary_code
