"""The project's own error type: every problem with an input says what and where."""
from __future__ import annotations


class ReportError(ValueError):
    """A report (or a parameter) cannot be used as it is.

    `where` names the file and, when known, the form and line, so that an analyst
    can open the file at the right place; `hint` says what to do about it; `kind`
    names the problem in a word ('encoding', 'form_missing', ...) for programs and tests.
    `location` (a code of `helpers.location`, e.g. 'table:7:12' in a Word document) says
    where `line` is when the file has no lines of its own.
    """

    def __init__(self, message: str, *, path=None, line: int | None = None,
                 form: int | None = None, hint: str | None = None, kind: str | None = None,
                 location: str | None = None):
        self.message = message
        self.kind = kind
        self.path = str(path) if path is not None else None
        self.line = line
        self.form = form
        self.location = location
        self.hint = hint
        super().__init__(self.describe())

    @property
    def where(self) -> str:
        parts = []
        if self.path:
            parts.append(self.path)
        if self.form is not None:
            parts.append(f"Biểu mẫu {self.form}")
        if self.location:
            from .location import describe
            parts.append(describe(self.location, "en"))
        elif self.line is not None:
            parts.append(f"line {self.line}")
        return ", ".join(parts)

    def describe(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text
