"""A scenario's `campaign:` section: the bounds a seeded campaign draws its fault schedules within,
and the invariants its runs are judged by. Checked with the rest of the file, before any load, so a
bad bound is named by its line instead of surfacing as a strange schedule in run 7.

    campaign:
      faults: [kill, partition]            # the kinds drawn when `make campaign` gets no FAULTS
      start: {min: 20s, max: 40s}          # when in the run the fault starts
      duration: {kill: {min: 10s, max: 20s}, cut: {min: 5s, max: 15s}}
      master_share: 0.75                   # the share of runs whose fault hits the master (else a replica)
      invariants:                          # replace the default ones (faults_failed = 0 is always kept)
        - {metric: lost_acked_writes, equals: 0}

Every key is optional; what is not declared keeps the defaults below.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from analysis.checks import parse_checks
from configfile.validation import Fields
from errors import ConfigError
from faults.actions import campaign_draws

# the kinds a campaign draws, as the fault kinds declare them (faults/kinds/: kill, pause, cut, and
# partition, a cut from the other nodes only that clients still reach), in their declared order
DRAWS = {d.name: (action, d) for action, d in campaign_draws()}
KINDS = tuple(DRAWS)
KEYS = {"faults", "start", "duration", "master_share", "invariants"}
START_SHARE = (0.25, 0.45)  # default: a fault starts between these shares of the run time
DURATION_S = {name: d.duration_s for name, (_action, d) in DRAWS.items()}
MASTER_SHARE = 0.75
END_MARGIN_S = 10.0  # a drawn fault ends this long before the run does, so recovery is in the run


@dataclass(frozen=True)
class CampaignBounds:
    faults: tuple[str, ...] = KINDS
    start_s: tuple[float, float] | None = None  # None: START_SHARE of the run time
    duration_s: dict[str, tuple[float, float]] = field(default_factory=lambda: dict(DURATION_S))
    master_share: float = MASTER_SHARE
    invariants: tuple[dict, ...] | None = None  # checks as written (validated); None: harness/campaign.py's

    def start_window(self, run_time_s: float) -> tuple[float, float]:
        return self.start_s or (START_SHARE[0] * run_time_s, START_SHARE[1] * run_time_s)


def _interval(f: Fields, key: str, default: tuple[float, float] | None, hi: float | None) -> tuple[float, float] | None:
    """`{min: Xs, max: Ys}` with min <= max (and max below `hi` where given)."""
    if key not in f.data:
        return default
    sub = f.section(key, {"min", "max"})
    lo_s, hi_s = sub.duration("min", None), sub.duration("max", None)  # above 0: a drawn 0 s is no fault
    if lo_s is None or hi_s is None:
        if "min" in sub.data and "max" in sub.data:
            return default  # each bad value is named already
        f.bad(key, "needs both min and max, e.g. {min: 10s, max: 20s}")
        return default
    if lo_s > hi_s:
        f.bad(key, f"min {lo_s:g} s is after max {hi_s:g} s")
        return default
    if hi is not None and hi_s > hi:
        f.bad(key, f"max {hi_s:g} s leaves under {END_MARGIN_S:g} s of the run (run time {hi + END_MARGIN_S:g} s) to recover")
        return default
    return (lo_s, hi_s)


def _kinds(f: Fields) -> tuple[str, ...]:
    raw = f.data.get("faults")
    if raw is None:
        return KINDS
    if not isinstance(raw, list) or not raw or not all(isinstance(k, str) for k in raw):
        f.bad("faults", f"a list of fault kinds, some of {', '.join(KINDS)}")
        return KINDS
    unknown = [k for k in raw if k not in KINDS]
    if unknown:
        f.bad("faults", f"{', '.join(unknown)}: not a kind a campaign draws ({', '.join(KINDS)})")
        return KINDS
    return tuple(dict.fromkeys(raw))


def parse(top: Fields, run_time_s: float | None, source: str, is_known) -> CampaignBounds:
    """The section's bounds; each problem is added to the file's (`campaign.start.max: ...`)."""
    if "campaign" not in top.data:
        return CampaignBounds()
    c = top.section("campaign", KEYS)
    latest = None if run_time_s is None else run_time_s - END_MARGIN_S
    durations = dict(DURATION_S)
    d = c.section("duration", set(KINDS))
    for kind in KINDS:
        durations[kind] = _interval(d, kind, DURATION_S[kind], None)
    invariants = None
    if "invariants" in c.data:
        try:
            parse_checks(c.data["invariants"], source, is_known)  # refused here, by line, if malformed
            invariants = tuple(json.loads(json.dumps(c.data["invariants"])))  # plain data for the run files
        except ConfigError as exc:  # its messages say checks[i]: here they are the invariants
            top.problems.absorb(ConfigError(str(exc).replace(": checks[", ": campaign.invariants[")))
    return CampaignBounds(faults=_kinds(c), start_s=_interval(c, "start", None, latest), duration_s=durations,
                          master_share=c.number("master_share", MASTER_SHARE, 0, 1), invariants=invariants)

