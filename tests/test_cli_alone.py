"""``redgov status`` loads only its own command module (issue 18: status on a province store
in well under a second, most of which was importing every other command's module), while
help, a mistyped command and the tests' walks still see every command.

The runs are fresh interpreters (the loading under test happens once per process); none
touches a graph: ``--help`` and usage errors come first.
"""

from __future__ import annotations

import json
import subprocess
import sys

from redgov.cli import main
from redgov.commands import ALONE
from redgov.present.cli import command_word

_PROBE = """
import json, sys
from redgov.cli import main
try:
    main(sys.argv[1:], prog_name="redgov")
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.startswith("redgov.commands."))))
"""


def _loaded(*args: str) -> tuple[list[str], str]:
    done = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True,
                          text=True, timeout=120, check=False)
    last = done.stdout.strip().splitlines()[-1]
    return json.loads(last), done.stdout + done.stderr


def test_status_loads_only_its_module() -> None:
    loaded, out = _loaded("status", "--help")
    assert loaded == ["redgov.commands.common", "redgov.commands.core"], loaded
    assert "用法：" in out and "显示数据库" in out, out  # its help is still Chinese


def test_help_and_a_mistyped_command_see_every_command() -> None:
    loaded, out = _loaded("--help")
    assert "redgov.commands.sync" in loaded and "sync" in out, (loaded, out)
    loaded, out = _loaded("stauts")
    assert "redgov.commands.sync" in loaded and "'status'" in out, (loaded, out)


def test_the_commands_that_load_alone_are_their_modules() -> None:
    """ALONE names a command and the module defining it; a rename fails here."""
    from importlib import import_module

    for name, module in ALONE.items():
        names = [c.name for c in import_module(f"redgov.commands.{module}").COMMANDS]
        assert name in names, (name, module, names)
    assert set(ALONE) <= set(main.commands), sorted(main.commands)


def test_command_word() -> None:
    assert command_word(["status"]) == "status"
    assert command_word(["--lang=en", "stop"]) == "stop"
    assert command_word(["--lang", "en", "--help"]) is None
    assert command_word([]) is None
