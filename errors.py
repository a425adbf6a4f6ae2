"""The harness's one exception tree (the service under test, fairbid/, has its own errors)."""


class HarnessError(Exception):
    """Base of every error the harness raises on purpose."""


class ConfigError(HarnessError):
    """A lab config, scenario or schedule is malformed; the message names the file and line."""


class LabError(HarnessError):
    """A stack could not be brought up, operated or taken down."""


class FaultError(HarnessError):
    """A fault could not be applied or healed."""
