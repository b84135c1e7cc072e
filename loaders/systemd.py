"""The systemd units that run ``redgov pull`` unattended on a Debian host.

``redgov service install --dir /etc/systemd/system`` writes a oneshot service (one pass of
``redgov pull``: the sources that are due) and a timer that starts it every few minutes;
each source keeps its own schedule, the timer only wakes redgov up.  The service runs as
an ordinary account under a 0077 umask (everything it writes in the data directory is
private), with the file system read-only but for the data directory.

>>> files = unit_files(program="/opt/redgov/bin/redgov", home=Path("/var/lib/redgov"),
...                    user="redgov", every_s=900)
>>> sorted(files), "OnUnitInactiveSec=15min" in files["redgov-pull.timer"]
(['redgov-pull.service', 'redgov-pull.timer'], True)
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["SERVICE", "TIMER", "systemd_span", "unit_files"]

SERVICE = "redgov-pull.service"
TIMER = "redgov-pull.timer"


def systemd_span(seconds: int) -> str:
    """Seconds as a systemd time span (``15min``, ``1h``, ``1d``, ``45s``)."""
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def unit_files(*, program: str, home: Path, user: str, every_s: int,
               env_file: str = "/etc/redgov/pull.env") -> dict[str, str]:
    """The two unit files' text, by file name."""
    service = f"""[Unit]
Description=redgov: pull registry exports that are due (redgov pull)
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
User={user}
Environment=REDGOV_HOME={home}
EnvironmentFile=-{env_file}
ExecStart={program} pull
UMask=0077
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=strict
ProtectHome=read-only
ReadWritePaths={home}
TimeoutStartSec=6h
"""
    timer = f"""[Unit]
Description=redgov: wake redgov pull every {systemd_span(every_s)}

[Timer]
OnBootSec=2min
OnUnitInactiveSec={systemd_span(every_s)}
RandomizedDelaySec=30s
Unit={SERVICE}

[Install]
WantedBy=timers.target
"""
    return {SERVICE: service, TIMER: timer}
