"""The Redis client settings each app the harness started really runs with, asked of the app itself
before the first fault (client-settings.json).

A property file says what was asked for; a client-options customizer can replace it wholesale (Spring
Boot's LettuceClientConfigurationBuilderCustomizer does, silently), and a native transport that is
missing turns TCP_USER_TIMEOUT into nothing. So a variant's figures are reported beside the settings
its app answered, never beside the ones its scenario gave.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import requests

from lab.protocol import Lab
from observe.base import RunEnd
from runfiles import CLIENT_SETTINGS


def ask(url: str) -> dict:
    """The app's answer as JSON, or why there is none."""
    try:
        reply = requests.get(url, timeout=3)
        reply.raise_for_status()
        body = reply.json()
        return body if isinstance(body, dict) else {"error": f"not a JSON object: {str(body)[:200]}"}
    except (requests.RequestException, ValueError) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}


class ClientSettings:
    files = (CLIENT_SETTINGS,)

    def __init__(self, lab: Lab) -> None:
        self.lab = lab

    def start(self, run_dir: Path) -> None:
        urls = self.lab.client_settings_urls()
        if urls:
            record = {"t_ms": time.time() * 1000,
                      "apps": {node: {"url": url, "settings": ask(url)} for node, url in sorted(urls.items())}}
            (run_dir / CLIENT_SETTINGS).write_text(json.dumps(record, indent=1) + "\n")

    def ready(self, timeout_s: float = 0) -> bool:
        return True

    def stop(self, end: RunEnd) -> None:
        return None
