// name: model_award_disqualifiers
// title_zh: 最美业委会和最美物业人不得参评情形
// title_en: Why a model owners' committee or property worker cannot be selected
// rules: R18
// source: 004
// one_row_per: 一票否决 incident dated in the year of an owners' committee scored or named 最美业委会, or a person scored or named 最美物业人, for that year
// one_row_per_zh: 当年评分或命名为最美业委会的业主委员会、最美物业人的人员，当年的每一条一票否决事件
// rule_zh: 依据《方案》附件3：有不热爱祖国、不热爱社会主义、不拥护中国共产党的领导、不拥护党的路线方针政策情形的，
// rule_zh: 实行一票否决：当年有一票否决事件的业委会或个人不得参评。每条依据注明来源表、行号和同步编号。
// param_zh: year — 评选年度 — 截至日期所在年度
// description: Seed 004 内容六 附件3: a veto (事件 一票否决) dated in year Y disqualifies an owners' committee
// description: from 最美业委会 and a person from 最美物业人 of year Y. Each row carries the fact's table, row and
// description: sync run.
// param: year int null — the evaluation year (default: the year of as_of)
// column: candidate_code — 对象编码 — the owners' committee or person
// column: candidate_name — 对象名称 — its name
// column: year — 年度 — the evaluation year
// column: category — 评选类别 — committee (最美业委会) or person (最美物业人)
// column: reason — 不得参评情形 — veto
// column: evidence_table — 依据表 — the registry table holding the fact
// column: evidence_row — 依据行号 — the fact's row in that table (as last synced)
// column: evidence_key — 依据记录 — the incident's subject code
// column: evidence_date — 依据日期 — the incident's date
// column: evidence_note — 依据说明 — the incident's note
// column: evidence_run — 依据同步编号 — the sync run that wrote the fact
// column: community_code — 社区编码 — the committee's or person's community
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — their street
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — their district
// column: district_name — 区县名称 — its name
// type: year, evidence_row — int
// type: category — eval_category
// type: reason — disqualifier
// type: evidence_table, evidence_key, evidence_note, evidence_run — text
// type: evidence_date — date
// finding: every row
// example: --param year=2024
// The candidates start from the year's scores and namings (two small labels), each followed
// back to what it marks: starting from the relation types instead made FalkorDB scan every
// node of the graph (seconds at a province, for one compound's page as for the whole).
MATCH (x:Score)
WHERE @current(x) AND x.category IN ['committee', 'person']
  AND x.year = coalesce($year, toInteger(substring($as_of, 0, 4)))
WITH collect(x) AS scores
OPTIONAL MATCH (n:Naming)
WHERE @current(n) AND n.category IN ['committee', 'person']
  AND n.year = coalesce($year, toInteger(substring($as_of, 0, 4)))
WITH scores, collect(n) AS namings
UNWIND scores + namings AS x
MATCH (cand)-[e:SCORED|NAMED]->(x)
WHERE @live(cand, e)
WITH DISTINCT cand, x.year AS year, x.category AS category
OPTIONAL MATCH (cand)-[st:SITS_AT|LIVES_IN]->(u:Unit)
WITH cand, year, category, u, st
WHERE (st IS NULL OR @live(st)) AND @in_scope(u)
MATCH (cand)-[h:HAD_INCIDENT]->(i:Incident)
WHERE @live(h) AND @current(i) AND i.kind = 'veto' AND substring(i.date, 0, 4) = toString(year)
RETURN cand.code AS candidate_code, cand.name AS candidate_name, year, category,
       'veto' AS reason, i.src_table AS evidence_table, i.src_row AS evidence_row,
       i.target_code AS evidence_key, i.date AS evidence_date, i.note AS evidence_note,
       i.run AS evidence_run,
       u.community_code AS community_code, u.community_name AS community_name,
       u.street_code AS street_code, u.street_name AS street_name,
       u.district_code AS district_code, u.district_name AS district_name
ORDER BY category, candidate_code, year, evidence_date, evidence_key, evidence_row
