// name: model_project_disqualifiers
// title_zh: 示范项目不得参评情形
// title_en: Why a model-project candidate cannot be selected
// rules: R16
// source: 004, 001
// one_row_per: disqualifying fact of a compound scored or named 示范项目 for the year (a candidate with several facts has several rows)
// one_row_per_zh: 当年评分或命名为示范项目的小区（含商圈楼宇）的每一条不得参评依据（一个对象可有多条）
// rule_zh: 依据《方案》附件2：项目未建立小区党组织的不得参评（在小区依托建立、状态正常、年底前成立的党委、党总支、党支部，
// rule_zh: 单独建或联合建；党的工作小组不算，业委会未产生的可以参评）；小区或年底在管的物业企业当年列入黑名单
// rule_zh: （当年的黑名单事件，或当年评价为黑榜）的不得参评；小区或其物业企业近两年（上一年和当年）有安全责任事故、
// rule_zh: 安全生产行政处罚或人员伤亡事故的不得参评。每条依据注明来源表、行号和同步编号。
// param_zh: year — 评选年度 — 截至日期所在年度
// description: Seed 004 内容六 附件2 (and 001's black list): a compound is not eligible for 示范项目 of year Y
// description: without a party organisation built in it (an active 党委/党总支/党支部, 单独建 or 联合建, founded by
// description: Y-12-31; a 党的工作小组 does not count, an owners' committee is not required); when it, or a company
// description: managing it on Y-12-31, is black-listed in Y (事件 黑名单 dated in Y, or 评价 黑榜 for Y); or when
// description: either had a safety incident (安全责任事故, 安全生产行政处罚, 人员伤亡事故) dated in Y-1 or Y. Dates decide,
// description: so a later snapshot gives the same answer. Each row carries the fact's table, row and sync run.
// param: year int null — the evaluation year (default: the year of as_of)
// column: candidate_code — 对象编码 — the compound (小区 or 商圈楼宇)
// column: candidate_name — 对象名称 — its name
// column: year — 年度 — the evaluation year
// column: reason — 不得参评情形 — no_party_org, blacklisted, company_blacklisted, safety_incident, company_safety_incident
// column: evidence_table — 依据表 — the registry table holding the fact
// column: evidence_row — 依据行号 — the fact's row in that table (as last synced)
// column: evidence_key — 依据记录 — whose fact: the incident's subject code, the rating's 企业编码|年度 or the unit code
// column: evidence_date — 依据日期 — the incident's date (null for other facts)
// column: evidence_note — 依据说明 — the incident's note or the company's name
// column: evidence_run — 依据同步编号 — the sync run that wrote the fact
// column: community_code — 社区编码 — the compound's community
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — the compound's street
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — the compound's district
// column: district_name — 区县名称 — its name
// type: year, evidence_row — int
// type: reason — disqualifier
// type: evidence_table, evidence_key, evidence_note, evidence_run — text
// type: evidence_date — date
// finding: every row
// example: --param year=2024
// One chain of named steps: the candidates, then each kind of fact collected as a list of
// evidence maps (collect drops the nulls of facts that do not apply), one row per fact.
// The candidates start from the year's scores and namings (two small labels), each followed
// back to what it marks: starting from the relation types instead made FalkorDB scan every
// node of the graph (seconds at a province, for one compound's page as for the whole).
MATCH (x:Score)
WHERE @current(x) AND x.category = 'project'
  AND x.year = coalesce($year, toInteger(substring($as_of, 0, 4)))
WITH collect(x) AS scores
OPTIONAL MATCH (n:Naming)
WHERE @current(n) AND n.category = 'project'
  AND n.year = coalesce($year, toInteger(substring($as_of, 0, 4)))
