"""One templated HTTP call whose reply fields are captured: a setup step's (harness/fixtures.py) and a
bidder's login (harness/bidders.py) are both this, told apart only by what a failure means."""
from __future__ import annotations

import requests

from lab import templates


class CallFailed(Exception):
    """No reply, an unexpected status, or a reply without a captured field; str() says which."""


def call(http, base_url: str, spec, values: dict, timeout_s: float) -> dict:
    """Send `spec` (method, path, body, headers, expect, capture) with `values` filled in; the captured
    fields of its JSON reply, or CallFailed. `http` is requests or a requests.Session."""
    url = base_url.rstrip("/") + templates.fill_text(spec.path, values, encode=True)
    body = templates.fill(spec.body, values) if spec.body is not None else None
    headers = {k: templates.fill_text(str(v), values) for k, v in spec.headers.items()}
    try:
        resp = http.request(spec.method, url, json=body, headers=headers, timeout=timeout_s)
    except requests.RequestException as exc:
        raise CallFailed(f"no reply ({type(exc).__name__}: {exc})") from None
    if resp.status_code not in spec.expect:
        raise CallFailed(f"HTTP {resp.status_code} (expected {', '.join(map(str, spec.expect))}): {resp.text[:300]}")
    if not spec.capture:
        return {}
    try:
        return templates.capture(resp.json(), spec.capture)
    except ValueError:
        raise CallFailed(f"HTTP {resp.status_code}, the reply is not JSON: {resp.text[:300]}") from None
    except KeyError as missing:
        raise CallFailed(f"HTTP {resp.status_code}, the reply has no {missing.args[0]}: {resp.text[:300]}") from None
