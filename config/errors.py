class ConfigError(Exception):
    """Bad settings or policy: start-up stops (exit code 3) with this message."""
