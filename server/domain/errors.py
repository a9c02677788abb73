"""Rule violations, named by a message-catalogue key."""


class DomainError(Exception):
    """A command broke a rule; `code` is a message-catalogue key shown to the user."""

    def __init__(self, code: str, **params: str | int) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
