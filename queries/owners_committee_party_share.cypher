// name: owners_committee_party_share
// title_zh: 业委会党员比例与主任身份
// title_en: Party share and chair of owners' committees
// rules: R4
// source: 000, 004
// one_row_per: active owners' committee (业主委员会)
// one_row_per_zh: 在册业主委员会
// rule_zh: 成员是在业委会有在任职务（本职或兼任）的不同人，党员是中共党员或中共预备党员，主任是职务为主任的成员。
// rule_zh: 业委会主任原则上由党员担任，党员比例一般在30%以上（县级方案；绵阳为50%）。
// rule_zh: 主任不是党员的为主任非党员；否则党员比例低于下限的为党员比例不足；其余为合规。
// param_zh: min_share — 党员比例下限
// description: Members are the distinct people with an active post (本职 or 兼任) in the
// description: committee; party members are 中共党员 or 中共预备党员; the chair is the member whose
// description: normalised role is 主任 (lowest code if several). finding: 主任非党员 when the chair
// description: is not a party member; else 党员比例不足 when share < min_share; else ok.
// param: min_share float 0.30 — the smallest acceptable party share (county plan 30%; 绵阳 50%)
// column: committee_code — 业委会编码 — the committee's organisation code
// column: committee_name — 业委会名称 — its name
// column: compound_code — 小区编码 — the unit it sits at
// column: compound_name — 小区名称 — that unit's name
// column: members — 成员数 — distinct people with an active post in it
// column: party_members — 党员数 — of those, 中共党员 or 中共预备党员
// column: share — 党员比例 — party_members / members, 4 decimals (0 when no members)
// column: chair_code — 主任编码 — the chair's person code, or null
// column: chair_is_member — 主任是党员 — the chair is a party member (null when no chair)
// column: finding — 结论 — 主任非党员, 党员比例不足 or ok
// column: community_code — 社区编码 — the committee's community
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — the committee's street
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — the committee's district
// column: district_name — 区县名称 — its name
// type: members, party_members — int
// type: share — rate
// type: chair_is_member — bool
// type: finding — finding
// finding: finding — 主任非党员, 党员比例不足
// example: --param min_share=0.5
// headline: share
MATCH (oc:Organisation {kind: 'owners_committee'})
WHERE @current(oc) AND oc.status = 'active'
OPTIONAL MATCH (oc)-[st:SITS_AT]->(c:Unit)
WITH oc, c, st
WHERE (st IS NULL OR @live(st)) AND @in_scope(c)
// The posts are matched unfiltered (an OPTIONAL MATCH with a WHERE runs once per row on
// FalkorDB) and the condition applied inside the aggregation.
OPTIONAL MATCH (m:Person)-[r:SERVES_AS|CROSS_APPOINTED_TO]->(oc)
WITH oc, c, m, r, @active(r) AS live
WITH oc, c, collect(DISTINCT CASE WHEN live THEN m END) AS people,
     collect(DISTINCT CASE WHEN live AND r.role = 'director' THEN m END) AS chairs
WITH oc, c, size(people) AS members,
     size([p IN people WHERE p.standing IN ['full_member', 'probationary_member']]) AS party_members,
     reduce(h = null, x IN chairs | CASE WHEN h IS NULL OR x.code < h.code THEN x ELSE h END) AS chair
WITH oc, c, members, party_members, chair,
     CASE WHEN members = 0 THEN 0.0 ELSE toFloat(party_members) / members END AS raw_share,
     CASE WHEN chair IS NULL THEN null
          ELSE coalesce(chair.standing IN ['full_member', 'probationary_member'], false) END AS chair_is_member
RETURN oc.code AS committee_code, oc.name AS committee_name,
       c.code AS compound_code, c.name AS compound_name,
       members, party_members, round(raw_share * 10000) / 10000.0 AS share,
       chair.code AS chair_code, chair_is_member,
       CASE WHEN chair_is_member = false THEN '主任非党员'
            WHEN raw_share < $min_share THEN '党员比例不足'
            ELSE 'ok' END AS finding,
       c.community_code AS community_code, c.community_name AS community_name,
       c.street_code AS street_code, c.street_name AS street_name,
       c.district_code AS district_code, c.district_name AS district_name
ORDER BY committee_code
