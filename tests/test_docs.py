"""Documentation that must not drift: the README's commands, CI, the CLI reference."""

from __future__ import annotations

import re
from pathlib import Path

from redgov.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _bash_blocks(text: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    test_command = next(b for b in _bash_blocks(README) if "pytest" in b)
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_command in ci.splitlines(), test_command


def test_readme_first_command_installs_and_runs_the_demo() -> None:
    first = _bash_blocks(README)[0]
    assert first.startswith("pip install -e .") and "redgov demo" in first


def test_readme_says_how_to_make_a_venv_before_the_first_command() -> None:
    """Debian's Python refuses pip outside a venv: the first command starts from nothing."""
    before_first = README.split("```bash", 1)[0]
    assert "python3 -m venv .venv && . .venv/bin/activate" in before_first


def test_ci_runs_in_a_throwaway_venv_outside_the_checkout() -> None:
    """Nothing installed by hand on the CI machine may hide an undeclared dependency."""
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    venv = next(i for i, line in enumerate(ci) if "-m venv" in line)
    test = next(i for i, line in enumerate(ci) if "python -m pytest" in line)
    assert "mktemp -d" in ci[venv - 2] and "--system-site-packages" not in ci[venv], ci[venv]
    assert any("/bin/activate" in line for line in ci[venv:test]), ci[venv:test]


def test_every_cli_command_is_in_the_readme() -> None:
    missing = [name for name in main.commands if f"`redgov {name}" not in README]
    assert missing == [], missing


def test_every_documented_command_exists() -> None:
    documented = set(re.findall(r"^\| `redgov ([a-z-]+)", README, flags=re.M))
    assert documented <= set(main.commands), documented - set(main.commands)


def test_readme_says_why_not_py2neo() -> None:
    line = next(x for x in README.splitlines() if "py2neo" in x)
    assert "end-of-life" in line


def test_every_catalog_question_is_in_the_readme() -> None:
    from redgov.queries import catalog

    missing = [q.name for q in catalog() if f"| `{q.name}` |" not in README]
    assert missing == [], missing


def test_readme_screenshots_exist() -> None:
    for path in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README):
        assert (ROOT / path).is_file(), path



def test_security_doc_names_every_limit_and_both_languages() -> None:
    """docs/security.md (the threat model) names every limit's variable the code reads."""
    from redgov.graph.stores.timeouts import ENV as TIMEOUT_ENV
    from redgov.loaders.limits import ENV as LIMIT_ENV

    from redgov.access.log import _ENV as LOG_ENV

    doc = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    for heading in ("## 中文", "## English",
                    "### 读取的内存上限 / Read memory limits",
                    "### Read memory limits / 读取的内存上限",
                    "### 会话与登录 / Sessions and sign-in",
                    "### Sessions and sign-in / 会话与登录",
                    "### 不防御的情形", "### Not defended"):
        assert heading in doc, heading
    names = {*LIMIT_ENV.values(), *LOG_ENV.values(), TIMEOUT_ENV, "REDGOV_IDLE_MINUTES"}
    missing = sorted(n for n in names if f"`{n}`" not in doc)
    assert missing == [], missing
    assert "docs/security.md" in README
