"""CLI commands, one module per concern; ``register`` adds them all to the group."""

from __future__ import annotations

import importlib

import click

# Each module defines a click command or group named like the module's COMMANDS list.
_MODULES = ("core", "sync", "review", "demo", "audit", "changes", "dashboard", "user",
            "access_log", "pull", "evaluate", "targets", "warm")


#: Commands a run may load alone (command → its module): ``redgov status`` on a large
#: store must answer in well under a second, and importing every command module (the
#: loaders, the catalog, the report, the dashboard's helpers) costs more than its read.
#: Any other run, ``--help`` included, loads every module.
ALONE = {"status": "core", "cypher": "core", "stop": "core"}


def register(group: click.Group, command: str | None = None) -> bool:
    """Add the commands to ``group``: only ``command``'s module when it is one of
    :data:`ALONE`, else every module.  Returns whether every module was added."""
    if command in ALONE:
        _add(group, ALONE[command])
        return False
    for name in _MODULES:
        _add(group, name)
    return True


def _add(group: click.Group, name: str) -> None:
    try:
        module = importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"{__name__}.{name}":
            return  # that command is not built yet
        raise
    for command in module.COMMANDS:
        group.add_command(command)
