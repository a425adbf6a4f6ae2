"""One run's spec: the scenario, lab, target and options, resolved once and written into the run
directory as run-spec.json.

The CLI writes it before Locust starts; a web UI run (`locust -f locustfile.py --scenario ...`)
resolves it from Locust's options once, and the locustfile writes it into each run directory it
opens. The Locust process, the observers' sidecar and a campaign's runs read it from the run
directory and nothing else: no argument or environment variable carries the run between processes.
Remote workers share no disk; they get their load plan as a message (harness/relay.py).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import runfiles as rf
from errors import ConfigError
from harness import scenario as scenarios
from harness.backends import backend_named, make_lab
from lab.config import ROOT, LabConfig
from lab.protocol import Lab

FILE = rf.RUN_SPEC
DEFAULT_LAB = "conf/lab.yaml"


@dataclass(frozen=True)
class RunSpec:
    scenario: str  # the scenario file, absolute
    backend: str  # one of harness.backends.BACKENDS; "target" whenever a target file is given
    lab: str | None  # the lab config file, absolute (None: a target's stack brings its own)
    target: str | None = None  # the target file, absolute
    campaign: dict | None = None  # a campaign's run: its seed, index and replay command (harness/campaign.py)
    bare: bool = False  # load only: no per-request log, history, faults or observers
    keep_lab: bool = False  # leave the lab up when Locust quits

    @classmethod
    def resolve(cls, scenario: str, backend: str = "local", lab: str | None = DEFAULT_LAB, target: str | None = None,
                **options) -> "RunSpec":
        """From what a user typed (a scenario id or path, relative paths) to absolute files; refused
        here, before anything starts, where the backend is unknown or a target is missing."""
        return cls(scenario=str(scenarios.find(scenario).resolve()), backend=backend_named(backend, target),
                   lab=None if target else str(_absolute(lab or DEFAULT_LAB)),
                   target=str(_absolute(target)) if target else None, **options)

    def load_scenario(self) -> scenarios.Scenario:
        return scenarios.load(self.scenario)

    def make_lab(self, scenario: scenarios.Scenario | None = None) -> Lab:
        """The lab this run acts on, built from its files (each process builds its own from the same spec)."""
        stack = (scenario or self.load_scenario()).stack
        return make_lab(self.backend, LabConfig.load(self.lab) if self.lab else None, stack, self.target)

    def write(self, run_dir: Path) -> Path:
        path = run_dir / FILE
        path.write_text(json.dumps(asdict(self), indent=1) + "\n")
        return path

    @classmethod
    def read(cls, run_dir: Path) -> "RunSpec":
        path = Path(run_dir) / FILE
        try:
            return cls(**json.loads(path.read_text()))
        except (OSError, ValueError, TypeError) as exc:
            raise ConfigError(f"{path}: not a run spec this version reads ({exc})") from None


def _absolute(path: str) -> Path:
    p = Path(path)
    return p.resolve() if p.is_absolute() or p.exists() else (ROOT / p).resolve()
