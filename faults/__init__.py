"""The fault vocabulary, schedules, the journal, heal-on-exit and the runner Locust starts."""
