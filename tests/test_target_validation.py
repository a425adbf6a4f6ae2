"""Target files (a team's own stack, harness/target_file.py) are checked before anything starts: a
complete file loads into the Target the lab gets; each rule, on a file that breaks that rule only, is
refused naming file, line and field; every problem is reported at once; no shape ends in a traceback.
No server is started here."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from configfile.yaml_lines import MAX_BYTES
from errors import ConfigError
from harness import target_file
from lab.config import ROOT
from lab.target_spec import BidCall, LogPatterns, MysqlCheck, ProcessSpec, StreamSpec, Target, TargetNode, VerifySpec

HEAD = ("name: t\n"                                          # 1
        "nodes:\n"                                           # 2
        "  r1: {kind: redis, as: redis-1, container: r1}\n"  # 3
        "  app: {kind: app, as: api, container: app}\n")     # 4: a rule's text starts on line 5
BID = 'bid: {url: "http://127.0.0.1:8080"}\n'  # added after the rule's text unless it gives its own bid
C = "  c: {kind: consumer, as: consumer-1, process: {"  # a consumer process node on line 5
M = "  m: {kind: mysql, as: mysql-1, container: m}\n"  # a mysql node on line 5
LOOPBACK_ONLY = ("is not a loopback address: only loopback addresses and the adopted containers' own addresses "
                 "are used unless allow_remote: true")


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "target.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def refused(tmp_path: Path, text: str | bytes) -> str:
    with pytest.raises(ConfigError) as err:
        target_file.load(write(tmp_path, text))
    return str(err.value)


def assert_only(msg: str, tmp_path: Path, line: int, field: str | None, why: str) -> None:
    """The one problem of the file, as FILE:LINE: field: why (FILE:LINE: why for a top-level key)."""
    assert msg.count("\n") == 0, f"more than one problem:\n{msg}"
    where = f"{tmp_path / 'target.yaml'}:{line}: " + (f"{field}: " if field else "")
    assert msg.startswith(where), msg
    assert why in msg, msg


def with_rule(body: str) -> str:
    return HEAD + body + "\n" + ("" if re.search(r"^bid:", body, re.M) else BID)


RULES = {
    # the top: known keys only, typed
    "unknown top key": ("colour: red", 5, None, "unknown key 'colour' (known: allow_remote, bid, env_file, logs, name, "
                                                "nodes, redis, sentinel, setup, stream, users, verify)"),
    "allow_remote a boolean": ("allow_remote: 'yes'", 5, "allow_remote", "must be true or false, not text 'yes'"),
    "a key given twice": ("name: u", 5, None, "key 'name' given twice (first on line 1)"),
    # nodes: what each is, what it plays, how it is acted on
    "node key a name": ('  "bad key": {kind: consumer, as: consumer-1, container: c}', 5, "nodes.bad key",
                        "'bad key' is not a name (letters, digits, ., _ and -"),
    "node a mapping": ("  c: 3", 5, "nodes.c", "must be a mapping (kind, as, and one of container, compose, process), "
                                               "not int 3"),
    "kind required": ("  c: {as: consumer-1, container: c}", 5, "nodes.c.kind", "missing"),
    "kind known": ("  c: {kind: queue, as: consumer-1, container: c}", 5, "nodes.c.kind",
                   "'queue' is not a kind (redis, sentinel, mysql, app, consumer)"),
    "kind text": ("  c: {kind: 3, as: consumer-1, container: c}", 5, "nodes.c.kind", "must be text, not int 3"),
    "as required": ("  c: {kind: consumer, container: c}", 5, "nodes.c.as",
                    "missing: the catalog name this consumer plays (consumer-1, consumer-2, "),
    "as a name of its kind": ("  c: {kind: consumer, as: redis-2, container: c}", 5, "nodes.c.as",
                              "'redis-2' is not a catalog name a consumer plays (consumer-1, consumer-2, consumer-3, "
                              "consumer-4, consumer-5, consumer-6, consumer-7, consumer-8)"),
    "as text": ("  c: {kind: consumer, as: [consumer-1], container: c}", 5, "nodes.c.as", "must be text, not a list"),
    "as played once": ("  r2: {kind: redis, as: redis-1, container: r2}", 5, "nodes.r2.as",
                       "'redis-1' is already played by nodes.r1 (line 3)"),
    "a way to act on it": ("  c: {kind: consumer, as: consumer-1}", 5, "nodes.c",
                           "give exactly one of container, compose, process"),
    "only one way": ("  r2: {kind: redis, as: redis-2, container: r2, compose: {project: p, service: s}}", 5, "nodes.r2",
                     "give exactly one of container, compose, process (not container and compose)"),
    "a redis is never a process": ("  r2: {kind: redis, as: redis-2, process: {command: redis-server}}", 5,
                                   "nodes.r2.process", "a redis the harness does not own must be a container"),
    "a mysql is never a process": ("  m: {kind: mysql, as: mysql-1, process: {command: mariadbd}}", 5,
                                   "nodes.m.process", "a mysql the harness does not own must be a container"),
    "a sentinel is never a process": ("  s: {kind: sentinel, as: sentinel-1, process: {command: redis-sentinel}}", 5,
                                      "nodes.s.process", "a sentinel the harness does not own must be a container"),
    "node unknown key": ("  r2: {kind: redis, as: redis-2, container: r2, image: redis}", 5, "nodes.r2.image",
                         "unknown key (known: as, compose, container, kind, port, process)"),
    "port at most 65535": ("  r2: {kind: redis, as: redis-2, container: r2, port: 70000}", 5, "nodes.r2.port",
                           "must be <= 65535 (got 70000)"),
    "port at least 1": ("  r2: {kind: redis, as: redis-2, container: r2, port: 0}", 5, "nodes.r2.port",
                        "must be >= 1 (got 0)"),
    "port a whole number": ("  r2: {kind: redis, as: redis-2, container: r2, port: '6380'}", 5, "nodes.r2.port",
                            "must be a whole number, not text '6380'"),
    "no port on a consumer": ("  c: {kind: consumer, as: consumer-1, container: c, port: 9000}", 5, "nodes.c.port",
                              "a consumer has no port"),
    "container a Docker name": ("  r2: {kind: redis, as: redis-2, container: -r2}", 5, "nodes.r2.container",
                                "'-r2' is not a Docker container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)"),
    "container text": ("  r2: {kind: redis, as: redis-2, container: 5}", 5, "nodes.r2.container",
                       "must be text, not int 5 (quote it)"),
    "compose a mapping": ("  r2: {kind: redis, as: redis-2, compose: p/s}", 5, "nodes.r2.compose",
                          "must be a mapping, not text 'p/s'"),
    "compose service required": ("  r2: {kind: redis, as: redis-2, compose: {project: p}}", 5,
                                 "nodes.r2.compose.service", "missing"),
    "compose project a name": ("  r2: {kind: redis, as: redis-2, compose: {project: My-Proj, service: s}}", 5,
                               "nodes.r2.compose.project", "'My-Proj' is not a Compose project name"),
    "compose unknown key": ("  r2: {kind: redis, as: redis-2, compose: {project: p, service: s, file: x}}", 5,
                            "nodes.r2.compose.file", "unknown key (known: project, service)"),
    "a key is no other node's catalog name": ("  redis-2: {kind: redis, as: redis-3, container: a}\n"
                                              "  r3: {kind: redis, as: redis-2, container: b}", 5, "nodes.redis-2",
                                              "the key 'redis-2' is the catalog name nodes.r3 plays (line 6)"),
    # a process the harness starts and owns
    "process a mapping": ("  c: {kind: consumer, as: consumer-1, process: node c.js}", 5, "nodes.c.process",
                          "must be a mapping, not text 'node c.js'"),
    "process not null": ("  c: {kind: consumer, as: consumer-1, process: null}", 5, "nodes.c.process",
                         "must be a mapping, not nothing"),
    "process unknown key": (C + "command: x, shell: true}}", 5, "nodes.c.process.shell",
                            "unknown key (known: client_settings, command, cwd, env, env_map, ready)"),
    "client settings a path": (C + "command: x, client_settings: internal}}", 5, "nodes.c.process.client_settings",
                               "must start with / (and hold no white space)"),
    "client settings of an app only": (C + "command: x, client_settings: /settings}}", 5,
                                       "nodes.c.process.client_settings",
                                       "only an app answers its client settings (a consumer has no address to ask)"),
    "ready path or port": (C + "command: x, ready: {timeout_s: 5}}}", 5, "nodes.c.process.ready",
                           "give exactly one of path (a GET that must answer) or port"),
    "command required": (C + "cwd: .}}", 5, "nodes.c.process.command", "missing"),
    "command not empty": (C + "command: ''}}", 5, "nodes.c.process.command", "must not be empty"),
    "command list not empty": (C + "command: []}}", 5, "nodes.c.process.command", "must not be empty"),
    "command splits into words": (C + "command: \"node 'c.js\"}}", 5, "nodes.c.process.command",
                                  "cannot be split into words (No closing quotation)"),
    "command words are text": (C + "command: [node, 3]}}", 5, "nodes.c.process.command[1]", "must be text, not int 3"),
    "command a line or words": (C + "command: {node: c.js}}}", 5, "nodes.c.process.command",
                                "must be a command line (text) or a list of words, not a mapping"),
    "cwd an existing directory": (C + "command: x, cwd: nowhere}}", 5, "nodes.c.process.cwd",
                                  "nowhere is not a directory (cwd is relative to the target file's folder)"),
    "cwd text": (C + "command: x, cwd: 5}}", 5, "nodes.c.process.cwd", "must be text, not int 5"),
    "env a mapping": (C + "command: x, env: [A]}}", 5, "nodes.c.process.env", "must be a mapping, not a list"),
    "env names variables": (C + "command: x, env: {1A: x}}}", 5, "nodes.c.process.env.1A",
                            "'1A' is not an environment variable name"),
    "env value text or a number": (C + "command: x, env: {A: [1]}}}", 5, "nodes.c.process.env.A",
                                   "must be text or a number, not a list"),
    "env value not a boolean": (C + "command: x, env: {A: true}}}", 5, "nodes.c.process.env.A",
                                "must be text or a number, not a boolean True (quote it)"),
    "env placeholder known": (C + "command: x, env: {A: \"redis://{redis}\"}}}", 5, "nodes.c.process.env.A",
                              "'{redis}' is not a placeholder (only {host:NODE}, {port:NODE}, {addr:NODE} and "
                              "{sentinels})"),
    "env placeholder names a node": (C + "command: x, env: {A: \"{host:nope}\"}}}", 5, "nodes.c.process.env.A",
                                     "'{host:nope}': 'nope' is not a node of this file"),
    "env placeholder needs a node": (C + "command: x, env: {A: \"{port:}\"}}}", 5, "nodes.c.process.env.A",
                                     "'{port:}' is not a placeholder"),
    "env placeholder not a consumer": (C + "command: x, env: {A: \"{addr:consumer-1}\"}}}", 5,
                                       "nodes.c.process.env.A", "consumer-1 is a consumer: it has no address"),
    "env_map a setting of the harness": (C + "command: x, env_map: {FAIRBID_ACK_DELAY: X}}}", 5,
                                         "nodes.c.process.env_map.FAIRBID_ACK_DELAY",
                                         "unknown setting FAIRBID_ACK_DELAY (the harness's: ack_delay_ms, "),
    "env_map by the harness's name": (C + "command: x, env_map: {ack_delay: X}}}", 5, "nodes.c.process.env_map.ack_delay",
                                      "or the stand-in's FAIRBID_* name of one)"),
    "env_map to a variable name": (C + "command: x, env_map: {FAIRBID_ACK_DELAY_MS: ACK-DELAY}}}", 5,
                                   "nodes.c.process.env_map.FAIRBID_ACK_DELAY_MS",
                                   "'ACK-DELAY' is not an environment variable name"),
    "env_map a setting once": (C + "command: x, env_map: {ack_delay_ms: A, FAIRBID_ACK_DELAY_MS: B}}}", 5,
                               "nodes.c.process.env_map.FAIRBID_ACK_DELAY_MS", "ack_delay_ms is mapped twice"),
    "env_map a variable once": (C + "command: x, env_map: {ack_delay_ms: A, claim_idle_ms: A}}}", 5,
                                "nodes.c.process.env_map.claim_idle_ms", "A already receives ack_delay_ms"),
    # sentinel and redis
    "sentinel address host:port or node": ("sentinel: {addresses: [nowhere]}", 5, "sentinel.addresses[0]",
                                           "'nowhere' is neither host:port nor a sentinel node of this file"),
    "sentinel host an IP literal": ('sentinel: {addresses: ["localhost:26379"]}', 5, "sentinel.addresses[0]",
                                    "the host must be an IP literal (Sentinel names masters by IP), not 'localhost'"),
    "sentinel port 1..65535": ('sentinel: {addresses: ["127.0.0.1:0"]}', 5, "sentinel.addresses[0]",
                               "the port must be a number 1..65535"),
    "sentinel port a number": ('sentinel: {addresses: ["127.0.0.1:x"]}', 5, "sentinel.addresses[0]",
                               "the port must be a number 1..65535"),
    "sentinel IPv6 in brackets": ('sentinel: {addresses: ["::1:26379"]}', 5, "sentinel.addresses[0]",
                                  "write an IPv6 address as [address]:port"),
    "sentinel address loopback": ('sentinel: {addresses: ["10.0.0.5:26379"]}', 5, "sentinel.addresses[0]",
                                  "10.0.0.5 " + LOOPBACK_ONLY),
    "sentinel address on its own line": ("sentinel:\n  addresses:\n    - 127.0.0.1:26379\n    - 10.0.0.5:26379", 8,
                                         "sentinel.addresses[1]", "10.0.0.5 " + LOOPBACK_ONLY),
    "sentinel node of kind sentinel": ("sentinel: {addresses: [r1]}", 5, "sentinel.addresses[0]",
                                       "'r1' is a redis node, not a sentinel"),
    "sentinel address text": ("sentinel: {addresses: [26379]}", 5, "sentinel.addresses[0]", "must be text, not int"),
    "sentinel address once": ('sentinel: {addresses: ["127.0.0.1:26379", "127.0.0.1:26379"]}', 5,
                              "sentinel.addresses[1]", "'127.0.0.1:26379' given twice"),
    "sentinel addresses a list": ('sentinel: {addresses: "127.0.0.1:26379"}', 5, "sentinel.addresses",
                                  "must be a non-empty list"),
    "sentinel addresses not empty": ("sentinel: {addresses: []}", 5, "sentinel.addresses", "must be a non-empty list"),
    "master_name Redis accepts": ('sentinel: {master_name: "my master"}', 5, "sentinel.master_name",
                                  "'my master' is not a Sentinel master name"),
    "sentinel password_env a variable": ("sentinel: {password_env: SENTINEL-PW}", 5, "sentinel.password_env",
                                         "'SENTINEL-PW' is not an environment variable name"),
    "sentinel password_env text": ("sentinel: {password_env: 5}", 5, "sentinel.password_env", "must be text"),
    "sentinel unknown key": ("sentinel: {quorum: 2}", 5, "sentinel.quorum",
                             "unknown key (known: addresses, master_name, password_env)"),
    "sentinel a mapping": ("sentinel: [a]", 5, "sentinel", "must be a mapping, not a list"),
    "redis password_env a variable": ("redis: {password_env: 1PW}", 5, "redis.password_env",
                                      "'1PW' is not an environment variable name"),
    "redis unknown key": ("redis: {db: 0}", 5, "redis.db", "unknown key (known: password_env)"),
    # the file never holds a secret
    "no sentinel password": ("sentinel: {password: hunter2}", 5, "sentinel.password",
                             "the target file never holds a secret: name the environment variable that holds it with "
                             "password_env"),
    "no redis password, any case": ("redis: {Password: 12345}", 5, "redis.Password", "with password_env"),
    "no mysql password": ('verify:\n  mysql: {dsn_env: D, query: "{ids}", password: pw}', 6, "verify.mysql.password",
                          "with password_env"),
    "no top-level token": ("token: abc", 5, "token", "the target file never holds a secret: name the environment "
                                                     "variable that holds it with a ..._env field"),
    "no secret in a node": ("  r2: {kind: redis, as: redis-2, container: r2, secret: s}", 5, "nodes.r2.secret",
                            "never holds a secret"),
    "no password in a process env": (C + "command: x, env: {DB_PASSWORD: pw}}}", 5, "nodes.c.process.env.DB_PASSWORD",
                                     "leave it out of env: put it in the environment or in env_file"),
    "no token header": ('bid: {url: "http://127.0.0.1:8080", headers: {X-Api-Token: abc}}', 5,
                        "bid.headers.X-Api-Token", "never holds a secret"),
    "no secret in the body": ('bid: {url: "http://127.0.0.1:8080", body: {amount: "{amount}", secret: s3}}', 5,
                              "bid.body.secret", "never holds a secret"),
    # the bid
    "url required": ("bid: {path: /x}", 5, "bid.url", "missing"),
    "url text": ("bid: {url: 8080}", 5, "bid.url", "must be text, not int 8080"),
    "url http or https": ('bid: {url: "ftp://127.0.0.1"}', 5, "bid.url", "must start with http:// or https://"),
    "url has a scheme": ('bid: {url: "127.0.0.1:8080"}', 5, "bid.url", "must start with http:// or https://"),
    "url no path": ('bid: {url: "http://127.0.0.1:8080/api"}', 5, "bid.url",
                    "the url is scheme, host and port only; give the path in bid.path"),
    "url no query": ('bid: {url: "http://127.0.0.1:8080/?a=1"}', 5, "bid.url", "the url is scheme, host and port only"),
    "url has a host": ('bid: {url: "http://:8080"}', 5, "bid.url", "names no host"),
    "url port in range": ('bid: {url: "http://127.0.0.1:99999"}', 5, "bid.url", "is not a URL"),
    "url port not 0": ('bid: {url: "http://127.0.0.1:0"}', 5, "bid.url", "the port must be 1..65535"),
    "url no credentials": ('bid: {url: "http://u:p@127.0.0.1:8080"}', 5, "bid.url", "must hold no user or password"),
    "url host loopback": ('bid: {url: "http://10.1.2.3:8080"}', 5, "bid.url", "10.1.2.3 " + LOOPBACK_ONLY),
    "url host name loopback": ('bid: {url: "https://bids.example.com"}', 5, "bid.url", "bids.example.com " + LOOPBACK_ONLY),
    "path starts with /": ('bid: {url: "http://127.0.0.1:8080", path: api/bids}', 5, "bid.path",
                           "'api/bids' must start with /"),
    "method known": ('bid: {url: "http://127.0.0.1:8080", method: TRACE}', 5, "bid.method",
                     "'TRACE' is not a method (GET, POST, PUT, PATCH, DELETE)"),
    "method on its own line": ('bid:\n  url: "http://127.0.0.1:8080"\n  method: post', 7, "bid.method",
                               "'post' is not a method"),
    "body a mapping": ('bid: {url: "http://127.0.0.1:8080", body: 5}', 5, "bid.body", "must be a mapping or a list"),
    "body placeholders known": ('bid: {url: "http://127.0.0.1:8080", body: {auctionId: "{auction_id}"}}', 5,
                                "bid.body.auctionId",
                                "{auction_id} is filled by nothing in a bid (known here: {amount}, {auction}, {key}, "
                                "{user})"),
    "nested body placeholders known": ('bid: {url: "http://127.0.0.1:8080", body: {bid: {who: "u-{usr}"}}}', 5,
                                       "bid.body.bid.who", "{usr} is filled by nothing in a bid"),
    "body no stray brace": ('bid: {url: "http://127.0.0.1:8080", body: {tags: "a}"}}', 5, "bid.body.tags",
                            "holds a brace that is no placeholder (write {{ or }} for a literal brace)"),
    "path placeholders known": ('bid: {url: "http://127.0.0.1:8080", path: "/a/{lot}/bids"}', 5, "bid.path",
                                "{lot} is filled by nothing in a bid"),
    "query placeholders known": ('bid: {url: "http://127.0.0.1:8080", query: {u: "{who}"}}', 5, "bid.query.u",
                                 "{who} is filled by nothing in a bid"),
    "header placeholders known": ('bid: {url: "http://127.0.0.1:8080", headers: {X-User-Id: "{uid}"}}', 5,
                                  "bid.headers.X-User-Id", "{uid} is filled by nothing in a bid"),
    "login fills only its bidder's": ('users: {from: 1, to: 9, login: {path: "/login/{usr}", capture: {t: a}}}', 5,
                                      "users.login.path", "{usr} is filled by nothing in the login (only {user})"),
    "setup fills only {n}": ('setup: [{name: lots, path: "/lots/{user}", capture: {lot: data.id}}]', 5,
                             "setup[0].path", "{user} is filled by nothing in a setup step"),
    "setup path or sql": ("setup: [{name: lots}]", 5, "setup[0]", "give exactly one of path"),
    "users leave a bidder": ("users: {from: 5, to: 5, exclude: [5]}", 5, "users.exclude", "leaves no user in the pool"),
    "refusal needs in": ('bid: {url: "http://127.0.0.1:8080", refusals: [{status: 400, code: error.code}]}', 5,
                         "bid.refusals[0].code", "needs in: the codes that are refusals"),
    "a 2xx refusal by its code": ('bid: {url: "http://127.0.0.1:8080", refusals: [{status: 200}]}', 5,
                                  "bid.refusals[0].status", "a 2xx is a refusal only by its code"),
    "identity or id_field": ('bid: {url: "http://127.0.0.1:8080", id_field: id, identity: {a: data.a}}', 5,
                             "bid.identity", "give id_field (the reply names the stored write) or identity"),
    "identity sent known": ('bid: {url: "http://127.0.0.1:8080", identity: {a: {reply: data.a, sent: "{x}"}}}', 5,
                            "bid.identity.a.sent", "{x} is filled by nothing in a bid"),
    "body no null": ('bid: {url: "http://127.0.0.1:8080", body: {a: null}}', 5, "bid.body.a", "not nothing"),
    "id_field a dotted path": ('bid: {url: "http://127.0.0.1:8080", id_field: a..b}', 5, "bid.id_field",
                               "'a..b' is not a dotted path"),
    "idempotency_header a header name": ('bid: {url: "http://127.0.0.1:8080", idempotency_header: Idem Key}', 5,
                                         "bid.idempotency_header", "'Idem Key' is not an HTTP header name"),
    "refused renamed": ('bid: {url: "http://127.0.0.1:8080", refused: [409]}', 5, "bid.refused",
                        "is now not_stored (statuses after which nothing was stored)"),
    "not_stored 400..599": ('bid: {url: "http://127.0.0.1:8080", not_stored: [400, 200]}', 5, "bid.not_stored[1]",
                            "(400..599), not 200"),
    "not_stored below 600": ('bid: {url: "http://127.0.0.1:8080", not_stored: [600]}', 5, "bid.not_stored[0]",
                             "not 600"),
    "not_stored whole numbers": ('bid: {url: "http://127.0.0.1:8080", not_stored: [400, "409"]}', 5,
                                 "bid.not_stored[1]", "must be a whole number, not text '409'"),
    "not_stored not booleans": ('bid: {url: "http://127.0.0.1:8080", not_stored: [true]}', 5, "bid.not_stored[0]",
                                "must be a whole number, not a boolean"),
    "no Authorization header": ('bid: {url: "http://127.0.0.1:8080", headers: {Authorization: "Bearer x"}}', 5,
                                "bid.headers.Authorization", "Authorization holds a credential: the target file never holds one"),
    "no Cookie header, any case": ('bid: {url: "http://127.0.0.1:8080", headers: {cookie: "a=b"}}', 5,
                                   "bid.headers.cookie", "cookie holds a credential"),
    "header names": ('bid: {url: "http://127.0.0.1:8080", headers: {"X Team": a}}', 5, "bid.headers.X Team",
                     "'X Team' is not an HTTP header name"),
    "header values text": ('bid: {url: "http://127.0.0.1:8080", headers: {X-Team: [5]}}', 5, "bid.headers.X-Team",
                           "must be text or a number, not a list"),
    "headers a mapping": ('bid: {url: "http://127.0.0.1:8080", headers: [a]}', 5, "bid.headers", "must be a mapping"),
    "header not the idempotency header": ('bid: {url: "http://127.0.0.1:8080", idempotency_header: Idempotency-Key, '
                                          'headers: {idempotency-key: x}}', 5, "bid.headers.idempotency-key",
                                          "is the idempotency_header: the harness sets it on each bid"),
    "bid unknown key": ('bid: {url: "http://127.0.0.1:8080", timeout: 3}', 5, "bid.timeout",
                        "unknown key (known: amount, bodies, body, error_message, headers, id_field, idempotency_header, "
                        "identity, method, not_stored, path, query, refusals, url)"),
    # verification
    "redis_key holds {id}": ('verify: {redis_key: "bid:x"}', 5, "verify.redis_key", "'bid:x' must contain {id}"),
    "redis_key only {id}": ('verify: {redis_key: "bid:{id}:{x}"}', 5, "verify.redis_key",
                            "'{x}' is not a placeholder here (only {id})"),
    "idempotency_key holds {key}": ('verify: {idempotency_key: "idem:x"}', 5, "verify.idempotency_key",
                                    "must contain {key}"),
    "idempotency_key text": ("verify: {idempotency_key: 5}", 5, "verify.idempotency_key", "must be text"),
    "mysql query required": ("verify: {mysql: {dsn_env: D}}", 5, "verify.mysql", "give query (by the bid id"),
    "mysql query holds {ids}": ('verify: {mysql: {dsn_env: D, query: "SELECT 1"}}', 5, "verify.mysql.query",
                                "'SELECT 1' must contain {ids}"),
    "mysql account given": ('verify: {mysql: {query: "{ids}"}}', 5, "verify.mysql",
                            "give exactly one of dsn_env (mysql://user:password@host:port/db in that variable) or node"),
    "mysql account given once": (M + 'verify:\n  mysql: {dsn_env: D, node: m, user: u, password_env: P, database: d, '
                                 'query: "{ids}"}', 7, "verify.mysql", "(not both)"),
    "mysql node of kind mysql": ('verify: {mysql: {node: r1, user: u, password_env: P, database: d, query: "{ids}"}}', 5,
                                 "verify.mysql.node", "'r1' is a redis node, not a mysql"),
    "mysql node of this file": ('verify: {mysql: {node: db, user: u, password_env: P, database: d, query: "{ids}"}}', 5,
                                "verify.mysql.node", "'db' is not a mysql node of this file"),
    "mysql node needs user": (M + 'verify:\n  mysql: {node: m, password_env: P, database: d, query: "{ids}"}', 7,
                              "verify.mysql.user", "missing: with node, give user, password_env and database"),
    "mysql node needs password_env": (M + 'verify:\n  mysql: {node: mysql-1, user: u, database: d, query: "{ids}"}', 7,
                                      "verify.mysql.password_env", "missing: with node"),
    "mysql node needs database": (M + 'verify:\n  mysql: {node: m, user: u, password_env: P, query: "{ids}"}', 7,
                                  "verify.mysql.database", "missing: with node"),
    "mysql dsn_env holds the account": ('verify: {mysql: {dsn_env: D, user: u, query: "{ids}"}}', 5, "verify.mysql.user",
                                        "only with node: dsn_env already names the account"),
    "mysql dsn_env a variable": ('verify: {mysql: {dsn_env: MYSQL-DSN, query: "{ids}"}}', 5, "verify.mysql.dsn_env",
                                 "'MYSQL-DSN' is not an environment variable name"),
    "mysql unknown key": ('verify: {mysql: {dsn_env: D, query: "{ids}", host: h}}', 5, "verify.mysql.host",
                          "unknown key"),
    "mysql a mapping": ("verify: {mysql: dsn}", 5, "verify.mysql", "must be a mapping, not text 'dsn'"),
    "http path holds {id}": ("verify: {http: {path: /api/bids}}", 5, "verify.http.path", "'/api/bids' must contain {id}"),
    "http path starts with /": ('verify: {http: {path: "api/{id}"}}', 5, "verify.http.path", "must start with /"),
    "http path required": ("verify: {http: {}}", 5, "verify.http.path", "missing"),
    "verify unknown key": ("verify: {kafka: x}", 5, "verify.kafka",
                           "unknown key (known: http, idempotency_key, mysql, redis_key)"),
    "verify a mapping": ("verify: [a]", 5, "verify", "must be a mapping, not a list"),
    # the stream and the consumer's log lines
    "stream key required": ("stream: {group: g}", 5, "stream.key", "missing"),
    "stream group text": ("stream: {key: s, group: 5}", 5, "stream.group", "must be text, not int 5"),
    "stream group not empty": ("stream: {key: s, group: ''}", 5, "stream.group", "must not be empty"),
    "stream id_field not empty": ("stream: {key: s, group: g, id_field: ''}", 5, "stream.id_field", "must not be empty"),
    "stream unknown key": ("stream: {key: s, group: g, consumer: c}", 5, "stream.consumer",
                           "unknown key (known: dead_letter, dead_letter_source_field, group, id_field, key, key_fields)"),
    "stream a mapping": ("stream: bid-stream", 5, "stream", "must be a mapping"),
    "log pattern a regex": ('logs: {persist_error: "("}', 5, "logs.persist_error",
                            "'(' is not a regular expression (missing ), unterminated subpattern at position 0)"),
    "log pattern one group at most": ('logs: {redelivered: "(a) (b)"}', 5, "logs.redelivered",
                                      "has 2 groups: at most one (the count the line reports)"),
    "log pattern not empty": ("logs: {redelivered: ''}", 5, "logs.redelivered", "must not be empty"),
    "log pattern text": ("logs: {persist_error: 5}", 5, "logs.persist_error", "must be text"),
    "logs unknown key": ("logs: {errors: x}", 5, "logs.errors",
                         "unknown key (known: persist_error, reader_stopped, redelivered)"),
    # env_file
    "env_file exists": ("env_file: nope.env", 5, "env_file", "nope.env is not a file (env_file is relative to the "
                                                             "target file's folder)"),
    "env_file a file": ("env_file: .", 5, "env_file", "is not a file"),
    "env_file text": ("env_file: 5", 5, "env_file", "must be text, not int 5"),
}


@pytest.mark.parametrize("rule", RULES)
def test_each_rule_refuses_its_field_naming_file_and_line(tmp_path, rule):
    body, line, field, why = RULES[rule]
    assert_only(refused(tmp_path, with_rule(body)), tmp_path, line, field, why)


NODES = "name: t\nnodes:\n"  # nodes from line 3
FILES = {
    "name required": ("nodes: {r1: {kind: redis, as: redis-1, container: r1}, app: {kind: app, as: api, container: a}}\n"
                      + BID, 1, "name", "missing"),
    "name a name": ('name: "../x"\n' + HEAD[len("name: t\n"):] + BID, 1, "name", "'../x' is not a name"),
    "name text": ("name: 5\n" + HEAD[len("name: t\n"):] + BID, 1, "name", "must be text, not int 5"),
    "nodes required": ("name: t\n" + BID, 1, "nodes", "missing: the nodes of the stack"),
    "nodes a mapping": ("name: t\nnodes: [r1]\n" + BID, 2, "nodes", "must be a mapping of node name to node, not a list"),
    "nodes not empty": ("name: t\nnodes: {}\n" + BID, 2, "nodes", "names no node"),
    "a redis node": (NODES + "  app: {kind: app, as: api, container: app}\n" + BID, 3, "nodes",
                     "no node of kind redis: a target has at least one"),
    "redis-1 played": (NODES + "  r2: {kind: redis, as: redis-2, container: r2}\n  app: {kind: app, as: api, container: a}\n"
                       + BID, 3, "nodes", "no node plays redis-1"),
    "api played": (NODES + "  r1: {kind: redis, as: redis-1, container: r1}\n  a2: {kind: app, as: api-2, container: a}\n"
                   + BID, 3, "nodes", "no node plays api (an app node with as: api)"),
    "bid required": (HEAD, 1, "bid", "missing: how a bid is placed"),
    "bid a mapping": (HEAD + "bid: http://127.0.0.1:8080\n", 5, "bid", "must be a mapping, not text"),
}


@pytest.mark.parametrize("rule", FILES)
def test_what_every_target_needs(tmp_path, rule):
    text, line, field, why = FILES[rule]
    assert_only(refused(tmp_path, text), tmp_path, line, field, why)


FULL = """\
name: plan-stack
nodes:
  redis-master:   {kind: redis, as: redis-1, container: redis-master}
  redis-slave-1:  {kind: redis, as: redis-2, compose: {project: plan, service: redis-slave-1}, port: 6380}
  sentinel-1:     {kind: sentinel, as: sentinel-1, container: sentinel-1}
  fairbid-app:    {kind: app, as: api, container: fairbid-app}
  fairbid-mysql:  {kind: mysql, as: mysql-1, container: fairbid-mysql}
  consumer-1:     {kind: consumer, as: consumer-1,
                   process: {command: "node consumer.js --id=1", cwd: .,
                             env: {REDIS_ADDR: "{addr:redis-master}", SENTINELS: "{sentinels}", MYSQL_PORT: "{port:mysql-1}",
                                   WORKERS: 2},
                             env_map: {ack_delay_ms: ACK_DELAY_MS, FAIRBID_CLAIM_IDLE_MS: CLAIM_IDLE_MS}}}
