"""The few exceptions the library raises; the CLI and the app turn them into one-line messages."""


class PolicyQAError(Exception):
    """Base class: the message names the bad value and the fix.

    `zh` is the same message in Chinese, for the app (the CLI may print either); it defaults to
    the message itself, which is already Chinese where users of the app see it.
    """

    def __init__(self, message: str, zh: str | None = None) -> None:
        super().__init__(message)
        self.zh = zh or message


class BadDocumentError(PolicyQAError):
    """A corpus file that cannot be read as a policy document."""


class TooCostlyError(BadDocumentError):
    """A file past an upload limit (pages, pixels, seconds of OCR, the queue): the message names the setting."""


class IndexMissingError(PolicyQAError):
    """No usable index where one was expected."""


class IndexStaleError(PolicyQAError):
    """The index was built with other settings or another embedding model."""


class BadQuestionError(PolicyQAError):
    """A question that cannot be answered as typed (empty, too long)."""


class EmbeddingError(PolicyQAError):
    """The embedding backend failed or is misconfigured."""


class IndexCorruptError(IndexMissingError):
    """A file inside the index folder is truncated, missing or unreadable (not the same as no index)."""

    def __init__(self, message: str, zh: str | None = None, path: str | None = None) -> None:
        super().__init__(message, zh)
        self.path = path  # the damaged file, for the repair


class StoreUnavailableError(PolicyQAError):
    """The vector store (a Chroma server, or the embedded store) cannot be reached or read right now."""


class NotAllowedError(PolicyQAError):
    """The caller may not change the corpus (assistant/access.py says who may)."""
