# ruff: noqa: E501  (interim: this file is replaced by the mapping-derived writes)
"""Every Cypher text the sync writes with, declared once (``cypher()``), one per purpose.

All are ``UNWIND $rows AS row …`` batches.  New records are CREATEd (the diff knows they
are not there, so no MERGE probe is paid); existing ones are MATCHed by their indexed key
and replaced whole with ``SET n = row.props`` (which also clears ``retired_on`` when a
record comes back).  ``props`` never holds a null: FalkorDB 4.16 mixes up the remaining
properties when ``SET n += map`` removes several at once, so the loader leaves nulls out
and clears single fields with explicit ``SET n.x = row.x`` (ancestry).  Relations whose values
changed are deleted and created again, which also covers a post moving between
``SERVES_AS`` and ``CROSS_APPOINTED_TO``.
"""

from __future__ import annotations

from ..graph.cypher import cypher

# --- nodes ----------------------------------------------------------------------------------
CREATE_UNIT = cypher(
    "sync.create.unit",
    "UNWIND $rows AS row CREATE (n:Unit) "
    "SET n += row.props, n.run = $run, n.src_table = $table, n.retired = false, n.vf = $ordinal, n.vt = $open",
)
CREATE_ORG = cypher(
    "sync.create.org",
    "UNWIND $rows AS row CREATE (n:Organisation) "
    "SET n += row.props, n.run = $run, n.src_table = $table, n.retired = false, n.vf = $ordinal, n.vt = $open",
)
CREATE_PERSON = cypher(
    "sync.create.person",
    "UNWIND $rows AS row CREATE (n:Person) "
    "SET n += row.props, n.run = $run, n.src_table = $table, n.retired = false, n.vf = $ordinal, n.vt = $open",
)
CREATE_RATING = cypher(
    "sync.create.rating",
    "UNWIND $rows AS row CREATE (n:Rating) "
    "SET n += row.props, n.run = $run, n.src_table = $table, n.retired = false, n.vf = $ordinal, n.vt = $open",
)
UPDATE_UNIT = cypher(
    "sync.update.unit",
    "UNWIND $rows AS row MATCH (n:Unit {code: row.key}) SET n = row.props, "
    "n.run = $run, n.src_table = $table, n.retired = false, n.vf = $ordinal, n.vt = $open",
)
UPDATE_ORG = cypher(
    "sync.update.org",
    "UNWIND $rows AS row MATCH (n:Organisation {code: row.key}) SET n = row.props, "
    "n.run = $run, n.src_table = $table, n.retired = false, n.vf = $ordinal, n.vt = $open",
)
UPDATE_PERSON = cypher(
    "sync.update.person",
    "UNWIND $rows AS row MATCH (n:Person {code: row.key}) SET n = row.props, "
    "n.run = $run, n.src_table = $table, n.retired = false, n.vf = $ordinal, n.vt = $open",
)
UPDATE_RATING = cypher(
    "sync.update.rating",
    "UNWIND $rows AS row MATCH (n:Rating {key: row.key}) SET n = row.props, "
    "n.run = $run, n.src_table = $table, n.retired = false, n.vf = $ordinal, n.vt = $open",
)
UPDATE_ANCESTRY = cypher(
    "sync.update.ancestry",
    """
UNWIND $rows AS row
MATCH (n:Unit {code: row.key})
SET n.city_code = row.city_code, n.city_name = row.city_name,
    n.district_code = row.district_code, n.district_name = row.district_name,
    n.street_code = row.street_code, n.street_name = row.street_name,
    n.community_code = row.community_code, n.community_name = row.community_name,
    n.run = $run
""",
)
RETIRE_UNIT = cypher(
    "sync.retire.unit",
    "UNWIND $rows AS row MATCH (n:Unit {code: row.key}) "
    "SET n.retired = true, n.retired_on = $date, n.run = $run",
)
RETIRE_ORG = cypher(
    "sync.retire.org",
    "UNWIND $rows AS row MATCH (n:Organisation {code: row.key}) "
    "SET n.retired = true, n.retired_on = $date, n.run = $run",
)
RETIRE_PERSON = cypher(
    "sync.retire.person",
    "UNWIND $rows AS row MATCH (n:Person {code: row.key}) "
    "SET n.retired = true, n.retired_on = $date, n.run = $run",
)
RETIRE_RATING = cypher(
    "sync.retire.rating",
    "UNWIND $rows AS row MATCH (n:Rating {key: row.key}) "
    "SET n.retired = true, n.retired_on = $date, n.run = $run",
)

