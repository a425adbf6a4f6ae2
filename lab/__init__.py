"""Stacks up and down, and their nodes' operations: local processes or Docker. No fault schedules."""
