"""Why an import was refused: a catalogue code, where in the file, and what fills the text."""

from __future__ import annotations

from collections.abc import Mapping

from server.i18n import message

# A refusal from elsewhere (the domain's rules, the upload checks): its code and parameters.
Cause = tuple[str, Mapping[str, object]]


class ImportProblem(Exception):
    """A refused import. `code` is an `import.*` catalogue entry; `path` names the element of
    the file (`boards[1].columns[0].notes[3]`); `cause` is the rule that refused it, if any."""

    def __init__(
        self, code: str, path: str = "", cause: Cause | None = None, **params: str | int
    ) -> None:
        super().__init__(f"{code} at {path or '(file)'}")
        self.code = code
        self.path = path
        self.cause = cause
        self.params = params

    def text(self, locale: str) -> str:
        """The sentence a facilitator reads, in their language."""
        params: dict[str, object] = {"path": self.path or "-", **self.params}
        if self.cause is not None:
            code, cause_params = self.cause
            params["reason"] = message(code, locale, **cause_params)
        return message(self.code, locale, **params)
