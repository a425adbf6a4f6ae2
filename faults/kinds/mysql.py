"""A probe of a MySQL node: its rows, how fast it answers, its lag on a replica, and the rows it
lacks against an earlier probe of the same schedule (rdb-2: the replica serves what was written)."""
from __future__ import annotations

import time

import pymysql

from bilingual import L, num
from errors import FaultError
from faults import params as p
from faults.kind import Action
from lab.protocol import Lab
from runfiles import BackendFacts


def _replica_status(cur) -> tuple[tuple | None, list[str]]:
    """SHOW SLAVE STATUS, or nothing where the account may not see it: the rows were read all the same."""
    try:
        cur.execute("SHOW SLAVE STATUS")
    except pymysql.err.OperationalError:
        return None, []
    status = cur.fetchone()
    return status, [d[0] for d in cur.description] if status else []


def _mysql_rows(lab: Lab, node: str, *, timeout_s: float = 3, compare_to: str | None = None,
                outputs: dict | None = None) -> dict:
    """Rows and read time on a MySQL node, its lag on a replica, and rows missing against the earlier
    probe named by compare_to (`outputs`: the named outputs so far, given by the runner)."""
    t0 = time.perf_counter()
    try:
        count_query = lab.service.verify.mysql.count_query if lab.service.verify.mysql else None
        if not count_query:
            raise FaultError("the target file gives no verify.mysql.count_query to count rows with")
        conn = lab.mysql_connect(node, timeout_s=float(timeout_s), monitor=True)
        with conn.cursor() as cur:
            cur.execute(count_query)
            rows = cur.fetchone()[0]
            status, cols = _replica_status(cur)
        conn.close()
    except Exception as exc:  # an unreachable node is the probe's answer
        return {"node": node, "reachable": False, "error": f"{type(exc).__name__}: {exc}",
                "read_ms": round((time.perf_counter() - t0) * 1000, 1)}
    out = {"node": node, "reachable": True, "rows": rows, "read_ms": round((time.perf_counter() - t0) * 1000, 1)}
    earlier = (outputs or {}).get(compare_to or "", {})
    if "rows" in earlier:  # rows an earlier probe counted (on the primary) that this node lacks
        out["missing_vs_" + compare_to] = max(0, earlier["rows"] - rows)
    if status:
        out["seconds_behind_master"] = dict(zip(cols, status)).get("Seconds_Behind_Master")
    return out


def _counted(rec: dict, backend: BackendFacts) -> L:
    node, out = rec.get("node"), rec.get("output") if isinstance(rec.get("output"), dict) else {}
    rows, ms = (num(out.get("rows")) if out.get("reachable") else None), num(out.get("read_ms"))
    if rows is not None:
        return L(f"probe: `SELECT COUNT(*)` on {node}: {rows} rows in {ms} ms",
                 f"측정: {node}에서 `SELECT COUNT(*)`: {ms} ms에 {rows}행")
    return L(f"probe: `SELECT COUNT(*)` on {node}: no answer after {ms} ms",
             f"측정: {node}에서 `SELECT COUNT(*)`: {ms} ms 동안 응답 없음")


KINDS = (
    Action("mysql_rows", _mysql_rows, types={"timeout_s": p.number(lo=0, above=True), "compare_to": p.fault_name()},
           probe=True, did=_counted),
)
