// name: compounds_without_branch
// title_zh: 未建党组织的小区
// title_en: Compounds without a party organisation
// rules: R1
// source: 002, 003, 004
// one_row_per: active compound with no active party organisation (党委/党总支/党支部) built in it
// one_row_per_zh: 没有在册党组织（党委、党总支或党支部）的在册小区
// rule_zh: 小区的党组织是依托主体包含该小区（单独建或联合建）的在册党委、党总支或党支部，
// rule_zh: 党的工作小组不算。居住正式党员达到规定人数（默认3名）的为应建未建；
// rule_zh: 否则小区有在册党的工作小组且有党建指导员指导的为工作覆盖；其余为未覆盖。
// param_zh: min_full_members — 应建支部的居住正式党员数
// description: A compound's party organisation is an active 党委, 党总支 or 党支部 whose 依托主体
// description: includes the compound (单独建 or 联合建); a 党的工作小组 does not count as one.
// description: finding: 应建未建 when the compound has at least min_full_members resident full
// description: members; else 工作覆盖 when an active work group (built in or sitting at the
// description: compound) has an instructor (an active 党建指导 supervision of the compound or the
// description: group by a person, or an active 党建指导员 post in the group); else 未覆盖.
// param: min_full_members int 3 — resident full members (中共党员) from which a branch is due
// column: compound_code — 小区编码 — the compound's unit code
// column: compound_name — 小区名称 — the compound's name
// column: compound_type — 小区类型 — managed, old, abandoned … (as in the model)
// column: households — 户数 — households in the compound
// column: full_members — 居住正式党员数 — resident people whose standing is 中共党员 (probationary excluded)
// column: qualified — 具备建支部条件 — full_members ≥ min_full_members
// column: has_work_group — 有党的工作小组 — an active 党的工作小组 is built in or sits at the compound
// column: has_instructor — 有党建指导员 — an instructor guides the compound or its work group
// column: finding — 结论 — 应建未建, 工作覆盖 or 未覆盖
// column: community_code — 社区编码 — the compound's community
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — the compound's street
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — the compound's district
// column: district_name — 区县名称 — its name
// type: compound_type — compound_type
// type: households, full_members — int
// type: qualified, has_work_group, has_instructor — bool
// type: finding — finding
// finding: finding — 应建未建, 未覆盖
// example: --scope 350206001
MATCH (c:Unit {level: 'compound'})
WHERE @current(c) AND @in_scope(c)
WITH c, size([(po:Organisation)-[b:BUILT_IN]->(c)
               WHERE po.kind IN ['party_committee', 'general_branch', 'party_branch']
                 AND @live(b) AND @current(po) AND po.status = 'active' | po]) AS party_orgs
WHERE party_orgs = 0
OPTIONAL MATCH (wg:Organisation)-[wr]->(c)
WHERE type(wr) IN ['BUILT_IN', 'SITS_AT'] AND wg.kind = 'party_work_group'
  AND @live(wr) AND @current(wg) AND wg.status = 'active'
OPTIONAL MATCH (gi:Person)-[gs:SUPERVISES]->(wg)
WHERE gs.kind = 'party_building_guidance' AND @active(gs)
OPTIONAL MATCH (gp:Person)-[gr:SERVES_AS|CROSS_APPOINTED_TO]->(wg)
WHERE gr.role = 'instructor' AND @active(gr)
WITH c, collect(DISTINCT wg.code) AS groups,
     collect(DISTINCT gi.code) + collect(DISTINCT gp.code) AS group_guides
WITH c, groups, group_guides,
     size([(ci:Person)-[cs:SUPERVISES]->(c)
           WHERE cs.kind = 'party_building_guidance' AND @active(cs) | ci]) AS compound_guides,
     size([(res:Person)-[lv:LIVES_IN]->(c)
           WHERE res.standing = 'full_member' AND @live(lv) AND @current(res) | res])
       AS full_members
WITH c, full_members, size(groups) > 0 AS has_work_group,
     size(group_guides) > 0 OR (size(groups) > 0 AND compound_guides > 0) AS group_guided,
     size(group_guides) > 0 OR compound_guides > 0 AS has_instructor
RETURN c.code AS compound_code, c.name AS compound_name, c.compound_type AS compound_type,
       c.households AS households, full_members,
       full_members >= $min_full_members AS qualified,
       has_work_group, has_instructor,
       CASE WHEN full_members >= $min_full_members THEN '应建未建'
            WHEN group_guided THEN '工作覆盖'
            ELSE '未覆盖' END AS finding,
       c.community_code AS community_code, c.community_name AS community_name,
       c.street_code AS street_code, c.street_name AS street_name,
       c.district_code AS district_code, c.district_name AS district_name
ORDER BY compound_code
