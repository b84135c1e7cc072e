// name: model_company_disqualifiers
// title_zh: 示范企业不得参评情形
// title_en: Why a model-company candidate cannot be selected
// rules: R17
// source: 004
// one_row_per: disqualifying fact of a property company scored or named 示范企业 for the year (a candidate with several facts has several rows)
// one_row_per_zh: 当年评分或命名为示范企业的物业企业的每一条不得参评依据（一个对象可有多条）
// rule_zh: 依据《方案》附件1：企业未按要求成立党组织的不得参评（没有依托企业单独建或联合建、状态正常、年底前成立的党委、
// rule_zh: 党总支、党支部，或年底有3名以上正式党员在职却没有单独建的）；当年拒不参加党建活动的；近两年（上一年和当年）
// rule_zh: 有安全责任事故、安全生产行政处罚或人员伤亡事故的；当年有劳动保障违法或列入经营异常名录的；当年信用等级为
// rule_zh: B级及以下（不以A开头）的；年底在管的小区当年都没有被命名为示范项目的。每条依据注明来源表、行号和同步编号。
// param_zh: year — 评选年度 — 截至日期所在年度
// description: Seed 004 内容六 附件1: a company is not eligible for 示范企业 of year Y when it has no party
// description: organisation built in it (an active 党委/党总支/党支部, 单独建 or 联合建, founded by Y-12-31) or fails
// description: R2 on Y-12-31 (3 or more full members with an active 本职 post and no 单独建 one); refused party
// description: activities in Y; had a safety incident in Y-1 or Y; a labour violation or abnormal-operation listing
// description: in Y; a credit grade for Y not starting with A; or none of the compounds it manages on Y-12-31 is
// description: named 示范项目 for Y. Each row carries the fact's table, row and sync run.
// param: year int null — the evaluation year (default: the year of as_of)
// column: candidate_code — 对象编码 — the property company
// column: candidate_name — 对象名称 — its name
// column: year — 年度 — the evaluation year
// column: reason — 不得参评情形 — company_party_org_missing, party_org_due, refused_party_activity, safety_incident, labour_or_abnormal, low_credit, no_model_project
// column: evidence_table — 依据表 — the registry table holding the fact
// column: evidence_row — 依据行号 — the fact's row in that table (as last synced)
// column: evidence_key — 依据记录 — whose fact: the incident's subject code, the rating's 企业编码|年度, the company code, or (no_model_project) the compounds managed
// column: evidence_date — 依据日期 — the incident's date (null for other facts)
// column: evidence_note — 依据说明 — the incident's note, the credit grade or the full members counted
// column: evidence_run — 依据同步编号 — the sync run that wrote the fact
// column: community_code — 社区编码 — the company's community
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — the company's street
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — the company's district
// column: district_name — 区县名称 — its name
// type: year, evidence_row — int
// type: reason — disqualifier
// type: evidence_table, evidence_key, evidence_note, evidence_run — text
// type: evidence_date — date
// finding: every row
// example: --param year=2024
// The candidates start from the year's scores and namings (two small labels), each followed
// back to what it marks: starting from the relation types instead made FalkorDB scan every
// node of the graph (seconds at a province, for one compound's page as for the whole).
MATCH (x:Score)
WHERE @current(x) AND x.category = 'company'
  AND x.year = coalesce($year, toInteger(substring($as_of, 0, 4)))
WITH collect(x) AS scores
OPTIONAL MATCH (n:Naming)
WHERE @current(n) AND n.category = 'company'
  AND n.year = coalesce($year, toInteger(substring($as_of, 0, 4)))
WITH scores, collect(n) AS namings
UNWIND scores + namings AS x
MATCH (co:Organisation)-[e:SCORED|NAMED]->(x)
WHERE @live(co, e)
WITH DISTINCT co, x.year AS year
OPTIONAL MATCH (co)-[st:SITS_AT]->(u:Unit)
WITH co, year, u, st
WHERE (st IS NULL OR @live(st)) AND @in_scope(u)
WITH co, year, u, toString(year) + '-12-31' AS year_end, toString(year - 1) + '-01-01' AS two_years
// 1. its own party organisation (附件1 ①, R2 on Y-12-31)
OPTIONAL MATCH (po:Organisation)-[pb:BUILT_IN]->(co)
WITH co, year, u, year_end, two_years,
     collect(CASE WHEN @live(pb) AND @current(po) AND po.status = 'active'
                   AND po.kind IN ['party_committee', 'general_branch', 'party_branch']
                   AND (po.formation IS NULL OR po.formation IN ['standalone', 'joint'])
                   AND (po.founded IS NULL OR po.founded <= year_end)
              THEN po.formation END) AS built
