"""Nearest-rank quantiles of a small sample (a campaign's runs, a bench's repetitions): every figure
printed is one that was measured, never an interpolation between two runs."""
from __future__ import annotations


def nearest_rank(values, median_key: str = "median") -> dict | None:
    """{n, min, MEDIAN_KEY, p95, max} of the values that are not None; None when there is none."""
    xs = sorted(v for v in values if v is not None)
    if not xs:
        return None
    pick = lambda q: xs[min(len(xs) - 1, int(q * (len(xs) - 1) + 0.5))]  # noqa: E731
    return {"n": len(xs), "min": xs[0], median_key: pick(0.5), "p95": pick(0.95), "max": xs[-1]}
