"""Access control: dashboard accounts, login throttling and the access log.

Accounts and the throttling state live in the store's metadata space
(``Store.read_meta``/``write_meta``), so every dashboard host on the same store shares
them; the access log is an append-only JSON-lines file in the data directory.  Scope
(what part of the unit tree an account may see) is enforced where queries run:
``redgov.graph.scope``, the catalog runner and the dashboard's reads.
"""
