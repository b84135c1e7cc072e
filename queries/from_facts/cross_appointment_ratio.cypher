// cross_appointment_ratio read from the per-compound facts (graph/compound_facts.py).
// The definition is queries/cross_appointment_ratio.cypher.
MATCH (f:CompoundFact)
WHERE @live(f) AND @in_scope(f) AND f.has_party_org = true
RETURN f.code AS compound_code, f.name AS compound_name, f.party_org_code AS party_org_code,
       f.committee_size AS committee, f.cross_size AS cross,
       CASE WHEN f.committee_size = 0 THEN null
            ELSE round(10000.0 * f.cross_size / f.committee_size) / 10000.0 END AS ratio,
       f.community_code AS community_code, f.community_name AS community_name,
       f.street_code AS street_code, f.street_name AS street_name,
       f.district_code AS district_code, f.district_name AS district_name
ORDER BY compound_code
