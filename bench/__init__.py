"""Benchmarks: scripts that print figures of the harness itself and write them under results/bench/."""
