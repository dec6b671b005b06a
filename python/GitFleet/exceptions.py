"""GitFleet's exception hierarchy.

Every error GitFleet raises on purpose is a :class:`GitFleetError`. Errors about bad
arguments are also :class:`ValueError`, a missing revision is also a :class:`LookupError`
and operating-system failures are also :class:`OSError`, so generic handlers keep working::

    GitFleetError
    ├── InvalidArgumentError (ValueError)   an argument is unusable; the message names it
    ├── RepositoryError                     a repository cannot be used
    │   ├── RepositoryNotFoundError          the path is not a git repository
    │   ├── RevisionNotFoundError (LookupError)  a revision does not name a commit
    │   └── GitObjectError                   an object is missing or unreadable
    ├── GitFleetOSError (OSError)           the operating system refused something
    ├── CloneError                          a clone or fetch failed
    ├── BlameError                          a file could not be blamed
    ├── StoreError                          the fleet store cannot be opened or written
    ├── AuthenticationError                 credentials were refused
    ├── NetworkError (ConnectionError)      a server could not be reached
    ├── RateLimitError                      a provider's rate limit stopped a request
    └── ProviderError                       a provider API answered with an error
        └── NotFoundError (LookupError)     it answered 404: no such repository, user or page

Cancelling the asyncio task that awaits native work raises :class:`asyncio.CancelledError`
as usual, and the native work stops.
"""

from __future__ import annotations

import asyncio

__all__ = [
    "GitFleetError",
    "InvalidArgumentError",
    "RepositoryError",
    "RepositoryNotFoundError",
    "RevisionNotFoundError",
    "GitObjectError",
    "GitFleetOSError",
    "CloneError",
    "BlameError",
    "StoreError",
    "AuthenticationError",
    "NetworkError",
    "RateLimitError",
    "ProviderError",
    "NotFoundError",
]


class GitFleetError(Exception):
    """Base class of every error GitFleet raises on purpose."""


class InvalidArgumentError(GitFleetError, ValueError):
    """An argument is unusable; the message names it."""


class RepositoryError(GitFleetError):
    """A repository cannot be used."""


class RepositoryNotFoundError(RepositoryError):
    """The path does not exist or is not a git repository."""


class RevisionNotFoundError(RepositoryError, LookupError):
    """A revision does not resolve to a commit."""


class GitObjectError(RepositoryError):
    """A git object is missing or unreadable (the message names it)."""


class GitFleetOSError(GitFleetError, OSError):
    """The operating system refused an operation."""


class CloneError(GitFleetError):
    """A clone or fetch failed."""


class BlameError(GitFleetError):
    """A file could not be blamed."""


class StoreError(GitFleetError):
    """The fleet store cannot be opened (locked by another process, not a DuckDB file) or
    written (the store keeps its previous state)."""


class AuthenticationError(GitFleetError):
    """Credentials were refused."""


class NetworkError(GitFleetError, ConnectionError):
    """A server could not be reached, or the connection failed (a ``ConnectionError``, as
    py_eacopy's copy-server errors are)."""


class RateLimitError(GitFleetError):
    """A provider's rate limit stopped a request."""


class ProviderError(GitFleetError):
    """A provider API answered with an error."""


class NotFoundError(ProviderError, LookupError):
    """A provider has no such user, repository, branch or file (HTTP 404)."""


_BY_NATIVE_CODE: dict[str, type[BaseException]] = {
    "InvalidArgument": InvalidArgumentError,
    "NotARepository": RepositoryNotFoundError,
    "RevisionNotFound": RevisionNotFoundError,
    "ObjectError": GitObjectError,
    "CloneFailed": CloneError,
    "Network": NetworkError,
    "Protocol": NetworkError,
    "AuthenticationFailed": AuthenticationError,
    "Cancelled": asyncio.CancelledError,
}


def from_native(code: str, errno: int, message: str, path: str, path2: str) -> BaseException:
    """The exception for a native error (installed into the native module at import): its code
    picks the class; operating-system failures (any code with an errno, and ``Io``) are a
    :class:`GitFleetOSError` carrying errno and the paths, as ``OSError`` does."""
    if code in _BY_NATIVE_CODE:
        return _BY_NATIVE_CODE[code](message)
    if errno:
        return GitFleetOSError(errno, message, path or None, None, path2 or None)
    if code == "Io":
        return GitFleetOSError(message)
    return GitFleetError(message)
