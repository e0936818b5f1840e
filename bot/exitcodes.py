"""Exit codes of every command (DESIGN.md): one place, imported by the CLI and each command."""

EXIT_OK = 0
EXIT_REFUSED = 1  # the data was refused: bad rows, a broken log chain
EXIT_USAGE = 2  # unknown option, --now without a UTC offset or Z
EXIT_CONFIG = 3  # bad settings or policy