sentinel: {addresses: ["127.0.0.1:26379", sentinel-1], master_name: mymaster, password_env: SENTINEL_PASSWORD}
redis: {password_env: REDIS_PASSWORD}
bid: {url: "http://127.0.0.1:8080/", method: POST, path: /api/bids,
      body: {auctionId: "{auction}", userId: "user-{user}", amount: "{amount}", meta: {source: load, retry: false}},
      id_field: data.bidId, idempotency_header: Idempotency-Key, not_stored: [400, 409, 422], headers: {X-Team: auctions}}
verify:
  redis_key: "bid:{id}"
  idempotency_key: "idem:{key}"
  mysql: {dsn_env: MYSQL_DSN, query: "SELECT bid_id FROM bid WHERE bid_id IN ({ids})", count_query: "SELECT COUNT(*) FROM bid"}
  http: {path: "/api/bids/{id}"}
stream: {key: bid-stream, group: bid-group, dead_letter: bid-stream-dead, dead_letter_source_field: sourceId}
logs: {persist_error: 'persist failed(?: x(\\d+))?', redelivered: 'redelivered (\\d+)'}
env_file: stack.env
"""


def test_a_complete_file_loads_into_the_target_the_lab_gets(tmp_path):
    (tmp_path / "stack.env").write_text("REDIS_PASSWORD=x\n")
    path = write(tmp_path, FULL)
    consumer = ProcessSpec(command=("node", "consumer.js", "--id=1"), cwd=tmp_path.resolve(),
                           env={"REDIS_ADDR": "{addr:redis-master}", "SENTINELS": "{sentinels}",
                                "MYSQL_PORT": "{port:mysql-1}", "WORKERS": "2"},
                           env_map={"ack_delay_ms": "ACK_DELAY_MS", "claim_idle_ms": "CLAIM_IDLE_MS"})
    expected = Target(
        name="plan-stack", path=path.resolve(),
        nodes=(TargetNode("redis-master", "redis", "redis-1", container="redis-master", port=6379, line=3),
               TargetNode("redis-slave-1", "redis", "redis-2", compose=("plan", "redis-slave-1"), port=6380, line=4),
               TargetNode("sentinel-1", "sentinel", "sentinel-1", container="sentinel-1", port=26379, line=5),
               TargetNode("fairbid-app", "app", "api", container="fairbid-app", port=8080, line=6),
               TargetNode("fairbid-mysql", "mysql", "mysql-1", container="fairbid-mysql", port=3306, line=7),
               TargetNode("consumer-1", "consumer", "consumer-1", process=consumer, port=None, line=8)),
        master_name="mymaster", sentinel_addresses=("127.0.0.1:26379", "sentinel-1"),
        sentinel_password_env="SENTINEL_PASSWORD", redis_password_env="REDIS_PASSWORD",
        bid=BidCall(url="http://127.0.0.1:8080", path="/api/bids", method="POST",
                    body={"auctionId": "{auction}", "userId": "user-{user}", "amount": "{amount}",
                          "meta": {"source": "load", "retry": False}},
                    id_field="data.bidId", idempotency_header="Idempotency-Key", not_stored=(400, 409, 422),
                    headers={"X-Team": "auctions"}),
        verify=VerifySpec(redis_key="bid:{id}", idempotency_key="idem:{key}",
                          mysql=MysqlCheck(query="SELECT bid_id FROM bid WHERE bid_id IN ({ids})",
                                           count_query="SELECT COUNT(*) FROM bid", dsn_env="MYSQL_DSN"),
                          http_path="/api/bids/{id}"),
        stream=StreamSpec(key="bid-stream", group="bid-group", dead_letter="bid-stream-dead",
                          dead_letter_source_field="sourceId"),
        logs=LogPatterns(persist_error=r"persist failed(?: x(\d+))?", redelivered=r"redelivered (\d+)"),
        env_file=(tmp_path / "stack.env").resolve(), allow_remote=False)
    target = target_file.load(path)
    assert target == expected
    assert isinstance(target.nodes, tuple) and isinstance(target.nodes[-1].process.command, tuple)
    assert type(target.bid.body) is dict and type(target.bid.body["meta"]) is dict
    assert target.node("api").key == "fairbid-app" and target.count("redis") == 2


def test_what_a_file_leaves_out_takes_its_default(tmp_path):
    target = target_file.load(write(tmp_path, HEAD + BID))
    assert target == Target(name="t", path=(tmp_path / "target.yaml").resolve(),
                            nodes=(TargetNode("r1", "redis", "redis-1", container="r1", port=6379, line=3),
                                   TargetNode("app", "app", "api", container="app", port=8080, line=4)),
                            bid=BidCall(url="http://127.0.0.1:8080"))
    assert target.verify == VerifySpec() and target.stream is None and target.logs == LogPatterns()
    assert target.sentinel_addresses == () and target.master_name == "mymaster" and not target.allow_remote
    assert target.bid.body == {"auctionId": "{auction}", "userId": "{user}", "amount": "{amount}"}
    assert target_file.load(write(tmp_path, HEAD + BID + "verify:\n")).verify == VerifySpec()  # empty: nothing measured
    assert target_file.load(write(tmp_path, HEAD + BID + "verify: {}\n")).verify == VerifySpec()


def test_other_shapes_a_target_may_take(tmp_path):
    (tmp_path / "svc").mkdir()
    text = (HEAD + "  api-2: {kind: app, as: api-2, process: {command: [python, '-m', 'svc', ''], cwd: svc}, port: 8081}\n"
            "  db: {kind: mysql, as: mysql-1, container: db}\n"
            "  s1: {kind: sentinel, as: sentinel-1, container: s1}\n"
            "  s2: {kind: sentinel, as: sentinel-2, container: s2, port: 26380}\n"
            "  c2: {kind: consumer, as: consumer-2, process: {command: ./consumer, env_map: {FAIRBID_REDIS_PASSWORD: RPW},"
            " env: {PASSWORD_HINT: x, AUTH_TOKEN: '{host:s1}'}}}\n"
            'sentinel: {addresses: [s1, sentinel-2, "[::1]:26379", "10.0.0.7:26379"]}\n'
            'bid: {url: "https://bids.example.com:8443", method: PUT, body: {password: "{key}", n: 3}}\n'
            'verify: {mysql: {node: mysql-1, user: bids, password_env: MYSQL_PASSWORD, database: fairbid, query: "{ids}"}}\n'
            "allow_remote: true\n")
    target = target_file.load(write(tmp_path, text))
    api2 = target.node("api-2")
    assert api2.process == ProcessSpec(command=("python", "-m", "svc", ""), cwd=(tmp_path / "svc").resolve())
    assert api2.port == 8081 and target.node("sentinel-2").port == 26380
    assert target.node("consumer-2").process.env_map == {"redis_password": "RPW"}  # a variable's name
    assert target.node("consumer-2").process.env == {"PASSWORD_HINT": "x", "AUTH_TOKEN": "{host:s1}"}  # not a literal
    assert target.sentinel_addresses == ("s1", "sentinel-2", "[::1]:26379", "10.0.0.7:26379")
    assert target.bid == BidCall(url="https://bids.example.com:8443", method="PUT", body={"password": "{key}", "n": 3})
    assert target.verify.mysql == MysqlCheck(query="{ids}", node="mysql-1", user="bids", password_env="MYSQL_PASSWORD",
                                             database="fairbid")
    assert target.allow_remote


def test_loopback_names_pass_without_allow_remote(tmp_path):
    text = HEAD + 'sentinel: {addresses: ["127.0.0.2:26379", "[::1]:26380"]}\nbid: {url: "http://localhost:8080"}\n'
    target = target_file.load(write(tmp_path, text))
    assert target.bid.url == "http://localhost:8080" and len(target.sentinel_addresses) == 2


def test_every_problem_is_reported_at_once_in_file_order(tmp_path):
    text = ("name: t\n"
            "nodes:\n"
            "  r1: {kind: redis, as: redis-1, container: r1, port: 0}\n"
            "  r2: {kind: redis, as: redis-1, container: r2}\n"
            "  app: {kind: app, as: api, process: {command: x, cwd: nowhere}}\n"
            "sentinel: {addresses: ['10.0.0.1:26379'], password: pw}\n"
            "bid: {url: 'http://127.0.0.1:8080/api', method: TRACE, headers: {Cookie: c}}\n"
            "verify: {redis_key: 'bid', mysql: {query: q}}\n"
            "logs: {persist_error: '('}\n"
            "env_file: none.env\n"
            "colour: 1\n")
    lines = refused(tmp_path, text).splitlines()
    src = str(tmp_path / "target.yaml")
    assert lines[0] == f"{src}: 14 problems, nothing was started:"
    where = [tuple(x.strip().split(": ")[:2]) for x in lines[1:]]
    assert where == [(f"{src}:3", "nodes.r1.port"), (f"{src}:4", "nodes.r2.as"), (f"{src}:5", "nodes.app.process.cwd"),
                     (f"{src}:6", "sentinel.password"), (f"{src}:6", "sentinel.addresses[0]"), (f"{src}:7", "bid.url"),
                     (f"{src}:7", "bid.method"), (f"{src}:7", "bid.headers.Cookie"), (f"{src}:8", "verify.redis_key"),
                     (f"{src}:8", "verify.mysql.query"), (f"{src}:8", "verify.mysql"), (f"{src}:9", "logs.persist_error"),
                     (f"{src}:10", "env_file"), (f"{src}:11", "unknown key 'colour' (known")]


def test_a_file_that_is_not_utf8_text_is_refused(tmp_path):
    msg = refused(tmp_path, HEAD.encode() + b"colour: caf\xe9\n")
    offset = len(HEAD) + len("colour: caf")
    assert msg == f"{tmp_path / 'target.yaml'}:5: not UTF-8 text (byte 0xe9 at offset {offset})"


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    msg = refused(tmp_path, HEAD + BID + "# " + "x" * MAX_BYTES + "\n")
    assert msg == f"{tmp_path / 'target.yaml'}: larger than {MAX_BYTES} bytes; not a target file"


def test_a_binary_file_and_an_alias_bomb_are_refused(tmp_path):
    assert refused(tmp_path, HEAD + "name: a\x00b\n").startswith(f"{tmp_path / 'target.yaml'}:5: not text: character #x0000")
    lol = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8))
    assert "more than 100000 values once its aliases are expanded" in refused(tmp_path, HEAD + lol)


def test_a_file_that_is_not_a_mapping_says_what_a_target_file_holds(tmp_path):
    assert refused(tmp_path, "- a\n") == (f"{tmp_path / 'target.yaml'}:1: expected a mapping at the top "
                                          "(name: ..., nodes: ..., bid: ...)")


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="cannot be read"):
        target_file.load(tmp_path / "none.yaml")


def test_the_source_is_relative_to_the_repository_inside_it_else_as_given(tmp_path, monkeypatch):
    assert target_file.source(ROOT / "examples" / "plan-stack" / "target.yaml") == "examples/plan-stack/target.yaml"
    with pytest.raises(ConfigError) as err:  # a file of the repository that is no target file
        target_file.load(ROOT / "tests" / "lab.unit.yaml")
    assert str(err.value).startswith("tests/lab.unit.yaml")
    write(tmp_path, HEAD + "colour: 1\n" + BID)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as err:
        target_file.load("target.yaml")
    assert str(err.value).startswith("target.yaml:5: unknown key 'colour'")


@pytest.mark.parametrize("text", [
    "", "just text\n", "- a\n- b\n", "name: t\nnodes: 3\nbid: [1]\nsentinel: x\nredis: 1\nverify: 2\nstream: [a]\nlogs: 5\n",
    "name: [t]\nnodes: {a: [1], b: null, c: {kind: [x], as: {y: 1}, container: [z], compose: 3, process: [1], port: x}}\n",
    "name: t\nnodes: {c: {kind: consumer, as: consumer-1, process: {command: null, cwd: [x], env: 3, env_map: [1]}}}\n",
    "name: t\nnodes: {c: {kind: app, as: api, process: {command: x, env: {A: {b: 1}}, env_map: {ack_delay_ms: [1]}}}}\n",
    "name: t\nbid: {url: [x], path: 3, method: [POST], body: {a: {b: [1, {c: 2}]}}, refused: [[400]], headers: {A: [1]}}\n",
    "name: t\nbid: {url: 'http://[::1', id_field: 3, idempotency_header: [x], body: {a: .inf}}\n",
    "name: t\nsentinel: {addresses: [[1], {a: 1}, null, ':', '[x]:1', '1.2.3.4:99999999'], master_name: 3}\n",
    "name: t\nverify: {redis_key: [1], mysql: {query: 3, node: [1], dsn_env: {a: 1}}, http: [x]}\n",
    "name: t\nstream: {key: [1], group: {a: 1}}\nlogs: {persist_error: [1], redelivered: '(?P<x'}\nenv_file: [a]\n",
    "name: t\nenv_file: '" + "x" * 5000 + "'\nnodes: {c: {kind: consumer, as: consumer-1, process: {command: x, cwd: '"
    + "y" * 5000 + "'}}}\n",
    "? [a]\n: 1\n", "name: t\n---\nname: u\n", "name: t\npassword: [1, {token: 2}]\nbid: {secret: {a: 1}}\n",
])
def test_malformed_files_end_in_a_config_error_never_a_traceback(tmp_path, text):
    refused(tmp_path, text)


def test_the_fairbid_example_is_described_by_its_target_file_alone(tmp_path):
    """The worked example's contract, as the load would send it: path and header filled, a typed amount in
    DIRECT bodies only, refusals by code, an identity where the reply names no id, fixtures before the load.
    (A copy beside an empty .env: the real one is made by scripts/fairbid-stack.sh up.)"""
    import random

    from harness import bidders
    from lab import service

    (tmp_path / ".env").write_text("")
    (tmp_path / "target.yaml").write_text((ROOT / "examples" / "fairbid" / "target.yaml").read_text())
    t = target_file.load(tmp_path / "target.yaml")
    model = service.from_target(t)
    assert [s.name for s in t.setup] == ["auctions"] and t.setup[0].repeat == 20
    assert t.setup[0].capture == {"auction": "data.id"} and t.users.exclude == (9999,)
    values = {**bidders.draw({"auction": [41]}, 20), "user": bidders.draw_user(t.users), "amount": 23000, "key": "k"}
    sent = {model.bid_request(values, random.Random(seed)).body["bidType"]: model.bid_request(values, random.Random(seed))
            for seed in range(40)}
    assert set(sent) == {"ONE_TOUCH", "DIRECT"} and sent["DIRECT"].body["amount"] == 23000
    assert sent["ONE_TOUCH"].path == "/api/v1/auctions/41/bids" and sent["ONE_TOUCH"].headers["X-User-Id"] != "9999"
    assert model.sent_key(values, sent["ONE_TOUCH"].used) == ""  # the server chooses a ONE_TOUCH amount
    assert model.classify(400, {"error": {"code": "BID_TOO_LOW"}}, "") == ("refused", "BID_TOO_LOW")
    assert model.classify(400, {"error": {"code": "VALIDATION_ERROR"}}, "")[0] == "fail"
    assert model.classify(500, {"error": {"code": "INTERNAL_SERVER_ERROR"}}, "")[0] == "unknown"
    consumer = t.node("consumer-1").process
    assert consumer.env_scale == {"claim_interval_s": 1000} and "ack_delay_ms" in consumer.env_absent


def test_a_token_captured_by_the_login_may_fill_a_credential_header(tmp_path):
    """Only a literal credential is refused: a login's captured token is a reply path, and the header it fills
    holds no secret of the file."""
    text = (HEAD + 'users: {from: 1, to: 9, login: {path: /session, body: {name: "{user}"}, capture: {token: session.token}}}\n'
            'bid: {url: "http://127.0.0.1:8080", path: "/lots/{auction}/offers", headers: {Authorization: "Bearer {token}"}}\n')
    t = target_file.load(write(tmp_path, text))
    assert t.users.login.capture == {"token": "session.token"} and t.bid.headers == {"Authorization": "Bearer {token}"}


def test_a_sql_setup_step_names_its_node_by_key_and_runs_on_its_catalog_name(tmp_path):
    text = (HEAD + M + 'setup: [{name: sellers, repeat: 3, sql: "INSERT INTO seller VALUES ({n})", node: m}]\n' + BID)
    step = target_file.load(write(tmp_path, text)).setup[0]
    assert (step.node, step.sql, step.repeat) == ("mysql-1", "INSERT INTO seller VALUES ({n})", 3)


def test_a_hash_tagged_key_writes_its_braces_doubled_and_they_reach_the_store_single(tmp_path):
    """Redis Cluster's hash tags are braces, as placeholders are: `{{` and `}}` are literal braces in a
    target's key templates and requests, so a key kept in its bid's own slot can be described."""
    from lab import templates

    target = target_file.load(write(tmp_path, HEAD + BID + 'verify: {redis_key: "bid:{{{id}}}", '
                                                           'idempotency_key: "idem:{{{key}}}"}\n'))
    assert target.verify.redis_key.format(id="42") == "bid:{42}"  # how verification looks it up
    assert target.verify.idempotency_key.format(key="k-1") == "idem:{k-1}"
    assert templates.fill_text("/auctions/{{{auction}}}/bids", {"auction": 7}) == "/auctions/{7}/bids"
    assert "literal brace" in refused(tmp_path, HEAD + BID + 'verify: {redis_key: "bid:{id}:{"}\n')
    target = target_file.load(write(tmp_path, HEAD + BID + 'verify: {redis_key: "bid:{{tag}}:{id}"}\n'))
    assert target.verify.redis_key.format(id="9") == "bid:{tag}:9"  # a literal tag is no placeholder
