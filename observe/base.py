"""The interface every observer offers to RunSession."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class RunEnd:
    """How the run ended, for observers whose last act depends on it (verification)."""

    interrupted: bool
    settled: bool | None  # Sentinel agreed on one master with its replicas after healing


class Observer(Protocol):
    files: tuple[str, ...]  # what it writes into the run directory (runfiles names)

    def start(self, run_dir: Path) -> None:
        """Begin recording into run_dir (at test start, before the first fault)."""

    def ready(self, timeout_s: float) -> bool:
        """Recording for real (bounded wait); faults start only after every observer is ready."""

    def stop(self, end: RunEnd) -> None:
        """Finish: after every fault is healed. Called once, in the order RunSession was given."""
