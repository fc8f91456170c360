"""Errors that carry a message meant for the admin, not a traceback."""

from __future__ import annotations

from pathlib import Path


class PatchtuiError(Exception):
    """Base class for every error patchtui reports to the user."""


class ReportError(PatchtuiError):
    """A report file cannot be imported.

    Attributes:
        path: The report file.
        reason: What is wrong, in one sentence.
        line: 1-based line of the problem, when known.
        column: 1-based column of the problem, when known.
    """

    def __init__(
        self, path: Path | str, reason: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.path = Path(path)
        self.reason = reason
        self.line = line
        self.column = column
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = ""
        if self.line is not None:
            where = f", line {self.line}"
            if self.column is not None:
                where += f", column {self.column}"
        return f"{self.path}{where}: {self.reason}"


class UnknownFormatError(ReportError):
    """No importer recognises the file's content."""


class ImportCancelled(PatchtuiError):
    """The user cancelled an import before it committed; nothing was written."""


class InputError(PatchtuiError):
    """A value given by the user is invalid (a date, an id, a policy setting)."""


class NotFoundError(PatchtuiError):
    """A finding, asset, exception or task id does not exist."""


class SchemaError(PatchtuiError):
    """The database was written by a newer patchtui or is not a patchtui database."""
