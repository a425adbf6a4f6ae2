"""The service's contract in a target file: how a bid is placed (`bid:`), the fixtures made before the
load (`setup:`) and the bidders (`users:`), read and checked with the rest of the file
(harness/target_file.py), so that a request the load would send wrong is refused before any load,
naming its line.

    bid*: {url*, path: /a/{auction}/b, method, query: {NAME: template}, headers: {NAME: template},
           body: {template} | bodies: [{weight, body}], amount: {min, max},
           id_field: a.b | identity: {FIELD: a.b | {reply: a.b, sent: "{amount}"}},
           idempotency_header: NAME, not_stored: [400..599],
           refusals: [{status: N | [N], code: error.code, in: [CODE, ...]}]}
    setup: [{name*, repeat: 1, path | sql, method, headers, body, expect: [201], capture: {POOL: a.b}, node}]
    users: {from*, to*, exclude: [N], login: {path*, method, headers, body, expect, capture: {NAME: a.b}}}

Placeholders a bid may name: {auction}, {user}, {amount}, {key}, every pool a setup step captures and
every value the login captures; a setup step may name {n} (its repetition), a login {user}. A
credential header (Authorization, Cookie) may only be filled by the login: a literal one is a secret.
"""
from __future__ import annotations

import re

from configfile.validation import MISSING, Fields, _kind, as_int, as_number, as_text, entries, show
from configfile.yaml_lines import line_of
from lab import templates
from lab.target_spec import BidCall, BodyChoice, KeyField, Login, Refusal, SetupStep, UserPool

BID_KEYS = {"url", "path", "method", "body", "bodies", "amount", "id_field", "identity", "idempotency_header", "error_message",
            "not_stored", "refusals", "headers", "query"}
SETUP_KEYS = {"name", "repeat", "path", "method", "headers", "body", "expect", "capture", "sql", "node"}
USERS_KEYS = {"from", "to", "exclude", "login"}
LOGIN_KEYS = {"path", "method", "headers", "body", "expect", "capture"}
DRAWN = ("auction", "user", "amount", "key")  # what the load draws for every bid
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
CREDENTIAL_HEADERS = ("authorization", "proxy-authorization", "cookie")
HEADER_RE = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"  # an HTTP token (RFC 9110)
DOTTED_RE = r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*"
DOTTED_HINT = "is not a dotted path into the JSON reply (a.b.c)"
NAME_RE = r"[A-Za-z_][A-Za-z0-9_]*"
NAME_HINT = "is not a placeholder name (letters, digits and _, not starting with a digit)"


def _what(value: object) -> str:
    return "nothing" if value is None else f"{_kind(value)} {show(value)}"


def _unfilled(text: str, known: set[str], where: str) -> str | None:
    """Why a template text cannot be filled: a stray brace, or a placeholder nothing fills."""
    why = templates.stray_braces(text)
    if why:
        return why
    missing = sorted(templates.names(text) - known)
    if missing:
        fills = ", ".join("{" + k + "}" for k in sorted(known)) or "none"
        return f"{{{missing[0]}}} is filled by nothing {where} (known here: {fills})"
    return None


