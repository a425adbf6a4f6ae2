"""The environment a run ran in, asked of the live servers at its start (INFO server, SELECT VERSION()),
so that a results document written later from run files alone can say what was measured on."""
from __future__ import annotations

import os
import platform
import time

from lab import clients
from lab.protocol import Lab, nodes_of


def _server_version(lab: Lab, kind: str, password: str | None) -> str | None:
    for name in nodes_of(lab, kind):
        addr = lab.address(name)
        if not addr:
            continue
        client = clients.redis_at(*addr, timeout=1, password=password)
        try:
            return client.info("server").get("redis_version")
        except Exception:  # a node down at the start: ask the next one
            continue
        finally:
            client.close()
    return None


def _mysql_version(lab: Lab) -> str | None:
    for name in nodes_of(lab, "mysql"):
        try:
            conn = lab.mysql_connect(name, timeout_s=2, monitor=True)
        except Exception:  # no account or not reachable: the figure is absent
            continue
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT VERSION()")
                return str(cur.fetchone()[0])
        finally:
            conn.close()
    return None


def describe(lab: Lab) -> dict:
    """Versions of Redis, Sentinel, MySQL/MariaDB, Python and Locust; cores; backend; the date (UTC)."""
    import locust

    return {"redis": _server_version(lab, "redis", lab.secrets.redis),
            "sentinel": _server_version(lab, "sentinel", lab.secrets.sentinel),
            "mysql": _mysql_version(lab), "python": platform.python_version(), "locust": locust.__version__,
            "cores": os.cpu_count(), "machine": platform.machine(), "kernel": platform.release(),
            "backend": lab.backend, "date": time.strftime("%Y-%m-%d", time.gmtime())}
