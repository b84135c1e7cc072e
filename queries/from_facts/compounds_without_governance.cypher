// compounds_without_governance read from the per-compound facts (graph/compound_facts.py).
// The definition is queries/compounds_without_governance.cypher.
MATCH (f:CompoundFact)
WHERE @live(f) AND @in_scope(f)
  AND f.has_owners_committee = false AND f.has_self_governance = false
RETURN f.code AS compound_code, f.name AS compound_name, f.compound_type AS compound_type,
       f.households AS households,
       f.community_code AS community_code, f.community_name AS community_name,
       f.street_code AS street_code, f.street_name AS street_name,
       f.district_code AS district_code, f.district_name AS district_name
ORDER BY compound_code
