"""Choosing a backend by name; each implements lab.protocol.Lab."""
from __future__ import annotations

from errors import ConfigError
from lab.config import LabConfig
from lab.local import LocalLab
from lab.protocol import Lab
from lab.spec import StackSpec

BACKENDS = ("local", "docker", "target")
BUILT_BACKENDS = BACKENDS[:2]  # the backends that build a stack (a campaign draws on those); a target adopts one


def make_lab(backend: str, config: LabConfig | None, spec: StackSpec | None = None, target: str | None = None) -> Lab:
    """A lab of the backend; `target` (a target file's path) means the target backend whatever else is said."""
    if target or backend == "target":
        if not target:
            raise ConfigError("the target backend adopts the stack a target file describes: give --target PATH")
        from harness import target_file
        from lab.target import TargetLab

        return TargetLab(target_file.load(target), spec)
    if backend == "local":
        return LocalLab(config, spec)
    if backend == "docker":
        from lab.docker_lab import DockerLab  # the Docker SDK only where the backend is used

        return DockerLab(config, spec)
    raise ConfigError(f"unknown backend {backend!r} (available here: {', '.join(BACKENDS)})")


def backend_named(backend: str, target: str | None = None) -> str:
    """The backend a run uses: a target file means the target backend whatever else is said; an
    unknown name, or the target backend with no target file, is refused before anything starts."""
    if target:
        return "target"
    if backend not in BACKENDS:
        raise ConfigError(f"unknown backend {backend!r} (available here: {', '.join(BACKENDS)})")
    if backend == "target":
        raise ConfigError("the target backend adopts the stack a target file describes: give --target PATH")
    return backend
