"""The one failure type commands raise: a one-line message for the operator, and an exit code."""


class AwxRuntimeError(Exception):
    """A failure the operator can act on; its message is a single line naming what and where."""

    exit_code = 1

    def __init__(self, message: str, kind: str = "error") -> None:
        super().__init__(message)
        self.kind = kind
        """Short machine-readable class of the failure (e.g. `storage`, `auth`, `config`)."""


class ConfigurationError(AwxRuntimeError):
    """A flag or environment variable is missing or invalid; names the flag and variable."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message, kind="config")
