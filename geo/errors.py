"""Errors every stage may raise for a person to read: one line, no traceback."""


class UserError(Exception):
    """A problem to report as one line (the CLI prints it on stderr and exits with status 2)."""
