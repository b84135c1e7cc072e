// name: company_branch_affiliation
// title_zh: 物业企业党组织隶属关系
// title_en: Affiliation of property-company party organisations
// rules: R3
// source: 004
// one_row_per: active party organisation (党委/党总支/党支部) built in an active property company
// one_row_per_zh: 依托在册物业企业建立的党组织（党委、党总支或党支部）
// rule_zh: 物业企业的党支部（党总支）应隶属属地社区党组织：单独建的隶属企业所在社区的党组织，
// rule_zh: 联合建、挂靠的可服务多个社区的企业；企业党委应隶属街道党工委（党委）或区级两新党委。
// rule_zh: 没有在册上级的为未隶属，上级层级不对的为隶属不当。
// description: A company 党支部 (or 党总支) is affiliated under the 属地社区党组织 — a party
// description: organisation sitting at a community (for a 单独建 one, the company's own community
// description: when the company sits in one; a 联合建/挂靠 one may serve companies of several
// description: communities); a company 党委 under the street 党工委/党委 or a district-level
// description: organisation (两新党委).
// description: finding: 未隶属 (no active parent), 隶属不当 (parent at the wrong level), else ok.
// column: party_org_code — 党组织编码 — the company's party organisation
// column: party_org_name — 党组织名称 — its name
// column: party_org_kind — 党组织类型 — party_committee, general_branch or party_branch
// column: company_code — 企业编码 — the company it is built in
// column: company_name — 企业名称 — its name
// column: parent_code — 隶属组织编码 — the organisation it is affiliated under (null: none)
// column: parent_kind — 隶属组织类型 — that organisation's kind
// column: parent_level — 隶属组织层级 — the level of the unit that organisation sits at
// column: finding — 结论 — 未隶属, 隶属不当 or ok
// column: community_code — 社区编码 — the company's community
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — the company's street
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — the company's district
// column: district_name — 区县名称 — its name
// type: party_org_kind, parent_kind — org_kind
// type: parent_level — level
// type: finding — finding
// finding: finding — 未隶属, 隶属不当
MATCH (po:Organisation)-[b:BUILT_IN]->(co:Organisation {kind: 'property_company'})
WHERE po.kind IN ['party_committee', 'general_branch', 'party_branch']
  AND @current(po) AND po.status = 'active' AND @live(b)
  AND @current(co) AND co.status = 'active'
OPTIONAL MATCH (co)-[st:SITS_AT]->(u:Unit)
WITH po, co, u, st
WHERE (st IS NULL OR @live(st)) AND @in_scope(u)
OPTIONAL MATCH (po)-[a:AFFILIATED_UNDER]->(parent:Organisation)
OPTIONAL MATCH (parent)-[ps:SITS_AT]->(pu:Unit)
WITH po, co, u, parent, pu, a, ps
WHERE (a IS NULL OR @live(a)) AND (ps IS NULL OR @live(ps))
WITH po, co, u, parent, pu,
     parent IS NOT NULL AND @current(parent)
       AND coalesce(parent.status = 'active', false) AS parent_active
RETURN po.code AS party_org_code, po.name AS party_org_name, po.kind AS party_org_kind,
       co.code AS company_code, co.name AS company_name,
       parent.code AS parent_code, parent.kind AS parent_kind, pu.level AS parent_level,
       CASE WHEN NOT parent_active THEN '未隶属'
            WHEN po.kind = 'party_committee'
                 AND ((pu.level = 'street'
                       AND parent.kind IN ['party_working_committee', 'party_committee'])
                      OR pu.level = 'district') THEN 'ok'
            WHEN po.kind IN ['general_branch', 'party_branch'] AND pu.level = 'community'
                 AND parent.kind IN ['party_committee', 'general_branch', 'party_branch']
                 AND (coalesce(po.formation, '') <> 'standalone' OR u.community_code IS NULL
                      OR pu.code = u.community_code) THEN 'ok'
            ELSE '隶属不当' END AS finding,
       u.community_code AS community_code, u.community_name AS community_name,
       u.street_code AS street_code, u.street_name AS street_name,
       u.district_code AS district_code, u.district_name AS district_name
ORDER BY party_org_code, company_code, district_code, street_code, community_code,
         parent_code, parent_level
