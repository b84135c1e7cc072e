"""The dashboard's pages, one module each, plus the entry script ``app.py``.

Each page module exposes ``render()``, registered with ``st.navigation`` in ``app.py``.
"""
