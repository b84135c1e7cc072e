// name: model_project_eligibility
// title_zh: 示范项目资格
// title_en: Eligibility of property projects as model projects
// rules: R14
// source: 001, 004
// one_row_per: active property-service contract (物业项目) of an active company for an active compound
// one_row_per_zh: 在册物业企业对在册小区的每一份在期物业服务合同（物业项目）
// rule_zh: 在截至年度以前最近一次评价中列入黑榜的企业，或所在小区没有党组织的项目，不得评为示范项目。
// rule_zh: 结论按顺序取第一条：黑榜企业、无小区党组织，都没有为合规。
// description: A black-listed company (黑榜 in its latest rating of a year up to as_of's year) or a
// description: project whose compound has no party organisation cannot be a model (示范) project.
// description: finding, first that applies: 黑榜企业, 无小区党组织, else ok. This is the standing view per
// description: contract; a year's 示范项目 selection is decided by model_project_disqualifiers (R16, with the
// description: 事件 black list and safety incidents, dated by the year) and redgov evaluate.
// column: company_code — 企业编码 — the company
// column: company_name — 企业名称 — its name
// column: compound_code — 小区编码 — the compound managed
// column: compound_name — 小区名称 — its name
// column: project — 项目名称 — the contract's project name
// column: rating_year — 评价年度 — year of the latest rating used (null: none)
// column: rating_list — 红黑榜 — red, black or null in that rating
// column: black_listed — 黑榜 — the latest rating puts the company on the black list
// column: has_party_org — 小区有党组织 — the compound has an active party organisation
// column: eligible — 可评示范 — neither black-listed nor without a party organisation
// column: finding — 结论 — 黑榜企业, 无小区党组织 or ok
// column: community_code — 社区编码 — the compound's community
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — the compound's street
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — the compound's district
// column: district_name — 区县名称 — its name
// type: project — text
// type: rating_year — int
// type: rating_list — rating_list
// type: black_listed, has_party_org, eligible — bool
// type: finding — finding
// finding: finding — 黑榜企业, 无小区党组织
MATCH (co:Organisation {kind: 'property_company'})-[k:MANAGES]->(c:Unit {level: 'compound'})
WHERE @current(co) AND co.status = 'active' AND @active(k)
  AND @current(c) AND @in_scope(c)
// Unfiltered OPTIONAL MATCHes (batched on FalkorDB; pattern comprehensions run per row),
// conditions applied in the aggregations.
OPTIONAL MATCH (po:Organisation)-[pb:BUILT_IN]->(c)
WITH co, k, c,
     count(CASE WHEN po.kind IN ['party_committee', 'general_branch', 'party_branch']
                 AND @live(pb) AND @current(po) AND po.status = 'active' THEN 1 END) > 0
       AS has_party_org
OPTIONAL MATCH (co)-[rd:RATED]->(rt:Rating)
WITH co, k, c, has_party_org,
     collect(CASE WHEN @live(rd) AND @current(rt)
                   AND rt.year <= toInteger(substring($as_of, 0, 4)) THEN rt END) AS ratings
WITH co, k, c, has_party_org,
     reduce(last = null, x IN ratings | CASE WHEN last IS NULL OR x.year > last.year THEN x ELSE last END)
       AS rating
WITH co, k, c, has_party_org, rating, coalesce(rating.list = 'black', false) AS black_listed
RETURN co.code AS company_code, co.name AS company_name, c.code AS compound_code,
       c.name AS compound_name, k.project AS project, rating.year AS rating_year,
       rating.list AS rating_list, black_listed, has_party_org,
       has_party_org AND NOT black_listed AS eligible,
       CASE WHEN black_listed THEN '黑榜企业' WHEN NOT has_party_org THEN '无小区党组织'
            ELSE 'ok' END AS finding,
       c.community_code AS community_code, c.community_name AS community_name,
       c.street_code AS street_code, c.street_name AS street_name,
       c.district_code AS district_code, c.district_name AS district_name
ORDER BY company_code, compound_code