def _template(value: object, path: str, line: int, f: Fields, known: set[str], where: str) -> object:
    """A JSON template as plain data, every text's placeholders known."""
    if isinstance(value, dict):
        return {k: _template(v, f"{path}.{k}", line_of(value, k, line), f, known, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_template(v, f"{path}[{i}]", line_of(value, i, line), f, known, where) for i, v in enumerate(value)]
    try:
        if value is None:
            raise ValueError("must be text, a number, a boolean, a list or a mapping, not nothing")
        if isinstance(value, str):
            why = _unfilled(value, known, where)
            if why:
                raise ValueError(why)
        elif not isinstance(value, bool):
            as_number(value)
    except ValueError as exc:
        f.problems.add(line, path, str(exc))
    return value


def _body(f: Fields, key: str, known: set[str], where: str) -> dict | None:
    value = f.data.get(key)
    if value is None:
        return None
    if not isinstance(value, (dict, list)):
        f.bad(key, f"must be a mapping or a list (the JSON body, a template), not {_what(value)}")
        return None
    return _template(value, f.where(key), f.line(key), f, known, where)


def _texts(f: Fields, key: str, known: set[str], where: str, header: bool = False,
           login_fills: set[str] = frozenset(), reserved: str | None = None) -> dict[str, str]:
    """Headers or query parameters: one-line templates. A credential header must be filled by the login."""
    value = f.data.get(key)
    out: dict[str, str] = {}
    if value is None:
        return out
    if not isinstance(value, dict):
        f.bad(key, f"must be a mapping of name to value, not {_what(value)}")
        return out
    sub = Fields(value, f.where(key), f.problems, f.line(key))
    for name in value:
        if header and not re.fullmatch(HEADER_RE, str(name)):
            sub.bad(name, f"{name!r} is not an HTTP header name")
            continue
        if reserved and str(name).lower() == reserved.lower():
            sub.bad(name, f"{name} is the idempotency_header: the harness sets it on each bid")
            continue
        text = sub.read(name, None, _one_line, lambda v: _unfilled(v, known, where))
        if text is None:
            continue
        if header and str(name).lower() in CREDENTIAL_HEADERS and not templates.names(text) & login_fills:
            sub.bad(name, f"{name} holds a credential: the target file never holds one; let the login fill it "
                          "(users.login.capture, e.g. \"Bearer {token}\")")
            continue
        out[str(name)] = text
    return out


def _one_line(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"must be text or a number, not {_what(value)}")
    text = str(value)
    if "\n" in text or "\r" in text:
        raise ValueError("must be one line")
    return text


def _statuses(f: Fields, key: str, lo: int, hi: int, why: str) -> tuple[int, ...]:
    value = f.data.get(key)
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    out = []
    for i, item in enumerate(items):
        where = f"{f.where(key)}[{i}]" if isinstance(value, list) else f.where(key)
        line = line_of(value, i, f.line(key)) if isinstance(value, list) else f.line(key)
        try:
            status = as_int(item)
            if not lo <= status <= hi:
                raise ValueError(f"must be {why} ({lo}..{hi}), not {status}")
            out.append(status)
        except ValueError as exc:
            f.problems.add(line, where, str(exc))
    return tuple(out)


def _capture(f: Fields, key: str) -> dict[str, str]:
    value = f.data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict) or not value:
        f.bad(key, f"must be a mapping of name to a dotted path in the reply, not {_what(value)}")
        return {}
    sub = Fields(value, f.where(key), f.problems, f.line(key))
    out = {}
    for name in value:
        if not re.fullmatch(NAME_RE, str(name)):
            sub.bad(name, f"{name!r} {NAME_HINT}")
            continue
        path = sub.text(name, None, DOTTED_RE, DOTTED_HINT)
        if path:
            out[str(name)] = path
    return out


# ---- setup ---------------------------------------------------------------------------------------------------
def setup(top: Fields, mysql_nodes: dict[str, str]) -> tuple[SetupStep, ...]:
    """The steps; `mysql_nodes` maps each name a MySQL node may be called by (its key, the catalog name it
    plays) to the catalog name the lab knows it by."""
    steps, names = [], set()
    for i, s in entries(top.data.get("setup"), "setup", top.problems, top.line("setup")):
        s.unknown(SETUP_KEYS)
        name = s.text("name", MISSING, NAME_RE, NAME_HINT)
        if name in names:
            s.bad("name", f"{name!r} names another step already")
        names.add(name)
        repeat = s.integer("repeat", 1, 1, 10_000)
        where = "in a setup step (only {n}, its repetition from 0)"
        given = [k for k in ("path", "sql") if k in s.data]
        if len(given) != 1:
            s.problems.add(s.line(), s.path, "give exactly one of path (an HTTP call to the api) or sql (a statement "
                                             "on a mysql node)" + (" (not both)" if given else ""))
        path = s.read("path", None, as_text, lambda v: None if v.startswith("/") else f"{show(v)} must start with /")
        if path:
            why = _unfilled(path, {"n"}, where)
            if why:
                s.bad("path", why)
        sql = s.read("sql", None, as_text, lambda v: _unfilled(v, {"n"}, where))
        node = s.read("node", None, as_text, lambda v: None if v in mysql_nodes else
                      f"{v!r} is not a mysql node of this file ({', '.join(sorted(mysql_nodes)) or 'none'})")
        if sql and node is None and "node" not in s.data:
            s.bad("node", "missing: the mysql node the statement runs on")
        if "sql" in s.data and "capture" in s.data:
            s.bad("capture", "a SQL step captures nothing (only an HTTP step's reply fields)")
        method = s.read("method", "POST", as_text, lambda v: None if v in METHODS else f"{show(v)} is not a method")
        steps.append(SetupStep(name=name or f"step-{i}", repeat=repeat, path=path, method=method,
                               body=_body(s, "body", {"n"}, where), headers=_texts(s, "headers", {"n"}, where, True),
                               expect=_statuses(s, "expect", 100, 599, "an HTTP status") or (200, 201),
                               capture=_capture(s, "capture"), sql=sql, node=mysql_nodes.get(node), line=s.line()))
    return tuple(steps)


