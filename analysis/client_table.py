"""The client table of docs/client-recipe.md: runs of a client-variant scenario (redis-5-lettuce and
its cut), one row per client and variant, every figure read from the run's summary.json.

    python -m analysis.client_table docs/results/lettuce/runs/RUN_ID ...   # markdown on stdout

A row names its client by what the apps answered (client-settings.json), else the stand-in's redis-py,
and links its run relative to docs/ (where the table is pasted). An absent figure prints as "n/a".
"""
from __future__ import annotations

import sys
from pathlib import Path

import runfiles as rf
from bilingual import num

DOCS = Path(__file__).resolve().parent.parent / "docs"
WHERE = {"local": "local", "docker": "Docker", "target": "its own stack (Docker)"}
HEAD = ("| client | on | variant | failed (kinds) | last error vs switch | first ok after switch | user-visible | lost | "
        "duplicates | p50 / p99 before | run |")


def client_name(summary: rf.Summary) -> str:
    answers = [s for s in (summary.client_settings or {}).values() if isinstance(s, dict)]
    for s in answers:
        if s.get("lettuceVersion"):
            return f"Lettuce {s['lettuceVersion'].removesuffix('.RELEASE')}"
        if s.get("client"):
            return f"{s['client']} {s.get('version', '')}".strip()
    return "redis-py (stand-in)"


def _s(value, unit: str = "", signed: bool = False) -> str:
    if value is None:
        return "n/a"
    return (f"{'+' if signed and value >= 0 else ''}{num(value)}{unit}")


def rows(run_dir: Path) -> list[str]:
    summary = rf.Summary.load(run_dir)
    m = summary.metrics
    try:
        link = str(run_dir.resolve().relative_to(DOCS.resolve())) + "/"
    except ValueError:  # a run outside docs/ (not committed yet): its own path
        link = str(run_dir) + "/"
    out = []
    for v in summary.variants:
        kinds = sorted(((k.split(".", 2)[2], n) for k, n in m.items() if k.startswith(f"{v}.errors_by_kind.") and n),
                       key=lambda kv: -kv[1])
        failed = _s(m.get(f"{v}.failed_requests")) + (f" ({', '.join(f'{k} {num(n)}' for k, n in kinds)})" if kinds else "")
        where = WHERE.get(summary.backend, summary.backend)
        out.append(f"| {client_name(summary)} | {where} | {v} | {failed} | "
                   f"{_s(m.get(f'{v}.last_error_after_switch_s'), ' s', True)} | "
                   f"{_s(m.get(f'{v}.first_ok_after_switch_s'), ' s', True)} | {_s(m.get(f'{v}.user_errors'))} | "
                   f"{_s(m.get(f'{v}.lost_acked'))} | {_s(m.get(f'{v}.duplicates_created'))} | "
                   f"{_s(m.get(f'{v}.p50_steady_ms'))} / {_s(m.get(f'{v}.p99_steady_ms'))} ms | [run]({link}) |")
    return out


def table(run_dirs: list[Path]) -> str:
    lines = [HEAD, "|" + "---|" * HEAD.count(" | ") + "---|"]
    for d in run_dirs:
        lines += rows(d)
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    print(table([Path(a) for a in argv]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
