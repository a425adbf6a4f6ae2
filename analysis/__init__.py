"""From run files to metrics, checks, summary.json, report.md and plots. Never talks to a live server."""
