// name: duplicate_people
// title_zh: 同一人两个编码
// title_en: One person under two codes
// rules: DQ
// source: 003
// one_row_per: pair of current people (person_code < other_code) that look like one person: the same ID-number hash, or the same name, gender and masked ID number with a place in one common district
// one_row_per_zh: 疑似同一人的两条在册人员记录（人员编码较小者在前）：身份证号相同，或姓名、性别、脱敏身份证号相同且在同一区县
// rule_zh: 数据质量：一个人在台账中只应有一个人员编码。两条记录身份证号相同（按加密哈希比对），
// rule_zh: 或者姓名、性别和脱敏身份证号都相同、且居住或任职在同一区县的，疑似同一人登记了两次。
// rule_zh: 只列出证据（两个编码、姓名、命中的比对规则、各自任职的组织），不会自动合并。
// description: Data quality: a person has one code in the registry. Two current records with the
// description: same ID-number hash (HMAC of the full number), or with the same name, gender and masked
// description: ID number and a place (home compound or the unit of an organisation they hold an
// description: active post in) in one common district, are probably one person entered twice. The
// description: evidence is listed; nothing is merged. matched_by: 身份证号相同 (hash) or 姓名性别脱敏号相同.
// column: person_code — 人员编码 — the first record's code (the smaller one)
// column: person_name — 姓名 — its name
// column: other_code — 另一人员编码 — the second record's code
// column: other_name — 另一姓名 — its name
// column: matched_by — 命中规则 — 身份证号相同 (same ID-number hash) or 姓名性别脱敏号相同 (same name, gender and masked ID in one district)
// column: id_masked — 脱敏身份证号 — the masked ID number both records carry
// column: gender — 性别 — the first record's gender
// column: district_codes — 共同区县 — the districts where both records have a place (empty when none)
// column: person_orgs — 任职组织 — organisations of the first record's active posts
// column: other_orgs — 另一任职组织 — organisations of the second record's active posts
// column: community_code — 社区编码 — where the pair is placed: the first record's home (else the first unit it or the other record holds a post at)
// column: community_name — 社区名称 — its name
// column: street_code — 街道编码 — that place's street
// column: street_name — 街道名称 — its name
// column: district_code — 区县编码 — that place's district
// column: district_name — 区县名称 — its name
// type: matched_by — text
// type: id_masked — text
// type: gender — text
// type: district_codes — codes:unit
// type: person_orgs — codes:organisation
// type: other_orgs — codes:organisation
// finding: every row
// Keys kept by the loader (loaders/duplicates.py): every person version with a masked ID
// carries dup_key, a digest of (name, gender, masked ID), and a version that shared it or
// its ID-number hash with another current person when it was written carries
// dup_shared = 1; all three are indexed (graph/schema.py).  Of any pair current together,
// the version written later is marked, so the work starts from the marked people (~4,700
// at the province demo), takes their distinct keys and finds each key's people through
// the dup_key and id_hash indexes (one lookup a key), scoped or not (the scope is a
// filter on the pairs' places below): no pass over every person.  The tests themselves
// are checked again below; a mark is a hint.
// A graph whose newest published run has no dup_marks was written before the keys (its
// next sync backfills them): there, and only there, the whole graph is grouped by masked
// ID as before (~100 people a group at a province, tens of millions of candidate pairs).
// One text serves both engines (neither takes a CALL subquery the other accepts): the
// way not taken is empty, and OPTIONAL MATCH keeps one row when nobody is marked.
OPTIONAL MATCH (run:SyncRun)
WHERE run.published = true
WITH run
ORDER BY run.ordinal DESC
LIMIT 1
UNWIND (CASE WHEN coalesce(run.dup_marks, 0) = 1 THEN [] ELSE [1] END) AS unmarked
MATCH (p:Person)
WHERE @current(p) AND p.id_masked IS NOT NULL
WITH p.id_masked AS masked, collect(p) AS people
WHERE size(people) > 1
UNWIND people AS a
UNWIND people AS b
WITH a, b
WHERE a.code < b.code AND ((a.id_hash IS NOT NULL AND a.id_hash = b.id_hash)
      OR (a.name = b.name AND coalesce(a.gender, '') = coalesce(b.gender, '')))
WITH collect({a: a, b: b}) AS whole
OPTIONAL MATCH (x:Person)
WHERE x.dup_shared = 1 AND @current(x) AND x.id_masked IS NOT NULL
WITH whole, collect(DISTINCT x.dup_key) AS keys, collect(DISTINCT x.id_hash) AS hashes
// one row a key (no list carried along the rows: at a province that alone passes a read's
// memory); the lookup of the other kind gets null and finds nothing
WITH whole, [k IN keys | {k: k, h: null}] + [h IN hashes | {k: null, h: h}] AS todo
UNWIND (CASE WHEN size(todo) = 0 THEN [null] ELSE todo END) AS todo_one
WITH whole, todo_one.k AS k, todo_one.h AS h
OPTIONAL MATCH (named:Person {dup_key: k})
WITH whole, k, h, collect(named) AS by_key
OPTIONAL MATCH (same:Person {id_hash: h})
WITH whole, k, h, by_key, collect(same) AS by_hash
WITH whole, collect([y IN by_key + by_hash WHERE @current(y) AND y.id_masked IS NOT NULL])
       AS groups
