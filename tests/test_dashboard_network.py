"""The pure pyvis network builder: colours, edge styles, gaps, folding, offline HTML."""

from __future__ import annotations

import re

from redgov.dashboard.contrast import DARK_TEXT, LIGHT_TEXT, MIN_RATIO, contrast, text_on
from redgov.dashboard.network import (
    CANVAS_BACKGROUND,
    EDGE_STYLE,
    GAP_COLOR,
    KIND_COLOR,
    OTHER_KIND_COLOR,
    STANDING_COLOR,
    UNIT_COLOR,
    GovernanceRows,
    build_network,
)
from redgov.dashboard.orgnet import FOLD, MAX_ROWS, ROW_PX, SCREEN_PX, OrgRows, build_org_network
from redgov.graph.vocabulary import REL


def _rows() -> GovernanceRows:
    """Compound X1: branch B1 (secretary P1, who also chairs OC1), company CO1 (P3, who
    is a concurrent member of B1), community committee MP1 above B1 and supervising OC1."""
    post = {"role": None, "title": ""}
    return GovernanceRows(
        orgs=[{"code": "B1", "name": "支部", "kind": "party_branch"},
              {"code": "OC1", "name": "业委会", "kind": "owners_committee"},
              {"code": "CO1", "name": "物业", "kind": "property_company"}],
        posts=[
            {**post, "person_code": "P1", "person_name": "张三", "standing": "full_member",
             "org_code": "B1", "rel": REL.SERVES_AS},
            {**post, "person_code": "P1", "person_name": "张三", "standing": "full_member",
             "org_code": "OC1", "rel": REL.CROSS_APPOINTED_TO},
            {**post, "person_code": "P2", "person_name": "李四", "standing": "non_member",
             "org_code": "OC1", "rel": REL.SERVES_AS},
            {**post, "person_code": "P3", "person_name": "王五", "standing": "full_member",
             "org_code": "CO1", "rel": REL.SERVES_AS},
            {**post, "person_code": "P3", "person_name": "王五", "standing": "full_member",
             "org_code": "B1", "rel": REL.CROSS_APPOINTED_TO},
        ],
        supervisions=[{"source": "MP1", "source_name": "社区党委", "source_kind": "party_committee",
                       "source_person": False, "target": "OC1", "target_name": "业委会",
                       "target_kind": "owners_committee", "kind": "party_leadership"},
                      {"source": "P6", "source_name": "孙八", "source_person": True,
                       "source_standing": "full_member", "target": "X1", "target_name": "阳光",
                       "target_kind": None, "kind": "party_building_guidance"}],
        affiliations=[{"org_code": "B1", "parent_code": "MP1", "parent_name": "社区党委",
                       "parent_kind": "party_committee"}],
        structure=[{"org_code": "B1", "rel": "SITS_AT"}, {"org_code": "OC1", "rel": "SITS_AT"}],
        unit={"code": "X1", "name": "阳光小区", "level": "compound"},
        gaps={"OC1"},
    )


def test_nodes_coloured_by_kind_and_standing() -> None:
    view = build_network(_rows())
    nodes = {n["id"]: n for n in view.nodes}
    assert sorted(nodes) == ["B1", "CO1", "MP1", "OC1", "P1", "P2", "P3", "P6", "X1"], sorted(nodes)
    assert nodes["B1"]["color"]["background"] == KIND_COLOR["party_branch"]
    assert nodes["CO1"]["color"]["background"] == KIND_COLOR["property_company"]
    assert nodes["MP1"]["color"]["background"] == KIND_COLOR["party_committee"]
    assert nodes["P1"]["color"]["background"] == STANDING_COLOR["full_member"]
    assert nodes["P2"]["color"]["background"] == STANDING_COLOR["non_member"]
    assert view.collapsed is False and view.people == 4


def test_edges_styled_by_relation() -> None:
    view = build_network(_rows())
    got = sorted((e["from"], e["to"], e["rel"]) for e in view.edges)
    want = sorted([
        ("P1", "B1", REL.SERVES_AS), ("P1", "OC1", REL.CROSS_APPOINTED_TO),
        ("P2", "OC1", REL.SERVES_AS), ("P3", "CO1", REL.SERVES_AS),
        ("P3", "B1", REL.CROSS_APPOINTED_TO), ("B1", "MP1", REL.AFFILIATED_UNDER),
        ("MP1", "OC1", REL.SUPERVISES), ("P6", "X1", REL.SUPERVISES),
        ("B1", "X1", "STRUCTURE"), ("OC1", "X1", "STRUCTURE"),
    ])
    assert got == want, got
    for e in view.edges:
        assert e["color"] == EDGE_STYLE[e["rel"]]["color"]
        assert e["dashes"] == EDGE_STYLE[e["rel"]]["dashes"]
    styles = {r: (EDGE_STYLE[r]["color"], str(EDGE_STYLE[r]["dashes"])) for r in REL.GOVERNANCE}
    assert len(set(styles.values())) == 4, styles  # four relations, four looks


