"""monitor.csv: the plan's step 6 signals sampled during the run (long format: t_ms, source, metric, value).

INFO replication/memory/stats/clients of every Redis node, Sentinel's view of the master, XLEN and
the group's pending count and lag, MySQL row count and replica lag. Short timeouts: a node that is
killed, paused or cut shows as a gap ("up" = 0), never as a stalled sampler.
"""
from __future__ import annotations

import csv
import time
from collections import Counter
from pathlib import Path

import gevent
import pymysql
import redis
from redis.exceptions import RedisError

from lab import clients
from lab.protocol import Lab, service_settings, stream_keys
from observe.base import RunEnd
from runfiles import MONITOR, MONITOR_COLUMNS

REDIS_FIELDS = {
    "replication": ("role", "master_link_status", "master_repl_offset", "connected_slaves", "master_last_io_seconds_ago"),
    "memory": ("used_memory", "used_memory_rss", "used_memory_peak"),
    "stats": ("instantaneous_ops_per_sec", "total_commands_processed", "rejected_connections"),
    "clients": ("connected_clients",),
}
ERROR_STATS = ("errorstat_MOVED", "errorstat_ASK", "errorstat_CLUSTERDOWN")


class Monitor:
    files = (MONITOR,)

    def __init__(self, lab: Lab, interval_s: float = 0.25, max_s: float = 3600) -> None:
        self.lab = lab
        self.settings = service_settings(lab)  # the stream and group the service uses
        model = lab.service
        self.watch_stream = model.stream is not None  # a service without a stream has none to sample
        self.count_query = model.verify.mysql.count_query if model.verify.mysql else None
        self.interval_s = interval_s
        self.max_s = max_s
        self._fh = self._csv = None
        self._running = False
        self._greenlet: gevent.Greenlet | None = None
        self._clients: dict[str, redis.Redis] = {}
        self._mysql: dict[str, pymysql.connections.Connection] = {}

    def start(self, run_dir: Path) -> None:
        self._fh = open(run_dir / MONITOR, "w", newline="", encoding="utf-8")
        self._csv = csv.writer(self._fh)
        self._csv.writerow(MONITOR_COLUMNS)
        self._running = True
        self._greenlet = gevent.spawn(self._loop)

    def ready(self, timeout_s: float = 0) -> bool:
        return True

    def stop(self, end: RunEnd | None = None) -> None:
        self._running = False
        if self._greenlet is not None:
            self._greenlet.join(timeout=3)
            self._greenlet.kill(block=True, timeout=2)
        if self._fh is not None:
            self._fh.close()
        for c in self._clients.values():
            c.close()
        for name in list(self._mysql):
            self._drop_mysql(name)

    def _loop(self) -> None:
        deadline = time.monotonic() + self.max_s
        while self._running and time.monotonic() < deadline:
            began = time.monotonic()
            rows: list[tuple] = []
            jobs = [gevent.spawn(self._redis_node, n, rows) for n in self.lab.node_names()
                    if self.lab.kind(n) == "redis"]
            jobs.append(gevent.spawn(self._sentinel_and_stream, rows))
            jobs += [gevent.spawn(self._mysql_node, n, rows) for n in self.lab.node_names() if self.lab.kind(n) == "mysql"]
            gevent.joinall(jobs, timeout=self.interval_s * 4)
            if not self._fh.closed:
                self._csv.writerows(rows)
                self._fh.flush()
            gevent.sleep(max(0.0, self.interval_s - (time.monotonic() - began)))

    def _client(self, name: str, host: str, port: int, password: str | None = None) -> redis.Redis:
        if name not in self._clients:
            self._clients[name] = clients.redis_at(host, port, timeout=0.2, password=password or self.lab.secrets.redis)
        return self._clients[name]

    def _redis_node(self, name: str, rows: list) -> None:
        t = round(time.time() * 1000, 3)
        try:
            info = self._client(name, *self.lab.address(name)).info()  # the default sections hold all four
        except RedisError:
            rows.append((t, name, "up", 0))
            return
        rows.append((t, name, "up", 1))
        for fields in REDIS_FIELDS.values():
            rows.extend((t, name, f, info[f]) for f in fields if f in info)
        # a cluster client follows MOVED / ASK by itself, so no failed request shows them: the nodes count
        # the redirections and CLUSTERDOWN replies they sent (INFO errorstats, kept from the first one)
        rows.extend((t, name, key, info[key].get("count")) for key in ERROR_STATS if isinstance(info.get(key), dict))

    def _sentinel_and_stream(self, rows: list) -> None:
        t = round(time.time() * 1000, 3)
        votes: Counter = Counter()
        for host, port in self.lab.sentinel_addrs():  # one kept connection per Sentinel, not one per sample
            try:
                addr = self._client(f"sentinel@{host}:{port}", host, port, self.lab.secrets.sentinel) \
                    .sentinel_get_master_addr_by_name(self.lab.config.master_name)
            except RedisError:
                continue
            if addr:
                votes[(addr[0], int(addr[1]))] += 1
        for addr, n in votes.items():
            rows.append((t, "sentinel", "master_votes", f"{self.lab.node_by_address(*addr)}={n}"))
        if not self.watch_stream:
            return
        if getattr(self.lab.spec, "cluster", None):
            self._cluster_streams(t, rows)
            return
        try:
            # the master most Sentinels name, as lab.master() would say, from the votes just read
            master = self.lab.node_by_address(*votes.most_common(1)[0][0]) if votes else self.lab.master()
            client = self._client(f"stream@{master}", *self.lab.address(master))
            s = self.settings
            rows.append((t, "stream", "xlen", client.xlen(s.stream)))
            for group in client.xinfo_groups(s.stream):
                if group["name"] != s.group:
                    continue
                rows.append((t, "stream", "pending", group["pending"]))
                rows.append((t, "stream", "last_delivered_id", group["last-delivered-id"]))
                if group.get("entries-read") is not None:
                    rows.append((t, "stream", "entries_read", group["entries-read"]))
                lag = group.get("lag")
                if lag is None:  # Redis may report none (after a failover): counted from the last-delivered id
                    lag = unread(client, s.stream, group["last-delivered-id"])
                if lag is not None:
                    rows.append((t, "stream", "lag", lag))
            consumers = client.xinfo_consumers(s.stream, s.group)
            rows.append((t, "stream", "consumers", len(consumers)))  # one process may hold several
            for consumer in consumers:
                rows.append((t, consumer["name"], "pending", consumer["pending"]))
                rows.append((t, consumer["name"], "idle_ms", consumer["idle"]))
        except Exception:  # no master during a failover is a sample, not an error
            rows.append((t, "stream", "reachable", 0))

    def _cluster_streams(self, t: float, rows: list) -> None:
        """A cluster stand-in's bucket streams, summed: length, pending, lag and each consumer's pending
        (its members join every bucket's group)."""
        try:
            if "cluster" not in self._clients:
                self._clients["cluster"] = clients.cluster(self.lab, timeout=0.2)
            client, group = self._clients["cluster"], self.settings.group
            xlen = pending = lag = 0
            members: dict[str, int] = {}
            for stream, _dead in stream_keys(self.lab):
                xlen += client.xlen(stream)
                for g in client.xinfo_groups(stream):
                    if g["name"] == group:
                        pending += g["pending"]
                        lag += g.get("lag") if g.get("lag") is not None else (
                            unread(client, stream, g["last-delivered-id"]) or 0)
                for consumer in client.xinfo_consumers(stream, group):
                    members[consumer["name"]] = members.get(consumer["name"], 0) + consumer["pending"]
            rows += [(t, "stream", "xlen", xlen), (t, "stream", "pending", pending), (t, "stream", "lag", lag),
                     (t, "stream", "consumers", len(members))]
            rows += [(t, name, "pending", n) for name, n in members.items()]
        except Exception:  # a shard without a master during a failover is a sample, not an error
            rows.append((t, "stream", "reachable", 0))

    def _mysql_node(self, name: str, rows: list) -> None:
        t = round(time.time() * 1000, 3)
        conn = self._mysql.get(name)
        try:
            if conn is None:  # kept between samples; a failed one is dropped and made anew next time
                conn = self._mysql[name] = self.lab.mysql_connect(name, timeout_s=0.5, monitor=True)
            with conn.cursor(pymysql.cursors.DictCursor) as cur:
                if self.count_query:
                    cur.execute(self.count_query)
                    rows.append((t, name, "bid_rows", list(cur.fetchone().values())[0]))
                rows.append((t, name, "up", 1))
                try:  # a replica's lag; an account without the privilege (Docker images) just has no figure
                    cur.execute("SHOW SLAVE STATUS")
                    status = cur.fetchone()
                    if status:
                        rows.append((t, name, "seconds_behind_master", status["Seconds_Behind_Master"]))
                except pymysql.MySQLError:
                    pass
        except pymysql.MySQLError:
            rows.append((t, name, "up", 0))
            self._drop_mysql(name)

    def _drop_mysql(self, name: str) -> None:
        conn = self._mysql.pop(name, None)
        if conn is not None:
            try:
                conn.close()
            except pymysql.MySQLError:
                pass


def unread(client, stream: str, last_delivered: str, cap: int = 10_000) -> int | None:
    """Entries after the group's last-delivered id (at most `cap`: more reads as None, not as a figure)."""
    entries = client.xrange(stream, min=f"({last_delivered}", max="+", count=cap + 1)
    return len(entries) if len(entries) <= cap else None
