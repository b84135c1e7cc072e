"""What ``redgov dashboard`` serves: the app (``app.py``) plus redgov's HTTP routes.

``streamlit run serve.py`` finds the ``st.App`` below and serves it (Streamlit's ASGI mode,
the documented way to add routes and middleware: see ``dashboard/web.py`` for why the
session cookie needs them).  Streamlit imports this file as a top-level module named
``serve``; imported as part of the package (tests, linters) it builds nothing.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

if not __package__:  # run by Streamlit, not imported from the package
    from redgov.dashboard.web import middleware, routes

    app = st.App(str(Path(__file__).with_name("app.py")), routes=routes(),
                 middleware=middleware())