def test_gap_codes_get_a_red_border() -> None:
    nodes = {n["id"]: n for n in build_network(_rows()).nodes}
    assert nodes["OC1"]["color"]["border"] == GAP_COLOR and nodes["OC1"]["borderWidth"] == 4
    assert nodes["B1"]["color"]["border"] != GAP_COLOR


def test_past_the_limit_people_fold_into_their_organisations() -> None:
    view = build_network(_rows(), node_limit=6)
    ids = sorted(n["id"] for n in view.nodes)
    assert ids == ["B1", "CO1", "MP1", "OC1", "X1"], ids  # P6 (an instructor) folds too
    assert view.collapsed is True and view.people == 4
    labels = {n["id"]: n["label"] for n in view.nodes}
    assert labels["B1"].endswith("（含 2 人）"), labels  # P1 and P3
    assert labels["OC1"].endswith("（含 2 人）"), labels  # P1 and P2
    shared = sorted((e["from"], e["to"], e["title"]) for e in view.edges
                    if e["rel"] == REL.CROSS_APPOINTED_TO)
    # P1 links B1–OC1, P3 links B1–CO1: one edge per pair, titled by the people shared.
    assert shared == [("B1", "CO1", "1"), ("B1", "OC1", "1")], shared
    assert "人员已并入其所在组织" in view.html


def test_html_is_offline_and_has_a_legend() -> None:
    page = build_network(_rows()).html
    external = re.findall(r"(?:src|href)=\"(https?://[^\"]+)\"", page)
    assert external == [], external
    assert "vis-network" in page and "new vis.Network" in page
    assert 'id="legend"' in page
    for text in ("党支部", "物业服务企业", "中共党员", "群众", "本职", "兼任", "监管", "隶属"):
        assert text in page, text
    english = build_network(_rows(), lang="en").html
    assert "cross-appointment" in english and "party branch" in english


def test_dashboard_doctests() -> None:
    """The small examples in the dashboard's docstrings (badges, findings, figures …)."""
    import doctest
    import importlib

    for name in ("i18n", "network", "orgnet", "figures", "graph_view", "ui", "pages.hierarchy",
                 "pages.overview", "pages.people", "pages.sync"):
        module = importlib.import_module(f"redgov.dashboard.{name}")
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, (name, result)


def test_dashboard_command_line() -> None:
    from click.testing import CliRunner

    from redgov.cli import main
    from redgov.commands.dashboard import app_path, streamlit_command

    help_text = CliRunner().invoke(main, ["dashboard", "--help"]).output
    for option in ("--port", "--store", "--no-browser"):
        assert option in help_text, help_text
    cmd = streamlit_command(8765)
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[4] == str(app_path())
    assert app_path().is_file() and app_path().parent.name == "pages"
    flags = dict(zip(cmd[5::2], cmd[6::2], strict=False))
    assert flags["--server.port"] == "8765"
    assert flags["--server.headless"] == "true"
    assert flags["--server.address"] == "127.0.0.1"
    assert flags["--browser.gatherUsageStats"] == "false"


def _street() -> OrgRows:
    """Street S: working committee W over community committees C1, C2; C1's company branch
    B under C1; the street office O supervising company K (in C1); volunteer team V with
    no relation; an instructor supervising K (folded into K's title)."""
    return OrgRows(
        orgs=[{"code": "W", "name": "中共东区东风街道工作委员会", "kind": "party_working_committee",
               "tier": 0},
              {"code": "O", "name": "东风街道办事处", "kind": "street_office", "tier": 0},
              {"code": "C1", "name": "中共东区东风街道和平社区委员会", "kind": "party_committee",
               "tier": 1},
              {"code": "C2", "name": "中共东区东风街道幸福社区委员会", "kind": "party_committee",
               "tier": 1},
              {"code": "B", "name": "中共示范物业公司支部委员会", "kind": "party_branch",
               "tier": 1},
              {"code": "K", "name": "示范物业公司", "kind": "property_company", "tier": 1},
              {"code": "V", "name": "和平社区志愿队", "kind": "volunteer_team", "tier": 1}],
        affiliations=[{"org_code": "C1", "parent_code": "W"},
                      {"org_code": "C2", "parent_code": "W"},
                      {"org_code": "B", "parent_code": "C1"},
                      {"org_code": "W", "parent_code": "OD", "parent_name": "中共东区委员会组织部",
                       "parent_kind": "organisation_department"}],
        supervisions=[{"source": "O", "target": "K", "kind": "territorial_management",
                       "source_person": False, "source_kind": "street_office"},
                      {"source": "P9", "target": "K", "kind": "party_building_guidance",
                       "source_person": True, "source_name": "孙八"},
                      {"source": "SC", "target": "K", "kind": "owner_oversight",
                       "source_person": False, "source_kind": "supervisory_committee"}],
        people={"W": 9, "C1": 5, "B": 3, "K": 12}, cover={"W": 20, "C1": 12, "C2": 8, "K": 3},
        gaps={"C2"}, strip=("东区",), page_name="东风街道",
    )


