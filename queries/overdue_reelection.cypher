// name: overdue_reelection
// title_zh: 业委会到期未换届
// title_en: Owners' committees overdue for re-election
// rules: R13
// source: 002
// one_row_per: active owners' committee whose term (届满日期) ended before as_of
// one_row_per_zh: 任期届满日期早于截至日期的在册业主委员会
// rule_zh: 业委会任期届满应按时换届，到期未换届即为问题；届满日期恰为截至日期的尚不算逾期。
// rule_zh: 逾期天数 = 截至日期 − 届满日期。每一行都是问题。
// description: A term ending on as_of itself is not yet overdue. days_overdue = as_of − term end.
// column: committee_code — 业委会编码 — the owners' committee's organisation code
// column: committee_name — 业委会名称 — its name
// column: compound_code — 小区编码 — the unit it sits at
// column: compound_name — 小区名称 — that unit's name
// column: term_end — 届满日期 — the end of its term
// column: days_overdue — 逾期天数 — days from the term end to as_of
// column: community_code — 社区编码 — the committee's community
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — the committee's street
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — the committee's district
// column: district_name — 区县名称 — its name
// type: term_end — date
// type: days_overdue — int
// finding: every row
MATCH (oc:Organisation {kind: 'owners_committee'})
WHERE @current(oc) AND oc.status = 'active'
  AND oc.term_end IS NOT NULL AND oc.term_end < $as_of
OPTIONAL MATCH (oc)-[st:SITS_AT]->(c:Unit)
WITH oc, c, st
WHERE (st IS NULL OR @live(st)) AND @in_scope(c)
RETURN oc.code AS committee_code, oc.name AS committee_name,
       c.code AS compound_code, c.name AS compound_name,
       oc.term_end AS term_end, $as_of_day - oc.term_end_day AS days_overdue,
       c.community_code AS community_code, c.community_name AS community_name,
       c.street_code AS street_code, c.street_name AS street_name,
       c.district_code AS district_code, c.district_name AS district_name
ORDER BY days_overdue DESC, committee_code
