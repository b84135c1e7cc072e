// name: instructor_visits
// title_zh: 党建指导员走访频次
// title_en: Instructor visits to assigned companies
// rules: R12
// source: 001
// one_row_per: active 党建指导 assignment of a person to an active property company
// one_row_per_zh: 党建指导员对在册物业企业的每一项在任党建指导关系
// rule_zh: 统计党建指导员在一个自然月内（截至日期前）登记的走访次数：默认检查截至日期前最后一个完整月份
// rule_zh: （尚未结束的月份会产生误报），也可指定月份。少于每月最少走访次数（默认2次，湖里、麦积）的为走访不足。
// param_zh: month — 检查月份（YYYY-MM） — 截至日期前最后一个完整月份
// param_zh: min_visits — 每月最少走访次数
// description: Counts the instructor's recorded visits (走访) to the company in one calendar month,
// description: up to as_of: by default the last complete month before as_of (a month still under
// description: way would give false findings), or month (YYYY-MM). finding: 走访不足 when visits <
// description: min_visits, else ok.
// param: month string null — the month to check, YYYY-MM (default: the month before as_of)
// param: min_visits int 2 — visits a month required (湖里/麦积: at least twice a month)
// column: instructor_code — 指导员编码 — the instructor's person code
// column: instructor_name — 指导员姓名 — the instructor's name
// column: company_code — 企业编码 — the company assigned
// column: company_name — 企业名称 — its name
// column: month — 月份 — the month checked (YYYY-MM)
// column: visits — 走访次数 — visits recorded in that month up to as_of
// column: finding — 结论 — 走访不足 or ok
// column: community_code — 社区编码 — the company's community
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — the company's street
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — the company's district
// column: district_name — 区县名称 — its name
// type: month — month
// type: visits — int
// type: finding — finding
// finding: finding — 走访不足
// example: --param month=2024-05
MATCH (i:Person)-[g:SUPERVISES]->(co:Organisation {kind: 'property_company'})
WHERE g.kind = 'party_building_guidance' AND @live(i) AND @active(g)
  AND @current(co) AND co.status = 'active'
OPTIONAL MATCH (co)-[st:SITS_AT]->(u:Unit)
WITH i, co, u, st
WHERE (st IS NULL OR @live(st)) AND @in_scope(u)
WITH DISTINCT i, co, u
WITH i, co, u, toInteger(substring($as_of, 0, 4)) AS y, toInteger(substring($as_of, 5, 2)) AS mo
WITH i, co, u,
     CASE WHEN $month IS NOT NULL AND $month <> '' THEN $month
          WHEN mo = 1 THEN toString(y - 1) + '-12'
          WHEN mo <= 10 THEN toString(y) + '-0' + toString(mo - 1)
          ELSE toString(y) + '-' + toString(mo - 1) END AS ym
WITH i, co, u, ym,
     size([(i)-[v:VISITED]->(co)
           WHERE @current(v) AND v.date STARTS WITH ym AND v.date <= $as_of
           | v]) AS visits
RETURN i.code AS instructor_code, i.name AS instructor_name,
       co.code AS company_code, co.name AS company_name, ym AS month, visits,
       CASE WHEN visits < $min_visits THEN '走访不足' ELSE 'ok' END AS finding,
       u.community_code AS community_code, u.community_name AS community_name,
       u.street_code AS street_code, u.street_name AS street_name,
       u.district_code AS district_code, u.district_name AS district_name
ORDER BY instructor_code, company_code
