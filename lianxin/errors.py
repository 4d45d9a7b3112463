"""The refusal every floor raises: on the ground floor, so that accounts and orgs can raise
it without importing the case workflow above them."""

from lianxin.text import Message


class WorkflowError(Exception):
    """A refused action; `message` is for the person who tried it (in Chinese)."""

    def __init__(self, code: str, message: Message) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
