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
        return where(self.path, self.form, self.line, location=self.location)

    def describe(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


def where(path=None, form: int | None = None, line: int | None = None,
          lang: str | None = None, location: str | None = None) -> str:
    """'file, Form 3, line 12' in the command line's language (helpers.text.cli_lang);
    `location` (e.g. 'table:7:12') in place of the line when the file has no lines."""
    from .text import cli_lang, t
    lang = lang or cli_lang()
    parts = [str(path)] if path else []
    if form is not None:
        parts.append(t("cli.where_form", lang, form=str(form)))
    if location:
        from .location import describe
        parts.append(describe(location, lang))
    elif line is not None:
        parts.append(t("cli.where_line", lang, line=str(line)))
    return ", ".join(parts)
