"""Cuts between two containers: DROP rules inside a container's own network namespace, entered from
the host through the container's PID (the images need no firewall tool; the host's iptables runs in
the namespace). Every rule carries a comment tag, so heal removes exactly the harness's rules, also
after the orchestrator was SIGKILLed; a container killed and started since has a fresh namespace,
where there is nothing left to remove.
"""
from __future__ import annotations

import ipaddress
import subprocess

from errors import FaultError

TAG = "fairbid-ha"


def _ipt(pid: int, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    res = subprocess.run(["nsenter", "-t", str(pid), "-n", "iptables", "-w", "5", *args], capture_output=True,
                         text=True)
    if check and res.returncode != 0:
        raise FaultError(f"iptables in the namespace of PID {pid}: {' '.join(args)}: {res.stderr.strip()}")
    return res


def _rules(peer_ip: str, one_way: bool) -> list[list[str]]:
    ipaddress.ip_address(peer_ip)  # a literal address, never a name to resolve
    out = [["OUTPUT", "-d", peer_ip]]
    if not one_way:
        out.append(["INPUT", "-s", peer_ip])
    return [[*r, "-m", "comment", "--comment", TAG, "-j", "DROP"] for r in out]


def cut(pid: int, peer_ip: str, one_way: bool = False) -> None:
    """Drop the node's traffic to the peer (and from it, unless one_way), the process alive."""
    for chain, *rule in _rules(peer_ip, one_way):
        if _ipt(pid, "-C", chain, *rule, check=False).returncode != 0:
            _ipt(pid, "-A", chain, *rule)


def connect(pid: int, peer_ip: str) -> None:
    """Remove the rules `cut` added for this peer (both directions); a no-op where there are none."""
    for chain, *rule in _rules(peer_ip, one_way=False):
        while _ipt(pid, "-C", chain, *rule, check=False).returncode == 0:
            _ipt(pid, "-D", chain, *rule)


def _loss_rules(peer_ip: str | None, percent: float) -> list[list[str]]:
    """Both directions, with one peer or with everything but the namespace's loopback; each drops a
    random share (`statistic`)."""
    from lab.firewall import probability

    if peer_ip is not None:
        ipaddress.ip_address(peer_ip)
        base = [["OUTPUT", "-d", peer_ip], ["INPUT", "-s", peer_ip]]
    else:
        base = [["OUTPUT", "!", "-o", "lo"], ["INPUT", "!", "-i", "lo"]]
    stat = ["-m", "statistic", "--mode", "random", "--probability", probability(percent)]
    return [[*r, *stat, "-m", "comment", "--comment", TAG, "-j", "DROP"] for r in base]


def lose(pid: int, percent: float, peer_ip: str | None = None) -> list[str]:
    """Drop `percent` % of the node's packets (with one peer, or all but loopback); the rules added."""
    added = []
    for chain, *rule in _loss_rules(peer_ip, percent):
        if _ipt(pid, "-C", chain, *rule, check=False).returncode != 0:
            _ipt(pid, "-A", chain, *rule)
        added.append(" ".join([chain, *rule]))
    return added


def unlose(pid: int, percent: float, peer_ip: str | None = None) -> None:
    """Remove the rules `lose` added; a no-op where there are none."""
    for chain, *rule in _loss_rules(peer_ip, percent):
        while _ipt(pid, "-C", chain, *rule, check=False).returncode == 0:
            _ipt(pid, "-D", chain, *rule)


_ISOLATE = [["INPUT", "!", "-i", "lo"], ["OUTPUT", "!", "-o", "lo"]]


def isolate(pid: int) -> None:
    """Drop everything but the namespace's own loopback (= docker network disconnect, at the same address:
    an adopted container keeps its network as its owner configured it)."""
    for chain, *rule in _ISOLATE:
        full = [*rule, "-m", "comment", "--comment", TAG, "-j", "DROP"]
        if _ipt(pid, "-C", chain, *full, check=False).returncode != 0:
            _ipt(pid, "-A", chain, *full)


def rejoin(pid: int) -> None:
    """Remove the rules `isolate` added; a no-op where there are none."""
    for chain, *rule in _ISOLATE:
        full = [*rule, "-m", "comment", "--comment", TAG, "-j", "DROP"]
        while _ipt(pid, "-C", chain, *full, check=False).returncode == 0:
            _ipt(pid, "-D", chain, *full)


def tagged_rules(pid: int) -> list[str]:
    """The harness's rules in the namespace, as `iptables -S` prints them."""
    res = _ipt(pid, "-S", check=False)
    marks = (f"--comment {TAG} ", f'--comment "{TAG}" ')
    return [line for line in res.stdout.splitlines() if any(m in line + " " for m in marks)] if res.returncode == 0 else []


def remove_all(pid: int) -> list[str]:
    """Delete every tagged rule in the namespace; return what was removed."""
    removed = []
    for line in tagged_rules(pid):
        parts = line.split()
        if parts[:1] == ["-A"]:
            _ipt(pid, "-D", *[p.strip('"') for p in parts[1:]], check=False)
            removed.append(line)
    return removed