OPTIONAL MATCH (p:Person)-[r:SERVES_AS]->(co)
WITH co, year, u, year_end, two_years, built,
     count(DISTINCT CASE WHEN @live(r) AND p.standing = 'full_member'
                          AND (r.start IS NULL OR r.start <= year_end)
                          AND (r.end IS NULL OR year_end < r.end) THEN p.code END) AS full_members
WITH co, year, u, year_end, two_years,
     CASE WHEN size(built) = 0
          THEN [{reason: 'company_party_org_missing', tbl: co.src_table, row: co.src_row,
                 key: co.code, date: null, note: null, run: co.run}]
          WHEN full_members >= 3 AND NOT 'standalone' IN built
          THEN [{reason: 'party_org_due', tbl: co.src_table, row: co.src_row, key: co.code,
                 date: null, note: toString(full_members), run: co.run}]
          ELSE [] END AS facts
// 2. incidents: refusal, labour, abnormal operation in Y; safety in Y-1 or Y (附件1 ②③④)
OPTIONAL MATCH (co)-[h:HAD_INCIDENT]->(i:Incident)
WITH co, year, u, year_end, facts,
     collect(CASE WHEN @live(h) AND @current(i)
                   AND ((i.kind IN ['refused_party_activity', 'labour_violation',
                                    'abnormal_operation']
                         AND substring(i.date, 0, 4) = toString(year))
                        OR (i.kind IN ['safety_accident', 'safety_penalty', 'casualty']
                            AND i.date >= two_years AND i.date <= year_end))
              THEN {reason: CASE WHEN i.kind = 'refused_party_activity' THEN 'refused_party_activity'
                                 WHEN i.kind IN ['labour_violation', 'abnormal_operation']
                                 THEN 'labour_or_abnormal' ELSE 'safety_incident' END,
                    tbl: i.src_table, row: i.src_row, key: i.target_code, date: i.date,
                    note: i.note, run: i.run} END) AS incidents
// 3. the credit grade for Y (附件1 ④: B级及以下)
OPTIONAL MATCH (co)-[rd:RATED]->(rt:Rating)
WITH co, year, u, year_end, facts + incidents AS facts,
     collect(CASE WHEN @live(rd) AND @current(rt) AND rt.year = year AND rt.grade IS NOT NULL
                   AND NOT rt.grade STARTS WITH 'A'
              THEN {reason: 'low_credit', tbl: rt.src_table, row: rt.src_row, key: rt.key,
                    date: null, note: rt.grade, run: rt.run} END) AS credit
// 4. a compound it manages on Y-12-31 named 示范项目 for Y (附件1 另外)
OPTIONAL MATCH (co)-[k:MANAGES]->(c:Unit)
WITH co, year, u, facts + credit AS facts,
     collect(DISTINCT CASE WHEN @live(k) AND (k.start IS NULL OR k.start <= year_end)
                            AND (k.end IS NULL OR year_end < k.end) THEN c END) AS managed
UNWIND CASE WHEN size(managed) = 0 THEN [null] ELSE managed END AS c
OPTIONAL MATCH (c)-[nd:NAMED]->(n:Naming)
WITH co, year, u, facts, c,
     count(CASE WHEN @live(nd) AND @current(n) AND n.year = year AND n.category = 'project'
           THEN 1 END) AS named
WITH co, year, u, facts, c, named
ORDER BY c.code
WITH co, year, u, facts, collect(CASE WHEN @in_scope(c) THEN c.code END) AS codes,
     sum(named) AS named
WITH co, year, u,
     facts + CASE WHEN named = 0
                  THEN [{reason: 'no_model_project', tbl: '物业服务', row: null,
                         key: reduce(s = '', x IN codes | CASE WHEN s = '' THEN x ELSE s + (';' + x) END),
                         date: null, note: null, run: null}]
                  ELSE [] END AS facts
UNWIND facts AS f
RETURN co.code AS candidate_code, co.name AS candidate_name, year, f.reason AS reason,
       f.tbl AS evidence_table, f.row AS evidence_row, f.key AS evidence_key,
       f.date AS evidence_date, f.note AS evidence_note, f.run AS evidence_run,
       u.community_code AS community_code, u.community_name AS community_name,
       u.street_code AS street_code, u.street_name AS street_name,
       u.district_code AS district_code, u.district_name AS district_name
ORDER BY candidate_code, year, reason, evidence_key, evidence_row
