"""Network cuts for the local backend: DROP rules on `lo` in a chain of the lab's own.

Every loopback packet passes OUTPUT, so one jump from OUTPUT (-o lo) into the lab's chain is
enough; every rule lives in that chain, so healing never touches the machine's own tables, and
`heal_all` finds leftovers by the chain prefix even when the process that made them is dead.
"""
from __future__ import annotations

import ipaddress
import subprocess

from errors import FaultError

PREFIX = "FBHA-"


def chain_name(lab_name: str) -> str:
    return (PREFIX + lab_name)[:28]


def _ipt(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    res = subprocess.run(["iptables", "-w", "5", *args], capture_output=True, text=True)
    if check and res.returncode != 0:
        raise FaultError(f"iptables {' '.join(args)}: {res.stderr.strip()}")
    return res


def _loopback(addr: str) -> str:
    if not ipaddress.ip_address(addr).is_loopback:
        raise FaultError(f"refusing a firewall rule for {addr}: only loopback addresses are ever cut")
    return addr


class Firewall:
    def __init__(self, lab_name: str) -> None:
        self.chain = chain_name(lab_name)

    def ensure(self) -> None:
        if _ipt("-S", self.chain, check=False).returncode != 0:
            _ipt("-N", self.chain)
        if _ipt("-C", "OUTPUT", "-o", "lo", "-j", self.chain, check=False).returncode != 0:
            _ipt("-I", "OUTPUT", "-o", "lo", "-j", self.chain)

    def _rules(self, a: str, b: str | None) -> list[list[str]]:
        a = _loopback(a)
        if b is None:  # isolate a: both directions, every peer
            return [["-s", a, "-j", "DROP"], ["-d", a, "-j", "DROP"]]
        b = _loopback(b)
        return [["-s", a, "-d", b, "-j", "DROP"], ["-s", b, "-d", a, "-j", "DROP"]]

    def cut(self, a: str, b: str | None = None, one_way: bool = False) -> None:
        """Drop a's traffic (with every peer, or only with b); one_way drops only a -> b."""
        self.ensure()
        rules = self._rules(a, b)
        for rule in rules[:1] if (one_way and b) else rules:
            if _ipt("-C", self.chain, *rule, check=False).returncode != 0:
                _ipt("-A", self.chain, *rule)

    def _loss_rules(self, a: str, b: str | None, percent: float) -> list[list[str]]:
        """The cut's rules, each dropping only a random share (`statistic`: the kernel has no netem)."""
        stat = ["-m", "statistic", "--mode", "random", "--probability", probability(percent)]
        return [[*r[:-2], *stat, *r[-2:]] for r in self._rules(a, b)]

    def lose(self, a: str, percent: float, b: str | None = None) -> list[str]:
        """Drop `percent` % of a's packets both ways (with every peer, or only with b); the rules added."""
        self.ensure()
        added = []
        for rule in self._loss_rules(a, b, percent):
            if _ipt("-C", self.chain, *rule, check=False).returncode != 0:
                _ipt("-A", self.chain, *rule)
            added.append(" ".join(rule))
        return added

    def unlose(self, a: str, percent: float, b: str | None = None) -> None:
        """Remove the rules `lose(a, percent, b)` added; a no-op where there are none."""
        if _ipt("-S", self.chain, check=False).returncode != 0:
            return
        for rule in self._loss_rules(a, b, percent):
            while _ipt("-C", self.chain, *rule, check=False).returncode == 0:
                _ipt("-D", self.chain, *rule)

    def connect(self, a: str, b: str | None = None) -> None:
        """Remove the rules `cut(a, b)` added; a no-op where there are none."""
        if _ipt("-S", self.chain, check=False).returncode != 0:
            return
        for rule in self._rules(a, b):
            while _ipt("-C", self.chain, *rule, check=False).returncode == 0:
                _ipt("-D", self.chain, *rule)

    def rules(self) -> list[str]:
        res = _ipt("-S", self.chain, check=False)
        return [r for r in res.stdout.splitlines() if r.startswith("-A ")] if res.returncode == 0 else []

    def remove(self) -> None:
        """Unhook and delete the chain; safe to call twice."""
        remove_chain(self.chain)


def probability(percent: float) -> str:
    """iptables' statistic probability for a loss in % (0 < percent <= 100)."""
    if not 0 < float(percent) <= 100:
        raise FaultError(f"a loss of {percent} %: it is a share above 0 and at most 100")
    return f"{float(percent) / 100:.4f}"


def remove_chain(chain: str) -> None:
    while _ipt("-C", "OUTPUT", "-o", "lo", "-j", chain, check=False).returncode == 0:
        _ipt("-D", "OUTPUT", "-o", "lo", "-j", chain)
    if _ipt("-S", chain, check=False).returncode == 0:
        _ipt("-F", chain)
        _ipt("-X", chain)


def leftover_chains() -> list[str]:
    """Chains of any fairbid-ha lab still present (from iptables -S, not a state file)."""
    res = _ipt("-S", check=False)
    return [line.split()[1] for line in res.stdout.splitlines()
            if line.startswith("-N ") and line.split()[1].startswith(PREFIX)]
