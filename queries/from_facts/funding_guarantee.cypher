// funding_guarantee read from the per-organisation facts (graph/org_facts.py): the fact
// holds each year's sum and count of funding rows; the year, the floors and the founding
// date against the year's end are applied here, as the definition does.
// The definition is queries/funding_guarantee.cypher.
MATCH (f:PartyOrgFact)
WHERE @live(f) AND (f.in_company = true OR f.in_compound = true)
  AND ($scope IS NULL OR $scope IN [f.unit_code, f.community_code, f.street_code,
                                    f.district_code, f.city_code])
WITH f, CASE WHEN coalesce($year, 0) > 0 THEN $year
            ELSE toInteger(substring($as_of, 0, 4)) END AS fyear
WHERE f.founded IS NULL OR f.founded <= toString(fyear) + '-12-31'
WITH f, fyear,
     CASE f.kind WHEN 'party_committee' THEN $floor_committee
                 WHEN 'general_branch' THEN $floor_general_branch
                 ELSE $floor_branch END AS floor,
     [i IN range(0, size(coalesce(f.funding_years, [])) - 1) WHERE f.funding_years[i] = fyear]
       AS at
WITH f, fyear, floor,
     CASE WHEN size(at) = 0 THEN 0 ELSE toInteger(f.funding_amounts[at[0]]) END AS allocated,
     CASE WHEN size(at) = 0 THEN 0 ELSE f.funding_rows[at[0]] END AS funding_rows
RETURN f.code AS org_code, f.name AS org_name, f.kind AS org_kind,
       f.formation AS formation, f.in_company AS in_company, f.in_compound AS in_compound,
       fyear AS year, floor AS floor, allocated AS allocated, funding_rows AS funding_rows,
       CASE WHEN allocated >= floor THEN 0 ELSE floor - allocated END AS shortfall,
       allocated >= floor AS guaranteed,
       f.community_code AS community_code, f.community_name AS community_name,
       f.street_code AS street_code, f.street_name AS street_name,
       f.district_code AS district_code, f.district_name AS district_name
ORDER BY org_code
