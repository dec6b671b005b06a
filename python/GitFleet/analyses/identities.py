"""Who an author is: git's ``.mailmap`` applied exactly as git applies it (``git shortlog``,
``git blame``, ``%aN``/``%aE``), optionally identities merged when they share an e-mail, and
bot accounts recognised so they can be left out."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field

__all__ = ["Mailmap", "Identities", "is_bot", "read_mailmap"]


def _fold(text: str) -> bytes:
    """git compares mailmap names and e-mails with strcasecmp: ASCII letters only."""
    return text.encode("utf-8", "surrogateescape").lower()


def _name_and_email(text: str, allow_empty_email: bool) -> tuple[str | None, str | None, str | None]:
    """git's parse_name_and_email: (name or None, e-mail or None, the rest of the line or None)."""
    left = text.find("<")
    if left < 0:
        return None, None, None
    right = text.find(">", left + 1)
    if right < 0 or (not allow_empty_email and right == left + 1):
        return None, None, None
    name = text[:left].strip(" \t\n\v\f\r")
    rest = text[right + 1:]
    return name or None, text[left + 1:right], rest or None


@dataclass
class _Entry:
    name: str | None = None
    email: str | None = None
    by_name: dict[bytes, tuple[str | None, str | None]] = field(default_factory=dict)


class Mailmap:
    """A parsed ``.mailmap``: ``Mailmap(text).map(name, email)`` gives what git shows."""

    def __init__(self, text: str = "") -> None:
        self._entries: dict[bytes, _Entry] = {}
        for line in text.split("\n"):
            if line.startswith("#"):
                continue
            name1, email1, rest = _name_and_email(line, allow_empty_email=False)
            name2 = email2 = None
            if rest is not None:
                name2, email2, _ = _name_and_email(rest, allow_empty_email=True)
            if email1 is not None:
                self._add(name1, email1, name2, email2)

    def _add(self, new_name: str | None, new_email: str | None, old_name: str | None, old_email: str | None) -> None:
        if old_email is None:
            old_email, new_email = new_email, None
        entry = self._entries.setdefault(_fold(old_email or ""), _Entry())
        if old_name is None:
            entry.name = new_name if new_name is not None else entry.name
            entry.email = new_email if new_email is not None else entry.email
        else:
            entry.by_name[_fold(old_name)] = (new_name, new_email)

    def __bool__(self) -> bool:
        return bool(self._entries)

    def map(self, name: str, email: str) -> tuple[str, str]:
        entry = self._entries.get(_fold(email))
        if entry is None:
            return name, email
        new_name, new_email = entry.by_name.get(_fold(name), (entry.name, entry.email))
        return (new_name if new_name is not None else name), (new_email if new_email is not None else email)


def read_mailmap(repo_path: str, rev: str = "HEAD") -> Mailmap:
    """The repository's ``.mailmap``: the work tree's file when there is one (as git reads it),
    else the one committed at ``rev`` (as git's mailmap.blob default in bare repositories)."""
    in_tree = os.path.join(repo_path, ".mailmap")
    try:
        with open(in_tree, encoding="utf-8", errors="surrogateescape") as f:
            return Mailmap(f.read())
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        pass
    found = subprocess.run(["git", "-C", repo_path, "cat-file", "blob", f"{rev}:.mailmap"], capture_output=True)
    return Mailmap(found.stdout.decode("utf-8", "surrogateescape") if found.returncode == 0 else "")


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
