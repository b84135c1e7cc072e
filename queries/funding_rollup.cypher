// name: funding_rollup
// title_zh: 党组织工作经费保障汇总
// title_en: Party-work funding guarantee rolled up by unit
// rules: R15
// source: 004
// one_row_per: active unit at level (default street) within scope
// one_row_per_zh: 范围内指定层级（默认街道）的每个在册单位
// rule_zh: 按单位汇总其下（按党组织所在单位）应保障经费的党组织：个数、达到保障标准的个数和保障率、
// rule_zh: 保障标准合计、已拨经费合计、缺口合计。应保障的党组织、保障标准、已拨经费和缺口的定义与
// rule_zh: “党组织工作经费保障”相同；分母为0时保障率为空。内容五“分步部署推进”要求力争2023年底党建工作专项经费100%保障。
// param_zh: level — 汇总层级
// param_zh: year — 经费年度（空或0为截至日期所在年份） — 截至日期所在年份
// param_zh: floor_committee — 党委经费保障标准（元/年）
// param_zh: floor_general_branch — 党总支经费保障标准（元/年）
// param_zh: floor_branch — 党支部经费保障标准（元/年）
// description: Per unit, over the party organisations of funding_guarantee whose 所在单位 is the unit
// description: or below it: how many, how many reach their floor (guaranteed) and the guarantee
// description: rate (4 decimals, null when there is none), and the sums of floors, allocations and
// description: shortfalls. Same definitions and defaults as funding_guarantee.
// param: level level street — the level of the units to roll up to
// param: year int null — the funding year (empty or 0: the year of as_of)
// param: floor_committee int 10000 — yearly floor for a 党委, in yuan
// param: floor_general_branch int 5000 — yearly floor for a 党总支, in yuan
// param: floor_branch int 3000 — yearly floor for a 党支部, in yuan
// column: unit_code — 单位编码 — the unit rolled up to
// column: unit_name — 单位名称 — its name
// column: level — 层级 — its level
// column: year — 经费年度 — the funding year
// column: orgs — 应保障党组织数 — party organisations owed the floor (as in funding_guarantee)
// column: guaranteed — 已保障数 — of those, allocated at or above their floor
// column: guarantee_rate — 经费保障率 — guaranteed / orgs
// column: floor_total — 保障标准合计（元） — the sum of their floors
// column: allocated_total — 已拨经费合计（元） — the sum of their allocations for the year
// column: shortfall_total — 缺口合计（元） — the sum of their shortfalls
// column: community_code — 社区编码 — the unit's community (null above community level)
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — the unit's street (null above street level)
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — the unit's district
// column: district_name — 区县名称 — its name
// type: level — level
// type: year, orgs, guaranteed, floor_total, allocated_total, shortfall_total — int
// type: guarantee_rate — rate
// finding: none
// example: --param level=district
// headline: guarantee_rate
MATCH (u:Unit {level: $level})
WHERE @current(u) AND @in_scope(u)
WITH u, CASE WHEN coalesce($year, 0) > 0 THEN $year
            ELSE toInteger(substring($as_of, 0, 4)) END AS fyear
OPTIONAL MATCH up = (x:Unit)-[:PART_OF*0..4]->(u)
WHERE @current(x) AND all(r IN relationships(up) WHERE @live(r))
OPTIONAL MATCH (o:Organisation)-[st:SITS_AT]->(x)
WITH u, fyear,
     CASE WHEN o.kind IN ['party_committee', 'general_branch', 'party_branch']
           AND @live(st) AND @current(o) AND o.status = 'active'
           AND (o.founded IS NULL OR o.founded <= toString(fyear) + '-12-31')
          THEN o END AS po
OPTIONAL MATCH (po)-[b:BUILT_IN]->(host)
WITH u, fyear, po,
     count(CASE WHEN @live(b) AND ((host.kind = 'property_company' AND host.status = 'active')
                                   OR host.level = 'compound')
                 AND @current(host) THEN 1 END) > 0 AS hosted
WITH u, fyear, CASE WHEN hosted THEN po END AS po
OPTIONAL MATCH (po)-[fr:FUNDED]->(f:Funding)
WITH u, fyear, po,
     CASE po.kind WHEN 'party_committee' THEN $floor_committee
                  WHEN 'general_branch' THEN $floor_general_branch
                  ELSE $floor_branch END AS floor,
     toInteger(sum(CASE WHEN @live(fr) AND @current(f) AND f.year = fyear
                        THEN f.amount ELSE 0 END)) AS allocated
WITH u, fyear, count(po) AS orgs,
     toInteger(sum(CASE WHEN po IS NOT NULL AND allocated >= floor THEN 1 ELSE 0 END))
       AS guaranteed,
     toInteger(sum(CASE WHEN po IS NOT NULL THEN floor ELSE 0 END)) AS floor_total,
     toInteger(sum(CASE WHEN po IS NOT NULL THEN allocated ELSE 0 END)) AS allocated_total,
     toInteger(sum(CASE WHEN po IS NOT NULL AND allocated < floor THEN floor - allocated
                        ELSE 0 END)) AS shortfall_total
RETURN u.code AS unit_code, u.name AS unit_name, u.level AS level, fyear AS year, orgs,
       guaranteed,
       CASE WHEN orgs = 0 THEN null ELSE round(10000.0 * guaranteed / orgs) / 10000.0 END
         AS guarantee_rate,
       floor_total, allocated_total, shortfall_total,
       u.community_code AS community_code, u.community_name AS community_name,
       u.street_code AS street_code, u.street_name AS street_name,
       u.district_code AS district_code, u.district_name AS district_name
ORDER BY unit_code
