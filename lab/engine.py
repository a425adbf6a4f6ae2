"""The one way the harness reaches a Docker engine (the Docker backend, an adopted target)."""
from __future__ import annotations

import os

import docker
from docker.errors import DockerException

from errors import LabError


def connect(why: str) -> docker.DockerClient:
    """A client of the engine DOCKER_HOST names, once it answers; LabError saying `why` it was needed."""
    try:
        client = docker.from_env()
        client.ping()
        return client
    except DockerException as exc:
        raise LabError(f"{why}, but no Docker engine answers (DOCKER_HOST={os.environ.get('DOCKER_HOST', 'default')}): "
                       f"{exc}; on a machine without one: scripts/docker-engine.sh install start images") from None


def answers() -> bool:
    """An engine is there (the tests that need one skip without it)."""
    try:
        connect("a check")
        return True
    except LabError:
        return False
