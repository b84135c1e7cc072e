// secretary_origin read from the per-organisation facts (graph/org_facts.py): each
// secretary's origin was decided at publish time with the definition's conditions.
// The definition is queries/secretary_origin.cypher.
MATCH (f:PartyOrgFact)
WHERE @live(f) AND f.in_compound = true
  AND ($scope IS NULL OR $scope IN [f.unit_code, f.community_code, f.street_code,
                                    f.district_code, f.city_code])
UNWIND CASE WHEN f.secretary_codes IS NULL THEN [-1]
            ELSE range(0, size(f.secretary_codes) - 1) END AS i
RETURN f.code AS party_org_code, f.name AS party_org_name,
       CASE WHEN i < 0 THEN null ELSE f.secretary_codes[i] END AS secretary_code,
       CASE WHEN i < 0 THEN null ELSE f.secretary_names[i] END AS secretary_name,
       CASE WHEN i < 0 THEN '无书记' ELSE f.secretary_origins[i] END AS origin,
       f.community_code AS community_code, f.community_name AS community_name,
       f.street_code AS street_code, f.street_name AS street_name,
       f.district_code AS district_code, f.district_name AS district_name
ORDER BY party_org_code, secretary_code
