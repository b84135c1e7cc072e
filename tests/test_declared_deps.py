"""Every module the tests import is declared, so the README's test command works on a bare
machine: nothing installed by hand can hide a missing ``[test]`` entry (issue 17 §1).

The imports are read with :mod:`ast` (no test module is imported), each top-level module is
mapped to the distribution that provides it (``importlib.metadata.packages_distributions``),
and that distribution must be named in ``[project].dependencies`` or in the ``test`` extra.
The standard library, the tests' own helper modules and redgov itself are exempt.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
OWN = {"redgov", "tests"}


def _normal(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    return {_normal(re.split(r"[\s<>=!~;\[(]", req, maxsplit=1)[0]) for req in requirements}


def _test_files() -> list[Path]:
    return [p for p in TESTS.rglob("*.py") if "node_modules" not in p.parts]


def _local_modules() -> set[str]:
    """The tests' own modules (``corpus``, ``cypher_lint``, ``test_x`` …), importable from
    tests/ because pytest puts it on the path."""
    return {p.stem for p in TESTS.glob("*.py")} | {p.name for p in TESTS.iterdir() if p.is_dir()}


def imported_modules(files: list[Path]) -> dict[str, list[str]]:
    """Top-level module → the test files that import it (absolute imports only)."""
    found: dict[str, list[str]] = {}
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                found.setdefault(name.split(".")[0], []).append(str(shown))
    return found


def undeclared(imports: dict[str, list[str]], declared: set[str]) -> list[str]:
    """One line per imported third-party module whose distribution is not declared."""
    providers = packages_distributions()
    skip = set(sys.stdlib_module_names) | OWN | _local_modules() | {"__future__"}
    problems = []
    for module, where in sorted(imports.items()):
        if module in skip:
            continue
        dists = {_normal(d) for d in providers.get(module, [])}
        if not dists:
            problems.append(f"{module} (imported by {where[0]}) is provided by no installed "
                            "distribution; install and declare it")
        elif not dists & declared:
            problems.append(f"{module} (imported by {where[0]}) comes from "
                            f"{', '.join(sorted(dists))}, declared nowhere in pyproject.toml")
    return problems


def test_every_test_import_is_declared() -> None:
    problems = undeclared(imported_modules(_test_files()), _declared())
    assert problems == [], problems


def test_the_check_sees_an_undeclared_import(tmp_path: Path) -> None:
    """The check itself can fail: hypothesis, imported but taken out of the declared set
    (as it was when it was missing from ``[test]``), is reported by name."""
    probe = tmp_path / "probe.py"
    probe.write_text("import hypothesis.strategies as st\nimport json\nfrom redgov import cli\n")
    imports = imported_modules([probe])
    problems = undeclared(imports, _declared() - {"hypothesis"})
    assert len(problems) == 1 and problems[0].startswith("hypothesis"), problems
