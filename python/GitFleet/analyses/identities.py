"""Who an author is: git's ``.mailmap`` applied exactly as git applies it (``git shortlog``,
``git blame``, ``%aN``/``%aE``), optionally identities merged when they share an e-mail, and
bot accounts recognised so they can be left out."""

from __future__ import annotations

import re

from .. import _native

__all__ = ["Mailmap", "Identities", "is_bot", "read_mailmap"]


def _bytes(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else text.encode("utf-8", "surrogateescape")


def _fold(text: str) -> bytes:
    """git compares e-mails with strcasecmp: ASCII letters only."""
    return _bytes(text).lower()


class Mailmap:
    """A parsed ``.mailmap``: ``Mailmap(text).map(name, email)`` gives what git shows (the
    native core's parser, the one blame uses)."""

    def __init__(self, text: str | bytes = "") -> None:
        self._map = _native.Mailmap(_bytes(text))

    @classmethod
    def _of(cls, native: _native.Mailmap) -> Mailmap:
        mailmap = cls.__new__(cls)
        mailmap._map = native
        return mailmap

    def __bool__(self) -> bool:
        return bool(self._map)

    def map(self, name: str, email: str) -> tuple[str, str]:
        mapped_name, mapped_email = self._map.map(_bytes(name), _bytes(email))
        return mapped_name.decode("utf-8", "surrogateescape"), mapped_email.decode("utf-8", "surrogateescape")


def read_mailmap(repo_path: str) -> Mailmap:
    """The repository's ``.mailmap`` as git reads it by default: the work tree's file (not
    through a symbolic link), or in a bare repository the one committed at HEAD."""
    return Mailmap._of(_native.read_mailmap(repo_path))


_BOT = re.compile(r"\[bot\]|^(dependabot|renovate|github-actions)\b", re.IGNORECASE)


def is_bot(name: str, email: str) -> bool:
    """GitHub's "[bot]" accounts and the common automation identities (dependabot, renovate,
    github-actions), by name or by the e-mail's local part."""
    return bool(_BOT.search(name) or _BOT.search(email.split("@", 1)[0]))


class Identities:
    """Turns a commit's or a line's (name, e-mail) into the person an analysis counts:
    ``"Name <email>"`` after the mailmap, and with ``merge_emails`` every name seen with an
    e-mail under the first such name (as one person; history is read newest first, so that is
    the most recent name). Results are cached per raw identity."""

    def __init__(self, mailmap: Mailmap | None = None, merge_emails: bool = False) -> None:
        self.mailmap = mailmap or Mailmap()
        self.merge_emails = merge_emails
        self._seen: dict[tuple[str, str], str] = {}
        self._name_of_email: dict[bytes, str] = {}

    def __call__(self, name: str, email: str) -> str:
        key = (name, email)
        found = self._seen.get(key)
        if found is None:
            mapped_name, mapped_email = self.mailmap.map(name, email)
            if self.merge_emails:
                mapped_name = self._name_of_email.setdefault(_fold(mapped_email), mapped_name)
            found = self._seen[key] = f"{mapped_name} <{mapped_email}>"
        return found
