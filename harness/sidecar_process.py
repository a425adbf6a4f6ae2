"""The sidecar's process (observe/sidecar.py starts it): the lab rebuilt from the files the run was
started with, the sampling observers run until stdin closes.

    python -m harness.sidecar_process --run-dir D --max-s N

It lives in harness/ because rebuilding a lab from the run's spec (D/run-spec.json) is the
harness's work (harness.run_spec); the observers themselves stay in observe/.
"""
from __future__ import annotations

import argparse
import os
import select
import sys
import time
from pathlib import Path


def _wait_for_eof(max_s: float) -> None:
    """Until stdin closes (bounded by max_s); gevent makes select cooperative, the observers run meanwhile."""
    deadline = time.monotonic() + max_s
    fd = sys.stdin.fileno()
    while time.monotonic() < deadline:
        readable, _, _ = select.select([fd], [], [], 1.0)
        if readable and not os.read(fd, 4096):
            return


def main(argv: list[str] | None = None) -> int:
    from gevent import monkey

    monkey.patch_all()  # the observers are greenlets, as in Locust's process
    from harness.run_spec import RunSpec
    from observe.sidecar import sampling_observers

    p = argparse.ArgumentParser()
    p.add_argument("--run-dir", required=True)
    p.add_argument("--max-s", type=float, required=True)
    a = p.parse_args(argv)
    run_dir = Path(a.run_dir)
    lab = RunSpec.read(run_dir).make_lab()
    observers = sampling_observers(lab, a.max_s)
    for observer in observers:
        observer.start(run_dir)
    not_ready = [type(o).__name__ for o in observers if not o.ready(timeout_s=10)]
    print("not-ready " + ",".join(not_ready) if not_ready else "ready", flush=True)
    _wait_for_eof(a.max_s)
    for observer in observers:
        observer.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
