"""Choosing a backend by name; each implements lab.protocol.Lab. The one place outside lab/ that
tells backends apart by name: everywhere else a lab's `backend_facts` are asked."""
from __future__ import annotations

from errors import ConfigError
from lab.config import LabConfig
from lab.local import LocalLab
from lab.protocol import Lab
from lab.spec import StackSpec
from runfiles import BACKENDS as KNOWN

BACKENDS = tuple(KNOWN)  # their names, in runfiles.BACKENDS with what each is
BUILT = tuple(name for name, facts in KNOWN.items() if not facts.adopted)  # those that build a stack of their own


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