# --- structural relations (mirror a column of their source node) -------------------------------
DROP_PART_OF = cypher(
    "sync.drop.part_of",
    "UNWIND $rows AS row MATCH (:Unit {code: row.key})-[r:PART_OF]->() DELETE r",
)
LINK_PART_OF = cypher(
    "sync.link.part_of",
    """
UNWIND $rows AS row
MATCH (a:Unit {code: row.key})
MATCH (b:Unit {code: row.to})
CREATE (a)-[r:PART_OF]->(b)
SET r.run = $run, r.src_table = $table, r.src_row = row.row, r.vf = $ordinal, r.vt = $open
""",
)
DROP_ORG_LINKS = cypher(
    "sync.drop.org_links",
    """
UNWIND $rows AS row
MATCH (:Organisation {code: row.key})-[r]->()
WHERE type(r) IN ['SITS_AT', 'AFFILIATED_UNDER', 'BUILT_IN']
DELETE r
""",
)
LINK_SITS_AT = cypher(
    "sync.link.sits_at",
    """
UNWIND $rows AS row
MATCH (a:Organisation {code: row.key})
MATCH (b:Unit {code: row.to})
CREATE (a)-[r:SITS_AT]->(b)
SET r.run = $run, r.src_table = $table, r.src_row = row.row, r.vf = $ordinal, r.vt = $open
""",
)
LINK_AFFILIATED = cypher(
    "sync.link.affiliated_under",
    """
UNWIND $rows AS row
MATCH (a:Organisation {code: row.key})
MATCH (b:Organisation {code: row.to})
CREATE (a)-[r:AFFILIATED_UNDER]->(b)
SET r.run = $run, r.src_table = $table, r.src_row = row.row, r.vf = $ordinal, r.vt = $open
""",
)
LINK_BUILT_IN_UNIT = cypher(
    "sync.link.built_in_unit",
    """
UNWIND $rows AS row
MATCH (a:Organisation {code: row.key})
MATCH (b:Unit {code: row.to})
CREATE (a)-[r:BUILT_IN]->(b)
SET r.run = $run, r.src_table = $table, r.src_row = row.row, r.vf = $ordinal, r.vt = $open
""",
)
LINK_BUILT_IN_ORG = cypher(
    "sync.link.built_in_org",
    """
UNWIND $rows AS row
MATCH (a:Organisation {code: row.key})
MATCH (b:Organisation {code: row.to})
CREATE (a)-[r:BUILT_IN]->(b)
SET r.run = $run, r.src_table = $table, r.src_row = row.row, r.vf = $ordinal, r.vt = $open
""",
)
DROP_PERSON_LINKS = cypher(
    "sync.drop.person_links",
    """
UNWIND $rows AS row
MATCH (:Person {code: row.key})-[r]->()
WHERE type(r) IN ['LIVES_IN', 'MEMBER_OF']
DELETE r
""",
)
LINK_LIVES_IN = cypher(
    "sync.link.lives_in",
    """
UNWIND $rows AS row
MATCH (a:Person {code: row.key})
MATCH (b:Unit {code: row.to})
CREATE (a)-[r:LIVES_IN]->(b)
SET r.run = $run, r.src_table = $table, r.src_row = row.row, r.vf = $ordinal, r.vt = $open
""",
)
LINK_MEMBER_OF = cypher(
    "sync.link.member_of",
    """
UNWIND $rows AS row
MATCH (a:Person {code: row.key})
MATCH (b:Organisation {code: row.to})
CREATE (a)-[r:MEMBER_OF]->(b)
SET r.run = $run, r.src_table = $table, r.src_row = row.row, r.vf = $ordinal, r.vt = $open
""",
)
DROP_RATED = cypher(
    "sync.drop.rated",
    "UNWIND $rows AS row MATCH ()-[r:RATED]->(:Rating {key: row.key}) DELETE r",
)
LINK_RATED = cypher(
    "sync.link.rated",
    """
UNWIND $rows AS row
MATCH (a:Organisation {code: row.to})
MATCH (b:Rating {key: row.key})
CREATE (a)-[r:RATED]->(b)
SET r.run = $run, r.src_table = $table, r.src_row = row.row, r.vf = $ordinal, r.vt = $open
""",
)