def pools(steps: tuple[SetupStep, ...]) -> set[str]:
    return {name for step in steps for name in step.capture}


# ---- users ---------------------------------------------------------------------------------------------------
def users(top: Fields) -> UserPool | None:
    if top.data.get("users") is None:
        return None
    u = top.section("users", USERS_KEYS)
    first, last = u.integer("from", MISSING, 0, 2**53), u.integer("to", MISSING, 0, 2**53)
    exclude = _statuses(u, "exclude", 0, 2**53, "a user number")
    if first is not None and last is not None and last < first:
        u.bad("to", f"must be at least from ({first}), not {last}")
        return None
    if first is None or last is None:
        return None
    pool = UserPool(first=first, last=last, exclude=exclude)
    if pool.size() < 1:
        u.bad("exclude", "leaves no user in the pool")
    login = None
    if u.data.get("login") is not None:
        lf = u.section("login", LOGIN_KEYS)
        where = "in the login (only {user})"
        path = lf.read("path", MISSING, as_text, lambda v: (_unfilled(v, {"user"}, where) if v.startswith("/")
                                                            else f"{show(v)} must start with /"))
        capture = _capture(lf, "capture")
        if not capture and "capture" not in lf.data:
            lf.bad("capture", "missing: the reply fields the bids need (e.g. {token: accessToken})")
        method = lf.read("method", "POST", as_text, lambda v: None if v in METHODS else f"{show(v)} is not a method")
        login = Login(path=path or "/", method=method, body=_body(lf, "body", {"user"}, where),
                      headers=_texts(lf, "headers", {"user"}, where, True),
                      expect=_statuses(lf, "expect", 100, 599, "an HTTP status") or (200, 201), capture=capture)
    return UserPool(first=first, last=last, exclude=exclude, login=login)


# ---- the bid -------------------------------------------------------------------------------------------------
def bid(top: Fields, url_problem, fills: set[str], login_fills: set[str]) -> BidCall | None:
    """The bid call; `fills` names what setup pools and the login provide beyond the load's own draw."""
    if top.data.get("bid") is None:
        top.bad("bid", "missing: how a bid is placed (url, and path, method, body, ... where they differ)")
        return None
    if not isinstance(top.data["bid"], dict):
        top.bad("bid", f"must be a mapping, not {_what(top.data['bid'])}")
        return None
    raw = top.data["bid"]
    if "refused" in raw:  # renamed: said once, as what it is now, not also as an unknown key
        top.problems.add(line_of(raw, "refused", top.line("bid")), "bid.refused",
                         "is now not_stored (statuses after which nothing was stored); a business refusal (a bid "
                         "too low) is a refusals rule, kept out of the failures")
        del raw["refused"]
    b = top.section("bid", BID_KEYS)
    known = set(DRAWN) | fills | login_fills
    where = "in a bid"
    url = b.read("url", MISSING, as_text, url_problem)
    path = b.read("path", BidCall.path, as_text, lambda v: (_unfilled(v, known, where) if re.fullmatch(r"/\S*", v)
                                                            else f"{show(v)} must start with / (and hold no white space)"))
    method = b.read("method", BidCall.method, as_text,
                    lambda v: None if v in METHODS else f"{show(v)} is not a method ({', '.join(METHODS)})")
    body, bodies = _bodies(b, known, where)
    id_field = b.text("id_field", BidCall.id_field, DOTTED_RE, DOTTED_HINT)
    error_message = b.text("error_message", None, DOTTED_RE, DOTTED_HINT)  # a failed reply's own words, for its kind
    header = b.text("idempotency_header", None, HEADER_RE, "is not an HTTP header name")
    headers = _texts(b, "headers", known, where, header=True, login_fills=login_fills, reserved=header)
    amount = _amount(b)
    if url is None:
        return None
    return BidCall(url=url.rstrip("/"), path=path or BidCall.path, method=method, body=body, bodies=bodies,
                   id_field=id_field, idempotency_header=header, error_message=error_message,
                   not_stored=_statuses(b, "not_stored", 400, 599, "an HTTP status after which nothing was stored"),
                   headers=headers, query=_texts(b, "query", known, where), amount=amount,
                   refusals=_refusals(b), identity=_identity(b, known))


