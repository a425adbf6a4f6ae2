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


def backend_named(backend: str, target: str | None = None) -> str:
    """The backend a run uses: a target file means the adopting backend whatever else is said; an
    unknown name, or the adopting backend with no target file, is refused before anything starts."""
    if target:
        return next(name for name, facts in KNOWN.items() if facts.adopted)
    if backend not in BACKENDS:
        raise ConfigError(f"unknown backend {backend!r} (available here: {', '.join(BACKENDS)})")
    if KNOWN[backend].adopted:
        raise ConfigError(f"the {backend} backend adopts the stack a target file describes: give --target PATH")
    return backend


def make_lab(backend: str, config: LabConfig | None, spec: StackSpec | None = None, target: str | None = None) -> Lab:
    """A lab of the backend; `target` (a target file's path) means the target backend whatever else is said."""
    backend = backend_named(backend, target)
    if KNOWN[backend].adopted:
        from harness import target_file
        from lab.target import TargetLab

        return TargetLab(target_file.load(target), spec)
    if KNOWN[backend].containers:
        from lab.docker_lab import DockerLab  # the Docker SDK only where the backend is used

        return DockerLab(config, spec)
    return LocalLab(config, spec)
