"""What the benchmark scripts share: where figures go, how a scenario file is run, how CPU is read."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from analysis.quantiles import nearest_rank
from runfiles import BACKENDS

ROOT = Path(__file__).resolve().parent.parent
BENCH_LAB = "bench/lab.bench.yaml"
OUT = ROOT / "results" / "bench"


def save(name: str, figures: dict) -> Path:
    """Print the figures and keep them as results/bench/NAME.json (the newest run wins)."""
    OUT.mkdir(parents=True, exist_ok=True)
    figures = {"bench": name, "date": time.strftime("%Y-%m-%d %H:%M"), "machine": os.uname().nodename,
               "cpus": os.cpu_count(), **figures}
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(figures, indent=1, default=str) + "\n")
    print(json.dumps(figures, indent=1, default=str))
    return path


def on_backend(name: str, backend: str) -> str:
    """A bench's figures file for one backend: NAME on the default backend, NAME_BACKEND on another."""
    facts = BACKENDS[backend]
    return name if facts.default else f"{name}_{facts.name}"


def run_scenario(doc: dict | str, results: Path, timeout_s: float = 900, extra: tuple[str, ...] = ()) -> Path:
    """Run a scenario headless on the bench lab (a document, written to a file first, or a scenario id or
    path); `extra` goes to the runner (`--workers 2`). Returns its run dir."""
    results.mkdir(parents=True, exist_ok=True)
    if isinstance(doc, dict):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", dir=results, delete=False) as fh:
            yaml.safe_dump(doc, fh, sort_keys=False)
        name, sid = fh.name, doc["id"]
    else:
        name, sid = doc, Path(doc).stem
    env = {**os.environ, "FAIRBID_HA_RESULTS": str(results)}
    subprocess.run([sys.executable, "-m", "harness.cli", "run", name, "--lab", BENCH_LAB, *extra], cwd=ROOT, env=env,
                   timeout=timeout_s, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    runs = sorted(results.glob(f"*-{sid}"), key=lambda p: p.stat().st_mtime)
    if not runs or not (runs[-1] / "summary.json").exists():
        raise RuntimeError(f"scenario {sid} wrote no summary under {results}")
    return runs[-1]


def locust_cmd(path: Path, users: int, seconds: int, csv_prefix: Path | None = None, extra: tuple | list = ()) -> list[str]:
    """A headless Locust on the bench lab with the scenario's users, all spawned at once."""
    return [sys.executable, "-m", "locust", "-f", "locustfile.py", "--headless", "--scenario", str(path),
            "--lab", BENCH_LAB, "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
            *(["--csv", str(csv_prefix)] if csv_prefix else []), "--only-summary", *extra]


def bids_scenario(work: Path, sid: str, title: str, users: int, run_time: str, rate_per_user: float) -> Path:
    """A scenario of bids only and no fault (the benches that measure the load), written into `work`:
    the end-to-end path the harness is there for."""
    work.mkdir(parents=True, exist_ok=True)
    doc = {"id": sid, "title": title, "plan_step": "bench",
           "load": {"users": users, "spawn_rate": users, "run_time": run_time, "rate_per_user": rate_per_user,
                    "redis_weight": 0},
           "checks": [{"metric": "faults_failed", "equals": 0}]}
    path = work / f"{sid}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def fresh_lab(path: Path):
    """The bench lab for a scenario file, brought up anew (a lab left by a killed bench is stopped first)."""
    from harness import scenario as scenarios
    from lab.config import LabConfig
    from lab.local import LocalLab

    lab = LocalLab(LabConfig.load(ROOT / BENCH_LAB), scenarios.load(str(path)).stack)
    if lab.is_up():
        lab.down()
    lab.up()
    return lab


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_loop(period_s: float, count: int, op, concurrency: int) -> None:
    """op(n) for n < count, one started every period_s on a fixed grid however long the earlier ones
    take (up to `concurrency` in flight); returns once every one has ended. A closed loop would go
    blind while an operation waits out its retries."""
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:  # its exit waits for every op
        for n in range(count):  # bounded
            time.sleep(max(0.0, start + n * period_s - time.monotonic()))
            pool.submit(op, n)


def quantiles(values: list[float]) -> dict:
    return nearest_rank(values) or {}
