// one_shoulder read from the per-compound facts (graph/compound_facts.py).
// The definition is queries/one_shoulder.cypher.
MATCH (f:CompoundFact)
WHERE @live(f) AND @in_scope(f) AND f.has_party_org = true AND f.has_owners_committee = true
RETURN f.code AS compound_code, f.name AS compound_name,
       f.party_org_code AS party_org_code, f.committee_code AS committee_code,
       f.secretary_code AS secretary_code, f.chair_code AS chair_code,
       f.one_shoulder AS one_shoulder,
       f.community_code AS community_code, f.community_name AS community_name,
       f.street_code AS street_code, f.street_name AS street_name,
       f.district_code AS district_code, f.district_name AS district_name
ORDER BY compound_code
