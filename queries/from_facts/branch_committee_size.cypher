// branch_committee_size read from the per-organisation facts (graph/org_facts.py).
// The definition is queries/branch_committee_size.cypher; tests/test_compound_facts.py
// proves both give the same rows at every snapshot of the history fixtures.  The scope
// is the seat's, as the definition's @in_scope(u).
MATCH (f:PartyOrgFact)
WHERE @live(f) AND f.in_compound = true
  AND ($scope IS NULL OR $scope IN [f.unit_code, f.community_code, f.street_code,
                                    f.district_code, f.city_code])
RETURN f.code AS party_org_code, f.name AS party_org_name, f.compound_codes AS compound_codes,
       f.secretaries AS secretaries, f.deputy_secretaries AS deputy_secretaries,
       f.committee_members AS committee_members, f.committee AS committee,
       CASE WHEN f.committee < 3 OR f.committee > 5 THEN '班子人数不符'
            WHEN f.secretaries <> 1 THEN '书记人数不符'
            WHEN f.deputy_secretaries <> 1 THEN '副书记人数不符'
            WHEN f.committee_members < 1 OR f.committee_members > 3 THEN '委员人数不符'
            ELSE 'ok' END AS finding,
       f.community_code AS community_code, f.community_name AS community_name,
       f.street_code AS street_code, f.street_name AS street_name,
       f.district_code AS district_code, f.district_name AS district_name
ORDER BY party_org_code
