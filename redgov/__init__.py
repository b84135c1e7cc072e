"""redgov: a graph model of party-building-led property governance (党建引领“红色物业”).

The subpackages live at the top of the repository (graph/, loaders/, queries/,
dashboard/) and are installed as `redgov.graph`, `redgov.loaders`, … by pyproject.toml.
"""

__version__ = "0.1.0"
