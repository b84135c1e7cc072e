// name: funding_guarantee
// title_zh: 党组织工作经费保障
// title_en: Party-work funding of party organisations in companies and compounds
// rules: R15
// source: 004
// one_row_per: active party organisation (党委/党总支/党支部) built in a property company or a compound, founded by the end of the year
// one_row_per_zh: 依托物业服务企业或小区建立、年底前已成立的在册党委、党总支或党支部
// rule_zh: 《党建引领社区物业服务管理暨四川红色物业实践》内容五“加强工作支持”：对“红色物业”中的非公经济和社会组织党委、
// rule_zh: 党总支、党支部每年分别落实不低于10000元、5000元、3000元的工作经费（保障标准按类型，可用参数调整）。
// rule_zh: 已拨经费是该组织当年各条经费记录的金额之和（没有记录为0）；缺口是保障标准减已拨经费（不足0记0）；
// rule_zh: 已拨经费达到保障标准的为已保障，未达到的每一行都是问题。年度默认取截至日期所在年份。
// param_zh: year — 经费年度（空或0为截至日期所在年份） — 截至日期所在年份
// param_zh: floor_committee — 党委经费保障标准（元/年）
// param_zh: floor_general_branch — 党总支经费保障标准（元/年）
// param_zh: floor_branch — 党支部经费保障标准（元/年）
// description: Seed 004, 内容五 (加强工作支持): the party committees, general branches and branches
// description: of non-public companies get at least 10000 / 5000 / 3000 yuan of work funding a year.
// description: One row per active 党委/党总支/党支部 whose 依托主体 includes a property company or a
// description: compound and whose 成立日期 (if known) is on or before the year's end; allocated is the
// description: sum of its 经费 rows for the year (0 without any), shortfall = floor - allocated, never
// description: below 0; guaranteed when allocated reaches the floor. The year defaults to as_of's year.
// param: year int null — the funding year (empty or 0: the year of as_of)
// param: floor_committee int 10000 — yearly floor for a 党委, in yuan
// param: floor_general_branch int 5000 — yearly floor for a 党总支, in yuan
// param: floor_branch int 3000 — yearly floor for a 党支部, in yuan
// column: org_code — 党组织编码 — the party organisation
// column: org_name — 党组织名称 — its name
// column: org_kind — 党组织类型 — 党委, 党总支 or 党支部
// column: formation — 组建方式 — standalone, joint or attached
// column: in_company — 依托物业企业 — its 依托主体 includes an active property company
// column: in_compound — 依托小区 — its 依托主体 includes a compound
// column: year — 经费年度 — the funding year
// column: floor — 保障标准（元） — the yearly floor for its kind
// column: allocated — 已拨经费（元） — the sum of its funding rows for the year
// column: funding_rows — 经费记录数 — how many funding rows that sum has
// column: shortfall — 缺口（元） — floor - allocated, 0 when the floor is reached
// column: guaranteed — 已保障 — allocated reaches the floor
// column: community_code — 社区编码 — the organisation's community (of its 所在单位)
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — the organisation's street
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — the organisation's district
// column: district_name — 区县名称 — its name
// type: org_kind — org_kind
// type: formation — formation
// type: in_company, in_compound, guaranteed — bool
// type: year, floor, allocated, funding_rows, shortfall — int
// finding: guaranteed — false
// example: --param year=2024
MATCH (po:Organisation)
WHERE @current(po) AND po.status = 'active'
  AND po.kind IN ['party_committee', 'general_branch', 'party_branch']
WITH po, CASE WHEN coalesce($year, 0) > 0 THEN $year
            ELSE toInteger(substring($as_of, 0, 4)) END AS fyear
WHERE po.founded IS NULL OR po.founded <= toString(fyear) + '-12-31'
OPTIONAL MATCH (po)-[st:SITS_AT]->(u:Unit)
WITH po, fyear, u, st
WHERE (st IS NULL OR @live(st)) AND @in_scope(u)
// Unfiltered OPTIONAL MATCHes, their conditions applied inside the aggregations.
OPTIONAL MATCH (po)-[b:BUILT_IN]->(host)
WITH po, fyear, u,
     count(CASE WHEN @live(b) AND host.kind = 'property_company' AND @current(host)
                 AND host.status = 'active' THEN 1 END) > 0 AS in_company,
     count(CASE WHEN @live(b) AND host.level = 'compound' AND @current(host)
                 THEN 1 END) > 0 AS in_compound
WHERE in_company OR in_compound
OPTIONAL MATCH (po)-[fr:FUNDED]->(f:Funding)
WITH po, fyear, u, in_company, in_compound,
     CASE po.kind WHEN 'party_committee' THEN $floor_committee
                  WHEN 'general_branch' THEN $floor_general_branch
                  ELSE $floor_branch END AS floor,
     toInteger(sum(CASE WHEN @live(fr) AND @current(f) AND f.year = fyear
                        THEN f.amount ELSE 0 END)) AS allocated,
     count(CASE WHEN @live(fr) AND @current(f) AND f.year = fyear THEN 1 END) AS funding_rows
RETURN po.code AS org_code, po.name AS org_name, po.kind AS org_kind,
       po.formation AS formation, in_company, in_compound, fyear AS year, floor, allocated,
       funding_rows,
       CASE WHEN allocated >= floor THEN 0 ELSE floor - allocated END AS shortfall,
       allocated >= floor AS guaranteed,
       u.community_code AS community_code, u.community_name AS community_name,
       u.street_code AS street_code, u.street_name AS street_name,
       u.district_code AS district_code, u.district_name AS district_name
ORDER BY org_code
