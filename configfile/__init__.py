"""Reading the YAML files a user writes (scenarios, target files): line numbers kept, every field
typed and bounded, durations parsed, every problem named `FILE:LINE: field: why` and all reported at once.

Neutral ground: harness/ reads scenarios and target files with it, faults/ reads a scenario's fault
schedule, lab/ a scenario's service environment. So it imports no layer of the project (tests/test_boundaries.py).
"""
