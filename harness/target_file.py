"""Target files: a team's own stack (DESIGN.md, "A team's own stack: the target file"), read into
lab.target_spec.Target. Everything is validated on load, in one pass, before anything starts: every
field typed and checked, every problem reported at once as `FILE:LINE: path.to.field: why`, in one
ConfigError. The file names what the harness may act on and nothing else, and never holds a secret:
passwords are named by the environment variable that holds them (`*_env`).

Accepted (every key optional unless marked *):

    name*: text (letters, digits, ., _, -)
    nodes*: {KEY: {kind*: KINDS, as*: PLAYS[kind], container: NAME | compose: {project*, service*}
                   | process: {command*: text or [words], cwd: dir, env: {VAR: text or number},
                               env_map: {SETTING: VAR | {var, scale} | null},   # lab/service_settings.py
                               ready: {path | port, status, timeout_s}},   # process: consumer and app only
                   port: 1..65535}}                                     # default by kind; none on a consumer
    sentinel: {addresses: ["IP:port" | sentinel node], master_name: mymaster, password_env: VAR}
    redis: {password_env: VAR}
    bid*: {url*: http(s)://host[:port], path: /api/bids, method: GET|POST|PUT|PATCH, body: {template},
           id_field: bidId, idempotency_header: NAME, refused: [400..599], headers: {NAME: text}}
    verify: {redis_key: "..{id}..", idempotency_key: "..{key}..", http: {path*: "/..{id}.."},
             mysql: {query*: "..{ids}..", count_query, dsn_env: VAR | node: mysql node + user, password_env, database}}
    stream: {key*, group*, dead_letter, id_field: bidId, dead_letter_source_field}
    logs: {persist_error: regex, redelivered: regex, reader_stopped: regex}  # at most one group each
    env_file: file (relative to the target file's folder)
    allow_remote: false                                               # true: literal addresses beyond loopback
"""
from __future__ import annotations

import ipaddress
import re
import shlex
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from configfile import yaml_lines
from configfile.validation import MISSING, Fields, Problems, _kind, as_int, as_scalar, as_text, show
from configfile.yaml_lines import line_of
from errors import ConfigError
from harness import target_contract
from lab import standin_env, templates
from lab.config import ROOT
from lab.service_settings import SETTINGS
from lab.target_spec import (
    DEFAULT_PORTS,
    KINDS,
    PLAYS,
    LogPatterns,
    MysqlCheck,
    ProcessSpec,
    StreamSpec,
    Target,
    TargetNode,
    VerifySpec,
)

TOP_KEYS = {"name", "nodes", "sentinel", "redis", "bid", "setup", "users", "verify", "stream", "logs", "env_file",
            "allow_remote"}
NODE_KEYS = {"kind", "as", "container", "compose", "process", "port"}
HOW = ("container", "compose", "process")  # exactly one: how the harness acts on the node
PROCESS_KINDS = ("consumer", "app")  # what the harness may start and own; the stores it only adopts
PROCESS_KEYS = {"command", "cwd", "env", "env_map", "ready", "client_settings"}
SENTINEL_KEYS = {"addresses", "master_name", "password_env"}
VERIFY_KEYS = {"redis_key", "idempotency_key", "mysql", "http"}
MYSQL_KEYS = {"query", "key_query", "count_query", "dsn_env", "node", "user", "password_env", "database"}
STREAM_KEYS = {"key", "group", "dead_letter", "id_field", "dead_letter_source_field", "key_fields"}
LOG_KEYS = {"persist_error", "redelivered", "reader_stopped"}

