"""The few exceptions the library raises; the CLI and the app turn them into one-line messages."""


class PolicyQAError(Exception):
    """Base class: the message names the bad value and the fix."""


class BadDocumentError(PolicyQAError):
    """A corpus file that cannot be read as a policy document."""


class IndexMissingError(PolicyQAError):
    """No usable index where one was expected."""


class IndexStaleError(PolicyQAError):
    """The index was built with other settings or another embedding model."""


class BadQuestionError(PolicyQAError):
    """A question that cannot be answered as typed (empty, too long)."""


class EmbeddingError(PolicyQAError):
    """The embedding backend failed or is misconfigured."""
