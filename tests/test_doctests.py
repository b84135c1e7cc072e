"""Every docstring example in the package runs: a module with examples has them run.

``pytest --doctest-modules`` cannot import our modules by path (``graph/`` is installed as
``redgov.graph`` through pyproject's ``package-dir``), so the modules are walked by their
package names instead, starting from the packages pyproject declares: a new module is
covered without touching this file.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import tomllib
from pathlib import Path

import pytest

_PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def _modules() -> list[str]:
    packages = tomllib.loads(_PYPROJECT.read_text("utf-8"))["tool"]["setuptools"]["packages"]
    names: set[str] = set(packages)
    for package in packages:
        path = importlib.import_module(package).__path__
        names.update(m.name for m in pkgutil.iter_modules(path, package + "."))
    # ``redgov.__main__`` runs the CLI when imported.
    return sorted(n for n in names if not n.endswith("__main__"))


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(module, optionflags=flags, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