NAME_RE = r"[A-Za-z0-9][A-Za-z0-9._-]*"  # the target's name and its node keys: no slashes, no "." or ".."
NAME_HINT = "is not a name (letters, digits, ., _ and -, starting with a letter or digit)"
CONTAINER_RE = r"[a-zA-Z0-9][a-zA-Z0-9_.-]*"  # what Docker accepts as a container name
PROJECT_RE = r"[a-z0-9][a-z0-9_-]*"  # what Compose accepts as a project name
SERVICE_RE = r"[a-zA-Z0-9][a-zA-Z0-9._-]*"
ENV_RE = r"[A-Za-z_][A-Za-z0-9_]*"
ENV_HINT = "is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)"
MASTER_RE = r"[A-Za-z0-9._-]+"  # what Sentinel accepts as a master name
HEADER_RE = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"  # an HTTP token (RFC 9110)
TEXT_RE, TEXT_HINT = r"(?s).*\S.*", "must not be empty"
DOTTED_RE = r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*"
HOSTNAME_RE = r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*"
SECRET_KEY = re.compile(r"(?:^|[_.-])(?:password|passwd|secret|token)$", re.IGNORECASE)
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
ENV_PLACEHOLDERS = "{host:NODE}, {port:NODE}, {addr:NODE} and {sentinels}"
REMOTE = ("only loopback addresses and the adopted containers' own addresses are used unless "
          "allow_remote: true")


def source(path: Path) -> str:
    """How the file is named in messages: relative to the repository when inside it, else as given."""
    resolved = path.resolve()
    return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else str(path)


def load(path: str | Path) -> Target:
    """The target, or one ConfigError naming every problem of the file (file:line: field: why)."""
    path = Path(path)
    src = source(path)
    raw = _read(path, src)
    problems = Problems(src)
    folder = path.resolve().parent
    _secrets(raw, "", problems)  # first: a secret is refused as one, not as an unknown key
    top = Fields(raw, "", problems)
    top.unknown(TOP_KEYS)
    name = top.text("name", MISSING, NAME_RE, NAME_HINT)
    remote_ok = top.boolean("allow_remote", False)
    check_remote = not remote_ok and "allow_remote" not in problems.failed
    refs = _references(raw.get("nodes"))
    nodes = _nodes(top, folder, refs)
    sen = _mapping(top, "sentinel", SENTINEL_KEYS) or Fields(None, "sentinel", problems)
    addresses = _sentinel_addresses(sen, refs, check_remote)
    master_name = sen.text("master_name", "mymaster", MASTER_RE, "is not a Sentinel master name (letters, digits, ., _, -)")
    sentinel_password_env = _env_name(sen, "password_env")
    red = _mapping(top, "redis", {"password_env"}) or Fields(None, "redis", problems)
    redis_password_env = _env_name(red, "password_env")
    steps = target_contract.setup(top, _mysql_names(raw.get("nodes")))
    users = target_contract.users(top)
    login_fills = set(users.login.capture) if users and users.login else set()
    bid = target_contract.bid(top, lambda v: _url_problem(v, check_remote), target_contract.pools(steps), login_fills)
    verify = _verify(top, refs)
    stream = _stream(top)
    if bid is not None:
        _identity_fits(top, bid, verify, stream)
    logs = _logs(top)
    env_file = _env_file(top, folder)
    problems.check()
    return Target(name=name, path=path.resolve(), nodes=tuple(nodes), master_name=master_name,
                  sentinel_addresses=addresses, sentinel_password_env=sentinel_password_env,
                  redis_password_env=redis_password_env, bid=bid, setup=steps, users=users, verify=verify,
                  stream=stream, logs=logs, env_file=env_file, allow_remote=remote_ok)


def _read(path: Path, src: str) -> yaml_lines.LineDict:
    """The file's top mapping, read as scenario files are (UTF-8, size, depth and alias bounds)."""
    try:
        return yaml_lines.load_file(path, src)
    except ConfigError as exc:  # the reader speaks of scenarios; this is a target file
        text = str(exc).replace("; not a scenario", "; not a target file")
        raise ConfigError(text.replace("(id: ..., title: ..., ...)", "(name: ..., nodes: ..., bid: ...)")) from None


# ---- shapes ------------------------------------------------------------------------------------------------
def _mapping(f: Fields, key: str, allowed: set[str] | None = None) -> Fields | None:
    """The nested mapping under `key`, or None when it is absent (or null) or refused as not a mapping."""
    value = f.data.get(key)
    if value is None:
        return None
    sub = f.section(key, allowed)
    return sub if isinstance(value, dict) else None


def _what(value: object) -> str:
    """The value as a message names it: its kind and how it is written."""
    return "nothing" if value is None else f"{_kind(value)} {show(value)}"


def _env_name(f: Fields, key: str) -> str | None:
    return f.text(key, None, ENV_RE, ENV_HINT)


