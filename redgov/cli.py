"""The ``redgov`` command line.

Commands are thin: each parses its options, opens the store and hands over to the
package that does the work.  ``--store`` is accepted by every command that touches the
graph (else ``$REDGOV_STORE``, else the embedded engine).  Exit status: 0 success,
1 the work was refused (a rejected sync, a refused query), 2 usage errors.
"""

from __future__ import annotations

import sys

import click

from .commands import register

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="redgov")
def main() -> None:
    """redgov — the party-building-led property governance graph (党建引领“红色物业”)."""


register(main)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