WITH whole, [g IN groups | reduce(acc = [], a IN g | acc + [b IN g
               WHERE a.code < b.code AND a.id_masked = b.id_masked | {a: a, b: b}])] AS founds
UNWIND [whole] + founds AS pairs
UNWIND pairs AS pair
WITH DISTINCT pair.a AS a, pair.b AS b
WITH a, b, (a.id_hash IS NOT NULL AND a.id_hash = b.id_hash) AS same_hash
WHERE same_hash OR (a.name = b.name AND coalesce(a.gender, '') = coalesce(b.gender, ''))
// The districts first, for every candidate (an OPTIONAL MATCH without WHERE is one batched
// traversal on FalkorDB, where a pattern comprehension is one per row); the places, in
// their order, only for the pairs that stay (variables not reused: see ENGINE notes).
OPTIONAL MATCH (a)-[h1:LIVES_IN]->(u1:Unit)
WITH a, b, same_hash, collect(CASE WHEN @live(h1) THEN u1.district_code END) AS a_homes
OPTIONAL MATCH (a)-[p1:SERVES_AS|CROSS_APPOINTED_TO]->(:Organisation)-[s1:SITS_AT]->(v1:Unit)
WITH a, b, same_hash, a_homes,
     collect(CASE WHEN @active(p1) AND @live(s1) THEN v1.district_code END) AS a_posts
OPTIONAL MATCH (b)-[h2:LIVES_IN]->(u2:Unit)
WITH a, b, same_hash, a_homes + a_posts AS a_districts,
     collect(CASE WHEN @live(h2) THEN u2.district_code END) AS b_homes
OPTIONAL MATCH (b)-[p2:SERVES_AS|CROSS_APPOINTED_TO]->(:Organisation)-[s2:SITS_AT]->(v2:Unit)
WITH a, b, same_hash, a_districts, b_homes,
     collect(CASE WHEN @active(p2) AND @live(s2) THEN v2.district_code END) AS b_posts
// (FalkorDB reads `d IN x + y` as `(d IN x) + y`: the lists are joined first)
WITH a, b, same_hash, a_districts, b_homes + b_posts AS b_districts
WITH a, b, same_hash, [d IN a_districts WHERE d IN b_districts] AS shared
WHERE same_hash OR size(shared) > 0
WITH a, b, same_hash, shared,
     [(a)-[ha:LIVES_IN]->(ua:Unit) WHERE @live(ha) | ua] +
     [(a)-[pa:SERVES_AS|CROSS_APPOINTED_TO]->(oa1:Organisation)-[sa:SITS_AT]->(va:Unit)
      WHERE @active(pa) AND @live(sa) | va] +
     [(b)-[hb:LIVES_IN]->(ub:Unit) WHERE @live(hb) | ub] +
     [(b)-[pb:SERVES_AS|CROSS_APPOINTED_TO]->(ob1:Organisation)-[sb:SITS_AT]->(vb:Unit)
      WHERE @active(pb) AND @live(sb) | vb] AS places
WHERE $scope IS NULL OR any(u IN places WHERE @in_scope(u))
WITH a, b, same_hash, shared, head(places) AS place
UNWIND (CASE WHEN size(shared) = 0 THEN [null] ELSE shared END) AS district
WITH a, b, same_hash, place, district
ORDER BY district
WITH a, b, same_hash, place, collect(DISTINCT district) AS district_codes
WITH a, b, same_hash, place, district_codes,
     [(a)-[qa:SERVES_AS|CROSS_APPOINTED_TO]->(oa:Organisation) WHERE @active(qa) | oa.code]
       AS a_orgs,
     [(b)-[qb:SERVES_AS|CROSS_APPOINTED_TO]->(ob:Organisation) WHERE @active(qb) | ob.code]
       AS b_orgs
UNWIND (CASE WHEN size(a_orgs) = 0 THEN [null] ELSE a_orgs END) AS ao
WITH a, b, same_hash, place, district_codes, b_orgs, ao
ORDER BY ao
WITH a, b, same_hash, place, district_codes, b_orgs, collect(DISTINCT ao) AS person_orgs
UNWIND (CASE WHEN size(b_orgs) = 0 THEN [null] ELSE b_orgs END) AS bo
WITH a, b, same_hash, place, district_codes, person_orgs, bo
ORDER BY bo
WITH a, b, same_hash, place, district_codes, person_orgs, collect(DISTINCT bo) AS other_orgs
RETURN a.code AS person_code, a.name AS person_name, b.code AS other_code,
       b.name AS other_name,
       CASE WHEN same_hash THEN '身份证号相同' ELSE '姓名性别脱敏号相同' END AS matched_by,
       a.id_masked AS id_masked, a.gender AS gender, district_codes, person_orgs, other_orgs,
       place.community_code AS community_code, place.community_name AS community_name,
       place.street_code AS street_code, place.street_name AS street_name,
       place.district_code AS district_code, place.district_name AS district_name
ORDER BY person_code, other_code
