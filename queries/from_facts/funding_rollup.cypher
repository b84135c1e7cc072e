// funding_rollup read from the per-organisation facts (graph/org_facts.py).  One text per
// level: {roll_key} is the fact's property holding the code of its seat's unit at the
// rolled-up level (set only for a current seat at or below that level, as the
// definition's PART_OF*0..4 reaches).  The organisations are summed per unit code first,
// then each unit of the level picks its sums (none: zeros).  With a scope only the facts
// seated in it are summed: a unit in the scope rolls up seats at or below it, which are in
// the scope too (a province district's roll-up summed all 54k facts: 0.18 s of the server).
// Registered for the city, district and street levels (queries/fact_texts.ROLL_LEVELS).
// The definition is queries/funding_rollup.cypher.
MATCH (f:PartyOrgFact)
WHERE @live(f) AND f.{roll_key} IS NOT NULL AND (f.in_company = true OR f.in_compound = true)
  AND ($scope IS NULL
       OR $scope IN [f.unit_code, f.community_code, f.street_code, f.district_code, f.city_code])
WITH f, CASE WHEN coalesce($year, 0) > 0 THEN $year
            ELSE toInteger(substring($as_of, 0, 4)) END AS fyear
WHERE f.founded IS NULL OR f.founded <= toString(fyear) + '-12-31'
WITH f,
     CASE f.kind WHEN 'party_committee' THEN $floor_committee
                 WHEN 'general_branch' THEN $floor_general_branch
                 ELSE $floor_branch END AS floor,
     [i IN range(0, size(coalesce(f.funding_years, [])) - 1) WHERE f.funding_years[i] = fyear]
       AS at
WITH f, floor,
     CASE WHEN size(at) = 0 THEN 0 ELSE toInteger(f.funding_amounts[at[0]]) END AS allocated
WITH f.{roll_key} AS code, count(*) AS orgs,
     toInteger(sum(CASE WHEN allocated >= floor THEN 1 ELSE 0 END)) AS guaranteed,
     toInteger(sum(floor)) AS floor_total, toInteger(sum(allocated)) AS allocated_total,
     toInteger(sum(CASE WHEN allocated < floor THEN floor - allocated ELSE 0 END))
       AS shortfall_total
WITH collect([code, orgs, guaranteed, floor_total, allocated_total, shortfall_total]) AS per
MATCH (u:Unit {level: $level})
WHERE @current(u) AND @in_scope(u)
WITH u, [p IN per WHERE p[0] = u.code] AS hit
WITH u, CASE WHEN size(hit) = 0 THEN [u.code, 0, 0, 0, 0, 0] ELSE hit[0] END AS p,
     CASE WHEN coalesce($year, 0) > 0 THEN $year
          ELSE toInteger(substring($as_of, 0, 4)) END AS fyear
RETURN u.code AS unit_code, u.name AS unit_name, u.level AS level, fyear AS year,
       p[1] AS orgs, p[2] AS guaranteed,
       CASE WHEN p[1] = 0 THEN null ELSE round(10000.0 * p[2] / p[1]) / 10000.0 END
         AS guarantee_rate,
       p[3] AS floor_total, p[4] AS allocated_total, p[5] AS shortfall_total,
       u.community_code AS community_code, u.community_name AS community_name,
       u.street_code AS street_code, u.street_name AS street_name,
       u.district_code AS district_code, u.district_name AS district_name
ORDER BY unit_code
