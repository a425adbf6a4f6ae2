"""Faults on a node's process: kill, pause, restart, and the one-shot undos start and resume."""
from __future__ import annotations

from bilingual import L
from faults import params as p
from faults.kind import Action, Draw, by_backend
from lab.protocol import Lab
from runfiles import BackendFacts


def _kill(lab: Lab, node: str) -> None:
    """SIGKILL / docker kill; healed by starting the node again."""
    lab.kill(node)


def _start(lab: Lab, node: str, state=None) -> None:
    """Start a stopped node (docker start)."""
    lab.start(node)


def _pause(lab: Lab, node: str) -> None:
    """SIGSTOP / docker pause; healed by resuming it."""
    lab.pause(node)


def _resume(lab: Lab, node: str, state=None) -> None:
    """Resume a paused node."""
    lab.resume(node)


def _restart(lab: Lab, node: str, *, env: dict | None = None) -> dict:
    """Stop and start a node, with environment overrides (`@node` stands for that node's host:port)."""
    overrides = {}
    for k, v in (env or {}).items():
        v = str(v)
        if v.startswith("@"):
            host, port = lab.address(v[1:])
            v = f"{host}:{port}"
        overrides[str(k)] = v
    lab.restart(node, overrides)
    return {"env": overrides}


def _killed(rec: dict, backend: BackendFacts) -> L:
    node = rec.get("node")
    if backend.containers:
        return L(f"Docker SDK `kill` of the {node} container (SIGKILL)", f"{node} 컨테이너를 Docker SDK `kill`로 종료(SIGKILL)")
    if backend.processes:
        return L(f"SIGKILL of {node}'s process", f"{node} 프로세스에 SIGKILL")
    return L(f"kill of the adopted node {node}", f"채택한 노드 {node} kill")


_kill_undone = by_backend(lambda n: L("started again (`docker start`)", "다시 시작(`docker start`)"),
                          lambda n: L("started again", "다시 시작"))
_paused = by_backend(lambda n: L(f"`docker pause` (Docker SDK) of the {n} container",
                                 f"{n} 컨테이너를 `docker pause`(Docker SDK)"),
                     lambda n: L(f"SIGSTOP to {n}'s process", f"{n} 프로세스에 SIGSTOP"))
_pause_undone = by_backend(lambda n: L("`docker unpause`", "`docker unpause`"), lambda n: L("SIGCONT", "SIGCONT"))
_started = by_backend(lambda n: L(f"`docker start` of the {n} container", f"{n} 컨테이너 `docker start`"),
                      lambda n: L(f"{n}'s process started again on its own data directory",
                                  f"{n} 프로세스를 같은 데이터 디렉터리로 다시 시작"))
_resumed = by_backend(lambda n: L(f"`docker unpause` of {n}", f"{n} `docker unpause`"),
                      lambda n: L(f"SIGCONT to {n}", f"{n}에 SIGCONT"))


def _restarted(rec: dict, backend: BackendFacts) -> L:
    node, out = rec.get("node"), rec.get("output") if isinstance(rec.get("output"), dict) else {}
    env = ", ".join(f"{k}={v}" for k, v in sorted((out.get("env") or (rec.get("params") or {}).get("env") or {}).items()))
    if backend.containers:
        return L(f"the {node} container recreated by Compose with `{env}`, at the same address",
                 f"{node} 컨테이너를 Compose로 `{env}` 설정과 함께 같은 주소에 재생성")
    return L(f"{node} stopped (SIGTERM) and started with `{env}`", f"{node} 노드를 멈추고(SIGTERM) `{env}` 설정으로 다시 시작")


KINDS = (
    Action("kill", _kill, _start, disruptive=True, undone_by="start", did=_killed, undone=_kill_undone,
           campaign=(Draw("kill", 1, (10.0, 20.0), promises_no_loss=True),)),
    Action("pause", _pause, _resume, disruptive=True, undone_by="resume", did=_paused, undone=_pause_undone,
           campaign=(Draw("pause", 2, (3.0, 15.0), promises_no_loss=True),)),
    Action("start", _start, did=_started),
    Action("resume", _resume, did=_resumed),
    Action("restart", _restart, types={"env": p.service_env()}, did=_restarted),
)
