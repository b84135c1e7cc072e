// name: company_party_org_status
// title_zh: 物业企业党组织组建情况
// title_en: Party organisation status of property companies
// rules: R2
// source: 000, 004
// one_row_per: active property company (物业服务企业)
// one_row_per_zh: 在册物业服务企业
// rule_zh: 员工是在企业有在任本职职务的人；企业的党组织是依托主体包含该企业的在册党委、党总支或党支部，
// rule_zh: 不论组建方式（单独建的优先显示）。正式党员达到规定人数（默认3名）却没有单独建党组织的为应建未建；
// rule_zh: 既没有党组织也没有党建指导员的为未覆盖；其余为合规。
// param_zh: min_full_members — 单独建党组织所需正式党员数
// description: Employees are people with an active 本职 post in the company; its party
// description: organisation is an active 党委/党总支/党支部 whose 依托主体 includes the company,
// description: whatever its 组建方式 (a 单独建 one is shown first). finding: 应建未建 when the
// description: company has at least min_full_members full members and no 单独建 organisation;
// description: 未覆盖 when it has no party organisation and no instructor; else ok.
// param: min_full_members int 3 — full members (中共党员) from which the company must build its own
// column: company_code — 企业编码 — the company's organisation code
// column: company_name — 企业名称 — its name
// column: employees — 员工数 — distinct people with an active 本职 post in it
// column: full_members — 正式党员数 — of those, standing 中共党员 (probationary excluded)
// column: party_org_code — 党组织编码 — its party organisation (单独建 first, then lowest code), or null
// column: formation — 组建方式 — standalone, joint or attached (of party_org_code)
// column: has_instructor — 有党建指导员 — an active 党建指导 supervision of the company by a person
// column: finding — 结论 — 应建未建, 未覆盖 or ok
// column: community_code — 社区编码 — the company's community
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — the company's street
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — the company's district
// column: district_name — 区县名称 — its name
// type: employees, full_members — int
// type: formation — formation
// type: has_instructor — bool
// type: finding — finding
// finding: finding — 应建未建, 未覆盖
MATCH (co:Organisation {kind: 'property_company'})
WHERE @current(co) AND co.status = 'active'
OPTIONAL MATCH (co)-[st:SITS_AT]->(u:Unit)
WITH co, u, st
WHERE (st IS NULL OR @live(st)) AND @in_scope(u)
OPTIONAL MATCH (e:Person)-[r:SERVES_AS]->(co)
WHERE @active(r)
WITH co, u, collect(DISTINCT e) AS staff
WITH co, u, size(staff) AS employees,
     size([e IN staff WHERE e.standing = 'full_member']) AS full_members,
     [(po:Organisation)-[b:BUILT_IN]->(co)
      WHERE po.kind IN ['party_committee', 'general_branch', 'party_branch']
        AND @live(b) AND @current(po) AND po.status = 'active' | po] AS pos,
     size([(i:Person)-[g:SUPERVISES]->(co)
           WHERE g.kind = 'party_building_guidance' AND @active(g) | i]) > 0
       AS has_instructor
WITH co, u, employees, full_members, pos, has_instructor,
     [x IN pos WHERE x.formation = 'standalone'] AS own
WITH co, u, employees, full_members, pos, has_instructor, own,
     reduce(m = null, x IN CASE WHEN size(own) > 0 THEN own ELSE pos END |
            CASE WHEN m IS NULL OR x.code < m.code THEN x ELSE m END) AS chosen
RETURN co.code AS company_code, co.name AS company_name, employees, full_members,
       chosen.code AS party_org_code, chosen.formation AS formation, has_instructor,
       CASE WHEN full_members >= $min_full_members AND size(own) = 0 THEN '应建未建'
            WHEN size(pos) = 0 AND NOT has_instructor THEN '未覆盖'
            ELSE 'ok' END AS finding,
       u.community_code AS community_code, u.community_name AS community_name,
       u.street_code AS street_code, u.street_name AS street_name,
       u.district_code AS district_code, u.district_name AS district_name
ORDER BY company_code