def _bodies(b: Fields, known: set[str], where: str) -> tuple[dict, tuple[BodyChoice, ...]]:
    if "body" in b.data and "bodies" in b.data:
        b.bad("bodies", "give body or bodies, not both")
    body = _body(b, "body", known, where)
    choices = []
    for _i, c in entries(b.data.get("bodies"), "bid.bodies", b.problems, b.line("bodies"), nonempty=True):
        c.unknown({"weight", "body"})
        weight = c.integer("weight", 1, 1, 1000)
        if c.data.get("body") is None:
            c.bad("body", "missing: the JSON body (a template)")
        choices.append(BodyChoice(weight=weight or 1, body=_body(c, "body", known, where) or {}))
    return (body if body is not None else BidCall(url="").body), tuple(choices)


def _amount(b: Fields) -> tuple[int, int]:
    if b.data.get("amount") is None:
        return BidCall.amount
    a = b.section("amount", {"min", "max"})
    lo, hi = a.integer("min", MISSING, 0, 2**53), a.integer("max", MISSING, 0, 2**53)
    if lo is not None and hi is not None and hi < lo:
        a.bad("max", f"must be at least min ({lo}), not {hi}")
    return (lo, hi) if lo is not None and hi is not None and hi >= lo else BidCall.amount


def _refusals(b: Fields) -> tuple[Refusal, ...]:
    out = []
    for _i, r in entries(b.data.get("refusals"), "bid.refusals", b.problems, b.line("refusals"), nonempty=True):
        r.unknown({"status", "code", "in"})
        statuses = _statuses(r, "status", 100, 599, "an HTTP status")
        code = r.text("code", None, DOTTED_RE, DOTTED_HINT)
        codes: tuple[str, ...] = ()
        if "in" in r.data:
            value = r.data["in"]
            if not isinstance(value, list) or not value or not all(isinstance(c, (str, int)) and not isinstance(c, bool)
                                                                   for c in value):
                r.bad("in", f"must be a non-empty list of codes, not {_what(value)}")
            else:
                codes = tuple(str(c) for c in value)
            if code is None and "code" not in r.data:
                r.bad("in", "needs code: the dotted path in the reply where the code is")
        elif code is not None:
            r.bad("code", "needs in: the codes that are refusals (every other code stays a failure)")
        if "status" not in r.data and "code" not in r.data:
            r.problems.add(r.line(), r.path, "give status, or code with in, or both")
        if 200 <= min(statuses, default=400) < 300 and code is None:
            r.bad("status", "a 2xx is a refusal only by its code (give code and in)")
        out.append(Refusal(statuses=statuses, code=code, codes=codes))
    return tuple(out)


def _identity(b: Fields, known: set[str]) -> tuple[KeyField, ...]:
    value = b.data.get("identity")
    if value is None:
        return ()
    if not isinstance(value, dict) or not value:
        b.bad("identity", f"must be a mapping of field name to a dotted path in the reply, not {_what(value)}")
        return ()
    if "id_field" in b.data:
        b.bad("identity", "give id_field (the reply names the stored write) or identity (it does not), not both")
    i = Fields(value, b.where("identity"), b.problems, b.line("identity"))
    out = []
    for name in value:
        if not re.fullmatch(NAME_RE, str(name)):
            i.bad(name, f"{name!r} {NAME_HINT}")
            continue
        item = value[name]
        if isinstance(item, str):
            reply = i.text(name, None, DOTTED_RE, DOTTED_HINT)
            sent = None
        else:
            f = i.section(name, {"reply", "sent"})
            reply = f.text("reply", MISSING, DOTTED_RE, DOTTED_HINT)
            sent = f.read("sent", None, as_text, lambda v: _unfilled(v, known, "in a bid"))
        if reply:
            out.append(KeyField(name=str(name), reply=reply, sent=sent))
    return tuple(out)
