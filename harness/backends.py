"""Choosing a backend by name; each implements lab.protocol.Lab."""
from __future__ import annotations

from errors import ConfigError
from lab.config import LabConfig
from lab.local import LocalLab
from lab.protocol import Lab
from lab.spec import StackSpec

BACKENDS = ("local", "docker")


def make_lab(backend: str, config: LabConfig, spec: StackSpec | None = None) -> Lab:
    if backend == "local":
        return LocalLab(config, spec)
    if backend == "docker":
        from lab.docker_lab import DockerLab  # the Docker SDK only where the backend is used

        return DockerLab(config, spec)
    raise ConfigError(f"unknown backend {backend!r} (available here: {', '.join(BACKENDS)})")
