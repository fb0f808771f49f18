"""The one error type that user input can raise, and its one-line message.

Every problem with a file, a field or a value the user gave is an :class:`InputError` naming
the file, the field and what was expected. The CLI prints it on one line and exits with status 2.
"""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad user input: names where (``source``), what (``field``) and what was expected."""

    def __init__(self, source: str | Path, field: str, expected: str, got: object = None) -> None:
        self.source = str(source)
        self.field = field
        self.expected = expected
        self.got = got
        message = f"{self.source}: {field}: expected {expected}"
        if got is not None:
            message += f", got {got!r}"
        super().__init__(message)

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        # Errors raised in worker processes travel back pickled: rebuild from the four fields.
        return (type(self), (self.source, self.field, self.expected, self.got))