# --- keyed relations (one registry row each) ------------------------------------------------------
CREATE_SERVES_AS = cypher(
    "sync.create.serves_as",
    """
UNWIND $rows AS row
MATCH (a:Person {code: row.src})
MATCH (b:Organisation {code: row.dst})
CREATE (a)-[r:SERVES_AS]->(b)
SET r += row.props, r.run = $run, r.src_table = $table, r.retired = false, r.vf = $ordinal, r.vt = $open
""",
)
CREATE_CROSS = cypher(
    "sync.create.cross_appointed_to",
    """
UNWIND $rows AS row
MATCH (a:Person {code: row.src})
MATCH (b:Organisation {code: row.dst})
CREATE (a)-[r:CROSS_APPOINTED_TO]->(b)
SET r += row.props, r.run = $run, r.src_table = $table, r.retired = false, r.vf = $ordinal, r.vt = $open
""",
)
CREATE_SUPERVISES_OO = cypher(
    "sync.create.supervises_org_org",
    """
UNWIND $rows AS row
MATCH (a:Organisation {code: row.src})
MATCH (b:Organisation {code: row.dst})
CREATE (a)-[r:SUPERVISES]->(b)
SET r += row.props, r.run = $run, r.src_table = $table, r.retired = false, r.vf = $ordinal, r.vt = $open
""",
)
CREATE_SUPERVISES_OU = cypher(
    "sync.create.supervises_org_unit",
    """
UNWIND $rows AS row
MATCH (a:Organisation {code: row.src})
MATCH (b:Unit {code: row.dst})
CREATE (a)-[r:SUPERVISES]->(b)
SET r += row.props, r.run = $run, r.src_table = $table, r.retired = false, r.vf = $ordinal, r.vt = $open
""",
)
CREATE_SUPERVISES_PO = cypher(
    "sync.create.supervises_person_org",
    """
UNWIND $rows AS row
MATCH (a:Person {code: row.src})
MATCH (b:Organisation {code: row.dst})
CREATE (a)-[r:SUPERVISES]->(b)
SET r += row.props, r.run = $run, r.src_table = $table, r.retired = false, r.vf = $ordinal, r.vt = $open
""",
)
CREATE_SUPERVISES_PU = cypher(
    "sync.create.supervises_person_unit",
    """
UNWIND $rows AS row
MATCH (a:Person {code: row.src})
MATCH (b:Unit {code: row.dst})
CREATE (a)-[r:SUPERVISES]->(b)
SET r += row.props, r.run = $run, r.src_table = $table, r.retired = false, r.vf = $ordinal, r.vt = $open
""",
)
CREATE_MANAGES = cypher(
    "sync.create.manages",
    """
UNWIND $rows AS row
MATCH (a:Organisation {code: row.src})
MATCH (b:Unit {code: row.dst})
CREATE (a)-[r:MANAGES]->(b)
SET r += row.props, r.run = $run, r.src_table = $table, r.retired = false, r.vf = $ordinal, r.vt = $open
""",
)
CREATE_VISITED = cypher(
    "sync.create.visited",
    """
UNWIND $rows AS row
MATCH (a:Person {code: row.src})
MATCH (b:Organisation {code: row.dst})
CREATE (a)-[r:VISITED]->(b)
SET r += row.props, r.run = $run, r.src_table = $table, r.retired = false, r.vf = $ordinal, r.vt = $open
""",
)

