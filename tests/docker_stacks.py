"""Containers a test starts by hand to stand for a team's stack (no lab made them), and their removal."""
from __future__ import annotations


def remove(client, names: tuple[str, ...], network: str) -> None:
    """The test's own containers, by exact name, and its network: nothing else on the engine."""
    for name in names:
        for c in client.containers.list(all=True, filters={"name": name}):
            if c.name == name:
                c.remove(force=True)
    for n in client.networks.list(names=[network]):
        n.remove()