def test_street_network_draws_bodies_and_their_relations_only() -> None:
    view = build_org_network(_street())
    nodes = {n["id"]: n for n in view.nodes}
    # No person is a node; the volunteer team (no relation) is counted, not drawn; a
    # compound's supervisory committee is not pulled in above compound level.
    assert sorted(nodes) == ["B", "C1", "C2", "K", "O", "OD", "W"], sorted(nodes)
    assert view.left_out == {"volunteer_team": 1}
    assert {e["rel"] for e in view.edges} == {REL.AFFILIATED_UNDER, REL.SUPERVISES}
    assert {(e["from"], e["to"]) for e in view.edges if e["rel"] == REL.SUPERVISES} == {("O", "K")}
    # People folded into counts, size by compounds covered, names without what the page says.
    assert nodes["C1"]["label"] == "和平社区委员会\n12个小区 · 5人", nodes["C1"]["label"]
    assert nodes["W"]["label"] == "东风街道工作委员会\n20个小区 · 9人", nodes["W"]["label"]
    assert nodes["OD"]["label"] == "东区委员会组织部"  # a body above keeps its place name
    assert nodes["W"]["font"]["size"] > nodes["C2"]["font"]["size"] >= 14
    assert "党建指导员 1 名" in nodes["K"]["title"]
    assert nodes["C2"]["color"]["border"] == GAP_COLOR
    # Columns left to right: above, the street, the communities, what hangs below them.
    assert (nodes["OD"]["column"], nodes["W"]["column"], nodes["C1"]["column"],
            nodes["B"]["column"]) == (0, 1, 2, 3)
    assert nodes["C1"]["y"] <= nodes["B"]["y"] < nodes["C2"]["y"]  # B beside its parent
    page = view.html
    assert "另有 1 个组织与图中组织无隶属、监管关系，未画出：志愿服务队 1。" in page
    # The legend is a column beside the canvas, not laid over it.
    legend = re.search(r'<div id="legend" style="([^"]*)"', page)
    assert legend and legend.group(1).startswith("flex:0 0") and "absolute" not in legend.group(1)
    assert 'display: flex; flex-direction: row">' + legend.group(0) in page
    assert "window.readable = " in page  # the opening zoom keeps labels legible


def test_community_network_draws_compounds_with_their_bodies() -> None:
    rows = OrgRows(
        orgs=[{"code": "C1", "name": "和平社区党委", "kind": "party_committee", "tier": 0},
              {"code": "B1", "name": "阳光小区党支部", "kind": "party_branch", "tier": 1},
              {"code": "OC1", "name": "阳光小区业委会", "kind": "owners_committee", "tier": 1},
              {"code": "K", "name": "示范物业", "kind": "property_company", "tier": 0}],
        affiliations=[{"org_code": "B1", "parent_code": "C1"}],
        compounds=[{"code": "X1", "name": "阳光小区"}, {"code": "X2", "name": "老街小区"}],
        links=[{"org_code": "B1", "compound_code": "X1", "rel": "SITS_AT"},
               {"org_code": "OC1", "compound_code": "X1", "rel": "SITS_AT"},
               {"org_code": "K", "compound_code": "X1", "rel": "MANAGES"}],
    )
    view = build_org_network(rows)
    nodes = {n["id"]: n for n in view.nodes}
    assert nodes["X1"]["group"] == "unit" and nodes["X2"]["group"] == "unit"
    cols = {c: nodes[c]["column"] for c in ("C1", "B1", "X1", "OC1", "K")}
    assert cols == {"C1": 0, "B1": 1, "X1": 2, "OC1": 3, "K": 4}, cols
    assert nodes["B1"]["y"] == nodes["X1"]["y"] == nodes["OC1"]["y"]  # one row per compound
    assert {(e["from"], e["to"]) for e in view.edges if e["rel"] == "STRUCTURE"} == \
        {("X1", "B1"), ("X1", "OC1"), ("X1", "K")}
    english = build_org_network(rows, lang="en").html
    assert "owners committee" in english and "party branch" in english


