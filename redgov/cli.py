"""The ``redgov`` command line.

Commands are thin: each parses its options, opens the store and hands over to the
package that does the work.  ``--store`` is accepted by every command that touches the
graph (else ``$REDGOV_STORE``, else the embedded engine).  Exit status: 0 success,
1 the work was refused (a rejected sync, a refused query), 2 usage errors.  Every run
speaks Chinese unless its command line says ``--lang en`` (or ``$REDGOV_LANG=en``): help,
placeholders and click's own errors included (redgov/present/cli.py).
"""

from __future__ import annotations

import sys

import click

from .commands import register
from .present.cli import RedgovGroup, group_lang_option, version_option

__all__ = ["main"]


@click.group(cls=RedgovGroup, context_settings={"help_option_names": ["-h", "--help"]})
@version_option
@group_lang_option
def main() -> None:
    """redgov — the party-building-led property governance graph (党建引领“红色物业”)."""


# Commands are added when first needed (RedgovGroup): `redgov status` imports only its own.
main.registrar = register


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
