// compounds_without_branch read from the per-compound facts (graph/compound_facts.py).
// The definition is queries/compounds_without_branch.cypher; tests/test_compound_facts.py
// proves both give the same rows at every snapshot of the history fixtures.
MATCH (f:CompoundFact)
WHERE @live(f) AND @in_scope(f) AND f.has_party_org = false
RETURN f.code AS compound_code, f.name AS compound_name, f.compound_type AS compound_type,
       f.households AS households, f.full_members AS full_members,
       f.full_members >= $min_full_members AS qualified,
       f.has_work_group AS has_work_group, f.has_instructor AS has_instructor,
       CASE WHEN f.full_members >= $min_full_members THEN '应建未建'
            WHEN f.group_guided THEN '工作覆盖'
            ELSE '未覆盖' END AS finding,
       f.community_code AS community_code, f.community_name AS community_name,
       f.street_code AS street_code, f.street_name AS street_name,
       f.district_code AS district_code, f.district_name AS district_name
ORDER BY compound_code