def _must_contain(*required: str, allowed: tuple[str, ...] = ()) -> Callable[[str], str | None]:
    """A check: the text holds each placeholder of `required`, and no placeholder beyond those and `allowed`."""
    def check(value: str) -> str | None:
        for name in required:
            if "{" + name + "}" not in value:
                return f"{show(value)} must contain {{{name}}}"
        return templates.stray_braces(value) or _placeholders(value, (*required, *allowed))
    return check


def _placeholders(value: str, allowed: tuple[str, ...]) -> str | None:
    for m in templates.PLACEHOLDER.finditer(value):  # `{{` and `}}` are literal braces (a hash tag), no placeholder
        if m.group(1) and m.group(1) not in allowed:
            known = ", ".join("{" + a + "}" for a in allowed)
            return f"{m.group(0)!r} is not a placeholder here (only {known})"
    return None


def _literal(value: object) -> bool:
    """A value written in the file itself (not a placeholder, not empty, not a nested structure)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return False
    text = str(value).strip()
    return bool(text) and not re.fullmatch(r"(\{[^{}]*\})+", text)


def _secrets(value: object, path: str, problems: Problems) -> None:
    """Refuse (and drop, so it is not refused twice as an unknown key) every key named like a secret
    that holds a literal value, anywhere in the file. env_map's values are variable names and capture's
    dotted paths into a reply (a login's token is captured, never written), not secrets."""
    if isinstance(value, dict):
        for key in list(value):
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and SECRET_KEY.search(key) and _literal(value[key]):
                if path in ("redis", "sentinel", "verify.mysql"):
                    how = "name the environment variable that holds it with password_env"
                elif path.endswith(".process.env"):
                    how = "leave it out of env: put it in the environment or in env_file, which the harness loads"
                else:
                    how = ("name the environment variable that holds it with a ..._env field (redis.password_env, "
                           "sentinel.password_env, verify.mysql.password_env or dsn_env)")
                problems.add(line_of(value, key), where, f"the target file never holds a secret: {how}")
                del value[key]
            elif key not in ("env_map", "capture"):  # variable names, and dotted paths into a reply
                _secrets(value[key], where, problems)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _secrets(item, f"{path}[{i}]", problems)


# ---- nodes -------------------------------------------------------------------------------------------------
def _references(raw: object) -> dict[str, str | None]:
    """Every name a node may be referred to by (its key, the catalog name it plays) -> its kind (None when
    the node's kind is itself refused: references to it are then not judged)."""
    refs: dict[str, str | None] = {}
    if not isinstance(raw, dict):
        return refs
    for key, value in raw.items():
        kind = value.get("kind") if isinstance(value, dict) else None
        kind = kind if isinstance(kind, str) and kind in KINDS else None
        refs[key] = kind
        plays = value.get("as") if isinstance(value, dict) else None
        if isinstance(plays, str):
            refs.setdefault(plays, kind)
    return refs


def _mysql_names(raw: object) -> dict[str, str]:
    """Each name a MySQL node of the file may be called by (its key, its catalog name) -> its catalog name."""
    out: dict[str, str] = {}
    for key, value in (raw.items() if isinstance(raw, dict) else ()):
        if isinstance(value, dict) and value.get("kind") == "mysql" and isinstance(value.get("as"), str):
            out[key] = out[value["as"]] = value["as"]
    return out


def _ref_problem(name: str, refs: dict[str, str | None], kind: str) -> str | None:
    """Why `name` is not a node of this file of `kind`, or None."""
    if name not in refs:
        known = ", ".join(sorted(n for n, k in refs.items() if k == kind)) or "none in this file"
        return f"{name!r} is not a {kind} node of this file (its key or the catalog name it plays: {known})"
    if refs[name] is not None and refs[name] != kind:
        return f"{name!r} is a {refs[name]} node, not a {kind}"
    return None


def _nodes(top: Fields, folder: Path, refs: dict[str, str | None]) -> list[TargetNode]:
    problems = top.problems
    value = top.data.get("nodes")
    if value is None:
        top.bad("nodes", "missing: the nodes of the stack (at least a redis node playing redis-1 and the api)")
        return []
    if not isinstance(value, dict):
        top.bad("nodes", f"must be a mapping of node name to node, not {_what(value)}")
        return []
    nf = Fields(value, "nodes", problems)
    if not value:
        nf.problems.add(top.line("nodes"), "nodes", "names no node (at least a redis node playing redis-1 and the api)")
        return []
    nodes, played, complete = [], {}, True
    for key in value:
        node = _node(nf, key, folder, refs)
        if node is None:
            complete = False
            continue
        if node.plays in played:
            first = played[node.plays]
            problems.add(line_of(value[key], "as", node.line), f"nodes.{key}.as",
                         f"{node.plays!r} is already played by nodes.{first.key} (line {first.line})")
            complete = False
            continue
        played[node.plays] = node
        nodes.append(node)
    for node in nodes:  # a key that is another node's catalog name: a reference to it would mean either
        other = played.get(node.key)
        if other is not None and other is not node:
            problems.add(node.line, f"nodes.{node.key}", f"the key {node.key!r} is the catalog name nodes.{other.key} "
                                                         f"plays (line {other.line}): a reference to it would be ambiguous")
            complete = False
    if complete:  # what every target needs (not judged when a node was refused: it may have been the one)
        line = top.line("nodes")
        if not any(n.kind == "redis" for n in nodes):
            problems.add(line, "nodes", "no node of kind redis: a target has at least one")
        elif "redis-1" not in played:
            problems.add(line, "nodes", "no node plays redis-1 (as: redis-1): scenarios name the first Redis so")
        if "api" not in played:
            problems.add(line, "nodes", "no node plays api (an app node with as: api): bids are placed through it")
    return nodes


def _node(nf: Fields, key: str, folder: Path, refs: dict[str, str | None]) -> TargetNode | None:
    """One node, or None when what it is (a mapping, its kind, the name it plays) is itself refused. Its other
    problems are recorded and the node still returned: the file is refused anyway, and the names it plays
    still count for what every target needs."""
    line, problems = nf.line(key), nf.problems
    if not re.fullmatch(NAME_RE, key):
        nf.bad(key, f"{show(key)} {NAME_HINT}")
    if not isinstance(nf.data[key], dict):
        nf.bad(key, f"must be a mapping (kind, as, and one of container, compose, process), not "
                    f"{_what(nf.data[key])}")
        return None
    f = nf.section(key, NODE_KEYS)
    kind = f.read("kind", MISSING, as_text, lambda v: None if v in KINDS else f"{show(v)} is not a kind ({', '.join(KINDS)})")
    plays = None
    if kind:
        allowed = ", ".join(PLAYS[kind])
        if "as" not in f.data:
            f.bad("as", f"missing: the catalog name this {kind} plays ({allowed})")
        else:
            plays = f.read("as", None, as_text, lambda v: None if v in PLAYS[kind]
                           else f"{show(v)} is not a catalog name a {kind} plays ({allowed})")
    elif "as" in f.data:
        f.read("as", None, as_text)
    how = [h for h in HOW if h in f.data]
    if len(how) != 1:
        given = f" (not {' and '.join(how)})" if how else ""
        problems.add(line, nf.where(key), f"give exactly one of container, compose, process{given}")
    container = f.text("container", None, CONTAINER_RE, "is not a Docker container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)")
    compose = _compose(f)
    process = None
    if "process" in f.data and kind and kind not in PROCESS_KINDS:
        f.bad("process", f"a {kind} the harness does not own must be a container (container: or compose:); "
                         f"only a {' or an '.join(PROCESS_KINDS)} may be a process it starts")
    elif "process" in f.data:
        process = _process(f, folder, refs)
        if process and process.client_settings and kind != "app":
            f.section("process", PROCESS_KEYS).bad("client_settings", f"only an app answers its client settings "
                                                                    f"(a {kind} has no address to ask)")
    port = None
    if kind == "consumer":
        if "port" in f.data:
            f.bad("port", "a consumer has no port (nothing connects to it)")
    else:
        port = f.integer("port", DEFAULT_PORTS.get(kind), 1, 65535)
    if not kind or not plays:
        return None
    return TargetNode(key=key, kind=kind, plays=plays, container=container, compose=compose, process=process,
                      port=port, line=line)


def _present_mapping(f: Fields, key: str, allowed: set[str]) -> Fields | None:
    """Like _mapping, for a key whose mere presence means something: null is refused too."""
    if key in f.data and f.data[key] is None:
        f.bad(key, "must be a mapping, not nothing")
        return None
    return _mapping(f, key, allowed)


def _compose(f: Fields) -> tuple[str, str] | None:
    c = _present_mapping(f, "compose", {"project", "service"})
    if c is None:
        return None
    project = c.text("project", MISSING, PROJECT_RE, "is not a Compose project name (lower-case letters, digits, _ and -)")
    service = c.text("service", MISSING, SERVICE_RE, "is not a Compose service name (letters, digits, ., _ and -)")
    return (project, service) if project and service else None


def _process(f: Fields, folder: Path, refs: dict[str, str | None]) -> ProcessSpec | None:
    p = _present_mapping(f, "process", PROCESS_KEYS)
    if p is None:
        return None
    command = _command(p)
    cwd = folder
    text = p.text("cwd", None)
    if text is not None:
        try:
            resolved = (folder / text).resolve()
            is_dir = resolved.is_dir()
        except (OSError, ValueError, RuntimeError):
            resolved, is_dir = folder / text, False
        if not text.strip():
            p.bad("cwd", "must not be empty (leave it out for the target file's folder)")
        elif not is_dir:
            p.bad("cwd", f"{resolved} is not a directory (cwd is relative to the target file's folder)")
        else:
            cwd = resolved
    env = _env(p, refs)
    env_map, env_scale, env_absent = _env_map(p)
    ready = _ready(p)
    # a GET on the app's own address answering the Redis client settings it really runs with (JSON)
    client_settings = p.text("client_settings", None, r"/\S*", "must start with / (and hold no white space)")
    return (ProcessSpec(command=command, cwd=cwd, env=env, env_map=env_map, env_scale=env_scale,
                        env_absent=env_absent, client_settings=client_settings, **ready) if command else None)


def _ready(p: Fields) -> dict:
    """When a started process is ready: a request of its own answered with one of `status` (a shallow
    /health that is always UP says nothing of Redis or MySQL: name a request that reaches them), or its
    port accepting connections; within timeout_s."""
    r = _present_mapping(p, "ready", {"path", "status", "port", "timeout_s"})
    if r is None:
        return {}
    given = [k for k in ("path", "port") if k in r.data]
    if len(given) != 1:
        r.problems.add(r.line(), r.path, "give exactly one of path (a GET that must answer) or port"
                                         + (" (not both)" if given else ""))
    path = r.text("path", None, r"/\S*", "must start with / (and hold no white space)")
    statuses = tuple(sorted({as_int(x) for x in r.data.get("status", [200]) if isinstance(x, int)}))
    if "status" in r.data and (not isinstance(r.data["status"], list) or not statuses):
        r.bad("status", "must be a list of HTTP statuses that mean ready (e.g. [200, 404])")
    return {"ready_path": path, "ready_status": statuses or (200,), "ready_port": r.integer("port", None, 1, 65535),
            "ready_timeout_s": r.number("timeout_s", 60, 1, 600)}


def _command(p: Fields) -> tuple[str, ...] | None:
    value = p.data.get("command", MISSING)
    if value is MISSING:
        p.bad("command", "missing: the command line that starts the process")
        return None
    if isinstance(value, str):
        try:
            words = shlex.split(value)
        except ValueError as exc:
            p.bad("command", f"{show(value)} cannot be split into words ({exc})")
            return None
        if not words:
            p.bad("command", "must not be empty")
            return None
        return tuple(words)
    if not isinstance(value, list):
        p.bad("command", f"must be a command line (text) or a list of words, not {_what(value)}")
        return None
    if not value:
        p.bad("command", "must not be empty")
        return None
    words, ok = [], True
    for i, item in enumerate(value):
        try:
            words.append(as_text(item))
        except ValueError as exc:
            p.problems.add(line_of(value, i, p.line("command")), f"{p.where('command')}[{i}]", str(exc))
            ok = False
    if ok and not words[0].strip():
        p.problems.add(line_of(value, 0, p.line("command")), f"{p.where('command')}[0]", "the program must not be empty")
        ok = False
    return tuple(words) if ok else None


def _env_value_problem(value: str, refs: dict[str, str | None]) -> str | None:
    for m in PLACEHOLDER.finditer(value):
        inner = m.group(1)
        if inner == "sentinels":
            continue
        what, _, node = inner.partition(":")
        if what not in ("host", "port", "addr") or not node:
            return f"{m.group(0)!r} is not a placeholder (only {ENV_PLACEHOLDERS})"
        if node not in refs:
            return f"{m.group(0)!r}: {node!r} is not a node of this file (its key or the catalog name it plays)"
        if refs[node] == "consumer":
            return f"{m.group(0)!r}: {node} is a consumer: it has no address"
    return None


def _env(p: Fields, refs: dict[str, str | None]) -> dict[str, str]:
    e = _mapping(p, "env")
    out: dict[str, str] = {}
    if e is None:
        return out
    for key in e.data:
        if not re.fullmatch(ENV_RE, key):
            e.bad(key, f"{key!r} {ENV_HINT}")
            continue
        value = e.read(key, None, as_scalar, lambda v: _env_value_problem(v, refs))
        if value is not None:
            out[key] = value
    return out


def _setting(key: str) -> str | None:
    """The harness's setting an env_map key names (lab/service_settings.py): ack_delay_ms, or the
    stand-in's name of it, FAIRBID_ACK_DELAY_MS, read through the stand-in's adapter."""
    return key if key in SETTINGS else standin_env.setting(key)


def _env_map(p: Fields) -> tuple[dict[str, str], dict[str, float], tuple[str, ...]]:
    """(setting -> variable, setting -> scale, settings the service has no counterpart for), each setting
    by the harness's name. A value is the variable's name, or {var: NAME, scale: N} where the service
    counts in other units (the harness's seconds as milliseconds: 1000), or null: the service has no such
    setting, and a scenario that sets it runs without it (said in the plan and in run.json)."""
    m = _mapping(p, "env_map")
    out: dict[str, str] = {}
    scales: dict[str, float] = {}
    absent: list[str] = []
    if m is None:
        return out, scales, ()
    for key in m.data:
        setting = _setting(key)
        if setting is None:
            m.bad(key, f"unknown setting {key} (the harness's: {', '.join(sorted(SETTINGS))}; or the stand-in's "
                       "FAIRBID_* name of one)")
            continue
        if setting in out or setting in absent:
            alias = f" ({key} is the stand-in's name of it)" if key != setting else ""
            m.bad(key, f"{setting} is mapped twice{alias}")
            continue
        value = m.data[key]
        if value is None:
            absent.append(setting)
            continue
        if isinstance(value, dict):
            sub = m.section(key, {"var", "scale"})
            var = sub.text("var", MISSING, ENV_RE, ENV_HINT)
            scale = sub.number("scale", 1, 0, above=True)
            if var is None:
                continue
            if scale != 1:
                scales[setting] = scale
        else:
            var = m.text(key, None, ENV_RE, ENV_HINT)
        if var is not None and var in out.values():
            m.bad(key, f"{var} already receives {next(s for s, v in out.items() if v == var)}")
        elif var is not None:
            out[setting] = var
    return out, scales, tuple(absent)


# ---- addresses ---------------------------------------------------------------------------------------------
def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _sentinel_address_problem(item: object, refs: dict[str, str | None], check_remote: bool) -> str | None:
    try:
        text = as_text(item)
    except ValueError as exc:
        return str(exc)
    if text in refs:
        return _ref_problem(text, refs, "sentinel")
    host, sep, port = text.rpartition(":")
    if not sep or not host:
        sentinels = ", ".join(sorted(n for n, k in refs.items() if k == "sentinel")) or "none in this file"
        return f"{show(text)} is neither host:port nor a sentinel node of this file ({sentinels})"
    bracketed = host.startswith("[") and host.endswith("]")
    if ":" in host and not bracketed:
        return f"{show(text)}: write an IPv6 address as [address]:port"
    try:
        ipaddress.ip_address(host[1:-1] if bracketed else host)
    except ValueError:
        return f"{show(text)}: the host must be an IP literal (Sentinel names masters by IP), not {host!r}"
    if not re.fullmatch(r"[0-9]{1,5}", port) or not 1 <= int(port) <= 65535:
        return f"{show(text)}: the port must be a number 1..65535"
    if check_remote and not _loopback(host[1:-1] if bracketed else host):
        return f"{host} is not a loopback address: {REMOTE}"
    return None


def _sentinel_addresses(s: Fields, refs: dict[str, str | None], check_remote: bool) -> tuple[str, ...]:
    value = s.data.get("addresses")
    if "addresses" not in s.data:
        return ()
    if not isinstance(value, list) or not value:
        s.bad("addresses", "must be a non-empty list of \"IP:port\" or sentinel nodes of this file "
                           "(leave it out for every sentinel node)")
        return ()
    out: list[str] = []
    for i, item in enumerate(value):
        line, where = line_of(value, i, s.line("addresses")), f"{s.where('addresses')}[{i}]"
        why = _sentinel_address_problem(item, refs, check_remote)
        if why is None and item in out:
            why = f"{item!r} given twice"
        if why:
            s.problems.add(line, where, why)
        else:
            out.append(item)
    return tuple(out)


def _url_problem(url: str, check_remote: bool) -> str | None:
    if re.search(r"\s", url):
        return f"{show(url)} holds white space"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"{show(url)} is not a URL ({exc})"
    if parts.scheme not in ("http", "https") or not url.lower().startswith(f"{parts.scheme}://"):
        return f"{show(url)} must start with http:// or https://"
    if parts.username is not None or parts.password is not None:
        return "must hold no user or password (the target file never holds a secret)"
    host = parts.hostname
    if not host:
        return f"{show(url)} names no host"
    if port is not None and port < 1:
        return f"{show(url)}: the port must be 1..65535"
    if parts.path not in ("", "/") or parts.query or parts.fragment or url.rstrip("/").endswith(("?", "#")):
        return f"{show(url)}: the url is scheme, host and port only; give the path in bid.path"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not re.fullmatch(HOSTNAME_RE, host):
            return f"{show(url)}: {host!r} is not a host name"
    if check_remote and not _loopback(host):
        return f"{host} is not a loopback address: {REMOTE}"
    return None


# ---- verification, the stream, logs -----------------------------------------------------------------
def _verify(top: Fields, refs: dict[str, str | None]) -> VerifySpec:
    v = _mapping(top, "verify", VERIFY_KEYS)
    if v is None:
        return VerifySpec()
    redis_key = v.read("redis_key", None, as_text, _must_contain("id"))
    idem_key = v.read("idempotency_key", None, as_text, _must_contain("key"))
    http_path = None
    h = _mapping(v, "http", {"path"})
    if h is not None:
        must = _must_contain("id")
        http_path = h.read("path", MISSING, as_text,
                           lambda p: must(p) if p.startswith("/") else f"{show(p)} must start with /")
    return VerifySpec(redis_key=redis_key, idempotency_key=idem_key, mysql=_mysql(v, refs), http_path=http_path)


def _mysql(v: Fields, refs: dict[str, str | None]) -> MysqlCheck | None:
    m = _mapping(v, "mysql", MYSQL_KEYS)
    if m is None:
        return None
    query = m.read("query", None, as_text, _must_contain("ids"))
    key_query = m.read("key_query", None, as_text, _must_contain("keys"))
    if "query" not in m.data and "key_query" not in m.data:
        m.problems.add(m.line(), m.path, "give query (by the bid id the reply names: {ids}) or key_query (by the "
                                         "write's identity: {keys})")
    count_query = m.text("count_query", None, TEXT_RE, TEXT_HINT)
    dsn_env = _env_name(m, "dsn_env")
    node = m.read("node", None, as_text, lambda n: _ref_problem(n, refs, "mysql"))
    account = ("user", "password_env", "database")
    given = [k for k in ("dsn_env", "node") if k in m.data]
    if len(given) != 1:
        m.problems.add(m.line(), m.path, "give exactly one of dsn_env (mysql://user:password@host:port/db in that "
                                         "variable) or node (with user, password_env and database)"
                                         + (" (not both)" if given else ""))
    elif given == ["node"]:
        for k in account:
            if k not in m.data:
                m.bad(k, "missing: with node, give user, password_env and database")
    else:
        for k in account:
            if k in m.data:
                m.bad(k, "only with node: dsn_env already names the account")
    user = m.text("user", None, TEXT_RE, TEXT_HINT)
    password_env = _env_name(m, "password_env")
    database = m.text("database", None, TEXT_RE, TEXT_HINT)
    if query is None and key_query is None:
        return None
    return MysqlCheck(query=query, key_query=key_query, count_query=count_query, dsn_env=dsn_env, node=node, user=user,
                      password_env=password_env, database=database)


def _stream(top: Fields) -> StreamSpec | None:
    s = _mapping(top, "stream", STREAM_KEYS)
    if s is None:
        return None
    key, group = s.text("key", MISSING), s.text("group", MISSING)
    spec = StreamSpec(key=key, group=group, dead_letter=s.text("dead_letter", None, TEXT_RE, TEXT_HINT),
                      id_field=s.text("id_field", StreamSpec.id_field, TEXT_RE, TEXT_HINT),
                      dead_letter_source_field=s.text("dead_letter_source_field", None, TEXT_RE, TEXT_HINT),
                      key_fields=_key_fields(s))
    return spec if key and group else None


def _regex_problem(pattern: str) -> str | None:
    if not pattern:
        return "must not be empty (it would match every line)"
    try:
        groups = re.compile(pattern).groups
    except (re.error, OverflowError, RecursionError) as exc:
        return f"{show(pattern)} is not a regular expression ({exc})"
    if groups > 1:
        return f"{show(pattern)} has {groups} groups: at most one (the count the line reports)"
    return None


def _logs(top: Fields) -> LogPatterns:
    lg = _mapping(top, "logs", LOG_KEYS)
    if lg is None:
        return LogPatterns()
    return LogPatterns(**{k: lg.read(k, None, as_text, _regex_problem) for k in sorted(LOG_KEYS)})


def _env_file(top: Fields, folder: Path) -> Path | None:
    text = top.text("env_file", None)
    if text is None:
        return None
    try:
        path = (folder / text).resolve()
        found = path.is_file()
    except (OSError, ValueError, RuntimeError):
        path, found = folder / text, False
    if not text.strip() or not found:
        top.bad("env_file", f"{path} is not a file (env_file is relative to the target file's folder)")
        return None
    return path


def _key_fields(s: Fields) -> dict[str, str]:
    value = s.data.get("key_fields")
    if value is None:
        return {}
    if not isinstance(value, dict) or not value:
        s.bad("key_fields", f"must be a mapping of identity field to stream entry field, not {_what(value)}")
        return {}
    k = Fields(value, s.where("key_fields"), s.problems, s.line("key_fields"))
    return {str(name): v for name in value if (v := k.text(name, None, TEXT_RE, TEXT_HINT))}


def _identity_fits(top: Fields, bid, verify: VerifySpec, stream: StreamSpec | None) -> None:
    """A write known by its identity is looked up by it: every store names the identity's fields, and
    nothing looks for an {id} the reply never gives."""
    names = [f.name for f in bid.identity]
    if not names:
        if verify.mysql and verify.mysql.query is None:
            top.bad("verify", "verify.mysql.key_query needs bid.identity (the fields of a write's key)")
        if stream and stream.key_fields:
            top.bad("stream", "stream.key_fields needs bid.identity (the fields of a write's key)")
        return
    # verify.idempotency_key stays: what one action's keys stored, two different answers being one bid
    # placed twice (duplicates); an unknown write is still looked up by its identity
    for what, given in (("verify.redis_key", verify.redis_key), ("verify.http.path", verify.http_path)):
        if given:
            top.bad("verify", f"{what} looks a bid up by its id, and bid.identity says the reply names none")
    if verify.mysql and verify.mysql.key_query is None:
        top.bad("verify", "with bid.identity, verify.mysql gives key_query (its columns: " + ", ".join(names) + ")")
    if stream and stream.key_fields and sorted(stream.key_fields) != sorted(names):
        top.bad("stream", f"stream.key_fields names {sorted(stream.key_fields)}, bid.identity {sorted(names)}: "
                          "the same fields, each with its entry field")
