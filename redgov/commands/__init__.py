"""CLI commands, one module per concern; ``register`` adds them all to the group."""

from __future__ import annotations

import importlib

import click

# Each module defines a click command or group named like the module's COMMANDS list.
_MODULES = ("core", "sync", "review", "demo", "audit", "changes", "dashboard", "user",
            "access_log", "pull", "evaluate", "targets")


def register(group: click.Group) -> None:
    for name in _MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{name}":
                continue  # that command is not built yet
            raise
        for command in module.COMMANDS:
            group.add_command(command)