# Deleting (before re-creating a changed row) and retiring keyed relations: matched from
# the source node by code (indexed), then by the relation's key.
DROP_SERVES_AS = cypher(
    "sync.drop.serves_as",
    "UNWIND $rows AS row MATCH (:Person {code: row.src})-[r:SERVES_AS {key: row.key}]->() "
    "DELETE r",
)
DROP_CROSS = cypher(
    "sync.drop.cross_appointed_to",
    "UNWIND $rows AS row "
    "MATCH (:Person {code: row.src})-[r:CROSS_APPOINTED_TO {key: row.key}]->() DELETE r",
)
DROP_SUPERVISES_O = cypher(
    "sync.drop.supervises_from_org",
    "UNWIND $rows AS row "
    "MATCH (:Organisation {code: row.src})-[r:SUPERVISES {key: row.key}]->() DELETE r",
)
DROP_SUPERVISES_P = cypher(
    "sync.drop.supervises_from_person",
    "UNWIND $rows AS row MATCH (:Person {code: row.src})-[r:SUPERVISES {key: row.key}]->() "
    "DELETE r",
)
DROP_MANAGES = cypher(
    "sync.drop.manages",
    "UNWIND $rows AS row MATCH (:Organisation {code: row.src})-[r:MANAGES {key: row.key}]->() "
    "DELETE r",
)
DROP_VISITED = cypher(
    "sync.drop.visited",
    "UNWIND $rows AS row MATCH (:Person {code: row.src})-[r:VISITED {key: row.key}]->() "
    "DELETE r",
)

_END = (
    "SET r.retired = true, r.retired_on = $date, r.run = $run, "
    "r.end = CASE WHEN r.end IS NULL OR r.end > $date THEN $date ELSE r.end END"
)
RETIRE_SERVES_AS = cypher(
    "sync.retire.serves_as",
    "UNWIND $rows AS row MATCH (:Person {code: row.src})-[r:SERVES_AS {key: row.key}]->() "
    + _END,
)
RETIRE_CROSS = cypher(
    "sync.retire.cross_appointed_to",
    "UNWIND $rows AS row "
    "MATCH (:Person {code: row.src})-[r:CROSS_APPOINTED_TO {key: row.key}]->() " + _END,
)
RETIRE_SUPERVISES_O = cypher(
    "sync.retire.supervises_from_org",
    "UNWIND $rows AS row "
    "MATCH (:Organisation {code: row.src})-[r:SUPERVISES {key: row.key}]->() " + _END,
)
RETIRE_SUPERVISES_P = cypher(
    "sync.retire.supervises_from_person",
    "UNWIND $rows AS row MATCH (:Person {code: row.src})-[r:SUPERVISES {key: row.key}]->() "
    + _END,
)
RETIRE_MANAGES = cypher(
    "sync.retire.manages",
    "UNWIND $rows AS row "
    "MATCH (:Organisation {code: row.src})-[r:MANAGES {key: row.key}]->() " + _END,
)
RETIRE_VISITED = cypher(
    "sync.retire.visited",
    "UNWIND $rows AS row MATCH (:Person {code: row.src})-[r:VISITED {key: row.key}]->() "
    "SET r.retired = true, r.retired_on = $date, r.run = $run",
)

# --- the run itself ----------------------------------------------------------------------------
CREATE_SYNC_RUN = cypher(
    "sync.create.sync_run", "CREATE (n:SyncRun) SET n += $props RETURN n.id AS id"
)
