"""Where the parts meet: scenario files, a run's session (lab, faults, observers, verification) and the CLI."""
