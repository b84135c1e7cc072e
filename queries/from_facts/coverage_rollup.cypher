// coverage_rollup read from the per-compound facts (graph/compound_facts.py).
// The definition is queries/coverage_rollup.cypher.  One text per level: {level_key} is
// the fact's property holding the code of its unit at the rolled-up level (indexed), so
// each unit finds its compounds by one index look-up.
MATCH (u:Unit {level: $level})
WHERE @current(u) AND @in_scope(u)
OPTIONAL MATCH (f:CompoundFact {{level_key}: u.code})
WITH u, CASE WHEN @live(f) THEN f END AS c
WITH u,
     count(c) AS compounds,
     toInteger(sum(CASE WHEN c.has_party_org THEN 1 ELSE 0 END)) AS with_party_org,
     toInteger(sum(CASE WHEN c.has_owners_committee THEN 1 ELSE 0 END)) AS with_owners_committee,
     toInteger(sum(CASE WHEN c.has_self_governance THEN 1 ELSE 0 END)) AS with_self_governance,
     toInteger(sum(CASE WHEN c.has_owners_committee OR c.has_self_governance THEN 1 ELSE 0 END)) AS governed,
     toInteger(sum(CASE WHEN c.managed THEN 1 ELSE 0 END)) AS managed,
     toInteger(sum(CASE WHEN c.has_party_org AND c.has_owners_committee THEN 1 ELSE 0 END)) AS with_both,
     toInteger(sum(CASE WHEN c.one_shoulder THEN 1 ELSE 0 END)) AS one_shoulder,
     toInteger(sum(CASE WHEN c.has_party_org THEN c.committee_size ELSE 0 END)) AS committee,
     toInteger(sum(CASE WHEN c.has_party_org THEN c.cross_size ELSE 0 END)) AS cross
RETURN u.code AS unit_code, u.name AS unit_name, u.level AS level, compounds,
       with_party_org,
       CASE WHEN compounds = 0 THEN null ELSE round(10000.0 * with_party_org / compounds) / 10000.0 END AS party_org_rate,
       with_owners_committee,
       CASE WHEN compounds = 0 THEN null ELSE round(10000.0 * with_owners_committee / compounds) / 10000.0 END AS owners_committee_rate,
       with_self_governance, governed,
       CASE WHEN compounds = 0 THEN null ELSE round(10000.0 * governed / compounds) / 10000.0 END AS governance_rate,
       managed,
       CASE WHEN compounds = 0 THEN null ELSE round(10000.0 * managed / compounds) / 10000.0 END AS managed_rate,
       with_both, one_shoulder,
       CASE WHEN with_both = 0 THEN null ELSE round(10000.0 * one_shoulder / with_both) / 10000.0 END AS one_shoulder_rate,
       committee, cross,
       CASE WHEN committee = 0 THEN null ELSE round(10000.0 * cross / committee) / 10000.0 END AS cross_rate,
       u.community_code AS community_code, u.community_name AS community_name,
       u.street_code AS street_code, u.street_name AS street_name,
       u.district_code AS district_code, u.district_name AS district_name
ORDER BY unit_code
