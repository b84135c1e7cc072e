// name: compounds_without_governance
// title_zh: 无业委会且无自治组织的小区
// title_en: Compounds with neither an owners' committee nor a self-governance body
// rules: R5
// source: 004
// one_row_per: active compound with no active owners' committee and no active self-governance body sitting at it
// one_row_per_zh: 既无在册业主委员会、也无在册自治组织的在册小区
// rule_zh: 不具备成立业主委员会条件的小区，应由小区议事会、自治管理委员会或物业管理委员会等自治组织
// rule_zh: 代行职责，目标覆盖率100%（绵阳）。已撤销或已退出台账的组织不算。每一行都是问题。
// description: Where no owners' committee can be formed, a 小区议事会 / 自治管理委员会 /
// description: 物业管理委员会 (自治组织) should take its place; target 100% (绵阳). Revoked (撤销) or
// description: retired bodies do not count.
// column: compound_code — 小区编码 — the compound's unit code
// column: compound_name — 小区名称 — its name
// column: compound_type — 小区类型 — managed, old, abandoned … (as in the model)
// column: households — 户数 — households in the compound
// column: community_code — 社区编码 — the compound's community
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — the compound's street
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — the compound's district
// column: district_name — 区县名称 — its name
// type: compound_type — compound_type
// type: households — int
// finding: every row
MATCH (c:Unit {level: 'compound'})
WHERE @current(c) AND @in_scope(c)
WITH c, size([(g:Organisation)-[st:SITS_AT]->(c)
              WHERE g.kind IN ['owners_committee', 'self_governance_body']
                AND @live(st) AND @current(g) AND g.status = 'active' | g]) AS bodies
WHERE bodies = 0
RETURN c.code AS compound_code, c.name AS compound_name, c.compound_type AS compound_type,
       c.households AS households,
       c.community_code AS community_code, c.community_name AS community_name,
       c.street_code AS street_code, c.street_name AS street_name,
       c.district_code AS district_code, c.district_name AS district_name
ORDER BY compound_code
