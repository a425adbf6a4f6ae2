"""Containers a test starts by hand to stand for a team's stack (no lab made them), and their removal."""
from __future__ import annotations

import socket


def remove(client, names: tuple[str, ...], network: str) -> None:
    """The test's own containers, by exact name, and its network: nothing else on the engine."""
    for name in names:
        for c in client.containers.list(all=True, filters={"name": name}):
            if c.name == name:
                c.remove(force=True)
    for n in client.networks.list(names=[network]):
        n.remove()


def free_port() -> int:
    """A loopback port nothing listens on now (for an app the test's target starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ip(container, network: str) -> str:
    """The container's address on the test's own network."""
    container.reload()
    return container.attrs["NetworkSettings"]["Networks"][network]["IPAddress"]
