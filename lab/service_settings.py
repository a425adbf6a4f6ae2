"""The service settings the harness knows, in its own words: a scenario's tuning (how long a Redis call
waits, when a stuck entry is claimed, ...) named once, with its meaning and unit, for any service.

No service is named so. The stand-in reads each one as a FAIRBID_* variable (lab/standin_env.py, its
adapter, is the one place those names are made); a team's service takes the ones its target file's
`env_map` gives a variable of its own, in its own unit (`scale`), or says it has no such setting
(null). A scenario file configures the stand-in in its FAIRBID_* names; run on a target, they are
read back through the stand-in's adapter into these names before the target's env_map is asked.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str  # the harness's name (claim_idle_ms): a target file's env_map key
    unit: str  # what a value is counted in: the service's own unit differs by env_map's scale
    meaning: str


SETTINGS: dict[str, Setting] = {s.name: s for s in (
    Setting("sentinels", "host:port list", "the Sentinels the service asks for the master"),
    Setting("master_name", "name", "the master's name at the Sentinels"),
    Setting("redis", "host:port", "one Redis reached directly, without Sentinel"),
    Setting("cluster", "host:port list", "the Redis Cluster nodes the service starts from (no Sentinel then)"),
    Setting("redis_password", "secret", "the Redis nodes' password"),
    Setting("sentinel_password", "secret", "the Sentinels' own password"),
    Setting("redis_timeout_s", "s", "how long one Redis call waits for its answer"),
    Setting("redis_retries", "count", "how many times a failed Redis call is tried again"),
    Setting("redis_backoff_cap_s", "s", "the longest wait between two tries"),
    Setting("redis_deadline_s", "s", "a Redis operation's whole budget, every try and wait (empty: none)"),
    Setting("mysql_host", "host", "where MySQL is reached"),
    Setting("mysql_port", "port", "MySQL's port"),
    Setting("mysql_user", "name", "the service's MySQL account"),
    Setting("mysql_password", "secret", "that account's password"),
    Setting("mysql_db", "name", "the service's database"),
    Setting("mysql_timeout_s", "s", "how long one MySQL call waits"),
    Setting("bind_host", "host", "where the API listens"),
    Setting("bind_port", "port", "the API's port"),
    Setting("stream", "name", "the Redis stream bids are written to"),
    Setting("group", "name", "the consumer group that reads it"),
    Setting("consumer_name", "name", "this consumer's name in the group"),
    Setting("claim_interval_s", "s", "how often a consumer looks for entries another one left pending"),
    Setting("claim_idle_ms", "ms", "how long an entry stays pending before another consumer claims it"),
    Setting("max_deliveries", "count", "deliveries of one entry before it goes to the dead-letter stream"),
    Setting("dead_letter_stream", "name", "where an entry delivered too often goes"),
    Setting("ack_delay_ms", "ms", "a wait between the MySQL commit and the stream's acknowledgement (a test knob)"),
    Setting("durability", "async | guard | wait", "when a write is acknowledged: after the master, or its replicas"),
    Setting("wait_replicas", "count", "replicas a write waits for (durability wait)"),
    Setting("wait_timeout_ms", "ms", "how long a write waits for them"),
)}
