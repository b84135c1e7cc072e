// name: red_black_lists
// title_zh: 物业企业红黑榜
// title_en: Red and black lists of property companies
// rules: R14, R16
// source: 001, 004
// one_row_per: listing of a property company on the red or black list in a year (a 评价 红黑榜, or a 事件 黑名单), with the compounds it managed at that year's end
// one_row_per_zh: 物业企业某一年度的一次上榜（评价中的红榜、黑榜，或黑名单事件），附该年底在管的小区
// rule_zh: 麦积区按业主投诉率和现场抽查把物业企业列入红榜（通报表扬）或黑榜（限期整改）；绵阳在物业管理大检查中建立
// rule_zh: 物业企业黑名单。按区县和年度列出每次上榜及企业当年底在管的项目；黑榜、黑名单企业在管的项目当年不得评为示范项目。
// rule_zh: 不指定年度时列出截至日期以前的所有年度。
// param_zh: year — 年度（留空为全部年度） — 全部年度
// description: Seed 001 publishes red and black lists from complaint rates and inspections; seed 004 keeps a
// description: black list from the 物业管理大检查. One row per listing: a 评价 with 红黑榜 set, or a 事件 黑名单
// description: (black), for years up to as_of's (or only year), with the compounds the company managed on that
// description: year's 31 December. finding: the black-list rows (their projects cannot be model projects, R16).
// param: year int null — only this year (default: every year up to as_of)
// column: company_code — 企业编码 — the property company
// column: company_name — 企业名称 — its name
// column: year — 年度 — the year of the listing
// column: list — 红黑榜 — red or black
// column: basis_table — 依据表 — 评价 (a rating) or 事件 (a black-list incident)
// column: basis_row — 依据行号 — the row in that table (as last synced)
// column: grade — 信用等级 — the rating's credit grade (ratings only)
// column: listed_on — 上榜日期 — the incident's date (incidents only)
// column: note — 说明 — the incident's note
// column: projects — 在管项目数 — compounds managed on 31 December of that year (within scope)
// column: project_codes — 在管项目 — their codes
// column: community_code — 社区编码 — the company's community
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — the company's street
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — the company's district
// column: district_name — 区县名称 — its name
// type: year, basis_row, projects — int
// type: list — rating_list
// type: basis_table, grade, note — text
// type: listed_on — date
// type: project_codes — codes:unit
// finding: list — black
// example: --param year=2024
MATCH (co:Organisation {kind: 'property_company'})
WHERE @live(co)
OPTIONAL MATCH (co)-[st:SITS_AT]->(u:Unit)
WITH co, u, st
WHERE (st IS NULL OR @live(st)) AND @in_scope(u)
WITH co, u, toInteger(substring($as_of, 0, 4)) AS last_year
OPTIONAL MATCH (co)-[rd:RATED]->(rt:Rating)
WITH co, u, last_year,
     collect(CASE WHEN @live(rd) AND @current(rt) AND rt.list IS NOT NULL
                   AND rt.year <= last_year AND ($year IS NULL OR rt.year = $year)
              THEN {year: rt.year, list: rt.list, tbl: rt.src_table, row: rt.src_row,
                    grade: rt.grade, date: null, note: null} END) AS rated
OPTIONAL MATCH (co)-[h:HAD_INCIDENT]->(i:Incident)
WITH co, u, rated,
     collect(CASE WHEN @live(h) AND @current(i) AND i.kind = 'blacklist'
                   AND i.date <= $as_of
                   AND ($year IS NULL OR substring(i.date, 0, 4) = toString($year))
              THEN {year: toInteger(substring(i.date, 0, 4)), list: 'black',
                    tbl: i.src_table, row: i.src_row, grade: null, date: i.date,
                    note: i.note} END) AS blacklisted
UNWIND rated + blacklisted AS l
OPTIONAL MATCH (co)-[k:MANAGES]->(c:Unit)
WITH co, u, l, k, c
ORDER BY c.code
WITH co, u, l,
     collect(DISTINCT CASE WHEN @live(k) AND @in_scope(c)
                                 AND (k.start IS NULL OR k.start <= toString(l.year) + '-12-31')
                                 AND (k.end IS NULL OR toString(l.year) + '-12-31' < k.end)
                       THEN c.code END) AS codes
RETURN co.code AS company_code, co.name AS company_name, l.year AS year, l.list AS list,
       l.tbl AS basis_table, l.row AS basis_row, l.grade AS grade, l.date AS listed_on,
       l.note AS note, size(codes) AS projects, codes AS project_codes,
       u.community_code AS community_code, u.community_name AS community_name,
       u.street_code AS street_code, u.street_name AS street_name,
       u.district_code AS district_code, u.district_name AS district_name
ORDER BY district_code, year, list, company_code, basis_table, basis_row
