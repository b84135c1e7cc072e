"""The Streamlit dashboard (``redgov dashboard``): the governance graph for the department.

Layout: ``pages/app.py`` is the entry script (``st.navigation`` over page functions);
``pages/*`` are the thin pages; ``data`` holds the store and every cached read (catalog
answers through ``redgov.queries.run_question``, the dashboard's own Cypher in ``reads``);
``network`` builds the pyvis governance network from rows (pure, no Streamlit);
``figures`` turns catalog answers into headline figures; ``graph_view`` composes a unit's
gaps and network; ``i18n`` holds every label in Chinese and English; ``ui`` the session
state, the sidebar and moving between pages.  The dashboard only reads the graph.
"""
