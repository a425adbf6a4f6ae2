"""Observers: what records a run beside the load, each behind one small interface (observe.base).

Sentinel events, the monitor, the write history and the verification after healing. A new
observer is one module with a class that has `files`, `start(run_dir)` and `stop(end)`;
RunSession takes a list of them and knows nothing else of each.
"""