# --- readable: contrast, folding (issue 19 §6) ----------------------------------------

def test_text_reads_on_every_box_colour() -> None:
    """Every fill the views use gets a text colour at WCAG AA (4.5:1) or better, and the
    nodes drawn carry it: on its box for a box or an ellipse, on the canvas beside a dot."""
    fills = {**KIND_COLOR, "other": OTHER_KIND_COLOR, "unit": UNIT_COLOR}
    ratios = {k: round(contrast(text_on(c), c), 2) for k, c in fills.items()}
    assert min(ratios.values()) >= MIN_RATIO, ratios
    assert contrast(DARK_TEXT, CANVAS_BACKGROUND) >= MIN_RATIO
    views = [build_network(_rows()), build_org_network(_street()),
             build_network(_rows(), node_limit=3)]  # folded people: counted labels
    seen = []
    for view in views:
        for n in view.nodes:
            on = CANVAS_BACKGROUND if n.get("shape") == "dot" else n["color"]["background"]
            text = n["font"]["color"]
            seen.append((n["id"], text, on, round(contrast(text, on), 2)))
    assert all(r >= MIN_RATIO for *_, r in seen), [s for s in seen if s[3] < MIN_RATIO]
    assert {n["font"]["color"] for n in views[1].nodes if n["kind"] == "party_committee"} \
        == {LIGHT_TEXT}, "white on the dark party red"


def _many(n: int) -> OrgRows:
    """A street whose working committee W has ``n`` community committees under it (the
    fan-in the demo's streets have at province scale); C07 has an audit finding."""
    return OrgRows(
        orgs=[{"code": "W", "name": "街道工作委员会", "kind": "party_working_committee", "tier": 0},
              *({"code": f"C{i:02}", "name": f"第{i}社区委员会", "kind": "party_committee",
                 "tier": 1} for i in range(1, n + 1))],
        affiliations=[{"org_code": f"C{i:02}", "parent_code": "W"} for i in range(1, n + 1)],
        cover={f"C{i:02}": i for i in range(1, n + 1)}, gaps={"C07"},
    )


def test_a_street_with_sixty_bodies_under_one_folds_to_fit_a_screen() -> None:
    view = build_org_network(_many(60))
    nodes = {n["id"]: n for n in view.nodes}
    fold = nodes[f"{FOLD}W"]
    kept = sorted(c for c in nodes if c.startswith("C"))
    folded = int(re.search(r"另有 (\d+) 个组织", fold["label"]).group(1))
    assert len(kept) + folded == 60, (kept, fold["label"])  # nothing lost, nothing twice
    assert "C07" in kept, kept  # a finding is never folded away
    assert "C60" in kept and "C01" not in kept, kept  # then the largest (by compounds)
    assert view.height_px <= SCREEN_PX and max(n["y"] for n in view.nodes) \
        <= (MAX_ROWS - 1) * ROW_PX, view.height_px
    assert fold["color"]["border"] != GAP_COLOR and "第49社区委员会" in fold["title"]
    assert ("W", f"{FOLD}W") in {(e["from"], e["to"]) for e in view.edges}
    small = build_org_network(_many(5))  # fits as it is: nothing folded
    assert not any(n["id"].startswith(FOLD) for n in small.nodes)


def test_a_community_with_many_compounds_folds_them() -> None:
    n = 30
    rows = OrgRows(
        orgs=[{"code": "C1", "name": "社区党委", "kind": "party_committee", "tier": 0},
              *({"code": f"B{i:02}", "name": f"第{i}支部", "kind": "party_branch", "tier": 1}
                for i in range(n))],
        affiliations=[{"org_code": f"B{i:02}", "parent_code": "C1"} for i in range(n)],
        compounds=[{"code": f"X{i:02}", "name": f"第{i}小区"} for i in range(n)],
        links=[{"org_code": f"B{i:02}", "compound_code": f"X{i:02}", "rel": "SITS_AT"}
               for i in range(n)],
        gaps={"X29"},
    )
    view = build_org_network(rows)
    nodes = {n["id"]: n for n in view.nodes}
    kept = [c for c in nodes if c.startswith("X")]
    folded = int(re.search(r"另有 (\d+) 个小区", nodes[f"{FOLD}compounds"]["label"]).group(1))
    assert len(kept) + folded == n and "X29" in kept, (kept, folded)
    assert {c[1:] for c in nodes if c.startswith("B")} == {c[1:] for c in kept}  # bodies follow
    assert view.height_px <= SCREEN_PX