WITH scores, collect(n) AS namings
UNWIND scores + namings AS x
MATCH (c:Unit)-[e:SCORED|NAMED]->(x)
WHERE @live(c, e) AND @in_scope(c)
WITH DISTINCT c, x.year AS year
WITH c, year, toString(year) + '-12-31' AS year_end, toString(year - 1) + '-01-01' AS two_years
// 1. a party organisation built in the compound (附件2 ①)
OPTIONAL MATCH (po:Organisation)-[pb:BUILT_IN]->(c)
WITH c, year, year_end, two_years,
     collect(CASE WHEN @live(pb) AND @current(po) AND po.status = 'active'
                   AND po.kind IN ['party_committee', 'general_branch', 'party_branch']
                   AND (po.formation IS NULL OR po.formation IN ['standalone', 'joint'])
                   AND (po.founded IS NULL OR po.founded <= year_end)
              THEN po.code END) AS orgs
WITH c, year, year_end, two_years,
     CASE WHEN size(orgs) = 0
          THEN [{reason: 'no_party_org', tbl: c.src_table, row: c.src_row, key: c.code,
                 date: null, note: null, run: c.run}]
          ELSE [] END AS facts
// 2. the compound's own black list (in Y) and safety incidents (in Y-1 or Y) (附件2 ②)
OPTIONAL MATCH (c)-[h:HAD_INCIDENT]->(i:Incident)
WITH c, year, year_end, two_years, facts,
     collect(CASE WHEN @live(h) AND @current(i)
                   AND ((i.kind = 'blacklist' AND substring(i.date, 0, 4) = toString(year))
                        OR (i.kind IN ['safety_accident', 'safety_penalty', 'casualty']
                            AND i.date >= two_years AND i.date <= year_end))
              THEN {reason: CASE WHEN i.kind = 'blacklist' THEN 'blacklisted'
                                 ELSE 'safety_incident' END,
                    tbl: i.src_table, row: i.src_row, key: i.target_code, date: i.date,
                    note: i.note, run: i.run} END) AS own
// 3. the companies managing it on Y-12-31, their black list and safety incidents
OPTIONAL MATCH (co:Organisation)-[k:MANAGES]->(c)
WITH c, year, year_end, two_years, facts + own AS facts,
     collect(CASE WHEN @live(k) AND (k.start IS NULL OR k.start <= year_end)
                   AND (k.end IS NULL OR year_end < k.end) THEN co END) AS companies
UNWIND CASE WHEN size(companies) = 0 THEN [null] ELSE companies END AS co
OPTIONAL MATCH (co)-[h2:HAD_INCIDENT]->(i2:Incident)
WITH c, year, year_end, two_years, facts, co,
     collect(CASE WHEN @live(h2) AND @current(i2)
                   AND ((i2.kind = 'blacklist' AND substring(i2.date, 0, 4) = toString(year))
                        OR (i2.kind IN ['safety_accident', 'safety_penalty', 'casualty']
                            AND i2.date >= two_years AND i2.date <= year_end))
              THEN {reason: CASE WHEN i2.kind = 'blacklist' THEN 'company_blacklisted'
                                 ELSE 'company_safety_incident' END,
                    tbl: i2.src_table, row: i2.src_row, key: i2.target_code, date: i2.date,
                    note: coalesce(i2.note, co.name), run: i2.run} END) AS by_incident
OPTIONAL MATCH (co)-[rd:RATED]->(rt:Rating)
WITH c, year, facts, co, by_incident,
     collect(CASE WHEN @live(rd) AND @current(rt) AND rt.year = year AND rt.list = 'black'
              THEN {reason: 'company_blacklisted', tbl: rt.src_table, row: rt.src_row,
                    key: rt.key, date: null, note: co.name, run: rt.run} END) AS by_rating
WITH c, year, facts, collect(by_incident + by_rating) AS per_company
WITH c, year, facts + reduce(acc = [], l IN per_company | acc + l) AS facts
UNWIND facts AS f
RETURN c.code AS candidate_code, c.name AS candidate_name, year, f.reason AS reason,
       f.tbl AS evidence_table, f.row AS evidence_row, f.key AS evidence_key,
       f.date AS evidence_date, f.note AS evidence_note, f.run AS evidence_run,
       c.community_code AS community_code, c.community_name AS community_name,
       c.street_code AS street_code, c.street_name AS street_name,
       c.district_code AS district_code, c.district_name AS district_name
ORDER BY candidate_code, year, reason, evidence_key, evidence_row
