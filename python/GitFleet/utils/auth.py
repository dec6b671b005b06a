"""Provider credentials kept on disk, encrypted: Fernet (AES-128-CBC with HMAC-SHA256) under a
key you give, or one derived from a password with scrypt (its salt stored beside the data).
There is no unencrypted mode to fall back to. The file is written atomically, mode 0600."""

from __future__ import annotations

import base64
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ..exceptions import InvalidArgumentError
from ..models.common import ProviderType

if TYPE_CHECKING:
    from ..providers.token_manager import TokenManager

__all__ = ["CredentialManager", "CredentialInfo"]

_SCRYPT = {"n": 2 ** 15, "r": 8, "p": 1}


@dataclass(frozen=True)
class CredentialInfo:
    provider: ProviderType
    token: str = field(repr=False)
    username: Optional[str] = None
    host: Optional[str] = None  # a self-hosted server's base URL


def _default_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "gitfleet" / "credentials.enc"


class CredentialManager:
    """Credentials in an encrypted file (default ``$XDG_CONFIG_HOME/gitfleet/credentials.enc``).
    Exactly one of ``key`` (from :meth:`generate_key`) or ``password`` is required; a wrong one
    raises ValueError when the file is read."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *, key: str | bytes | None = None,
                 password: str | None = None) -> None:
        if (key is None) == (password is None):
            raise InvalidArgumentError("CredentialManager needs a key or a password (exactly one): credentials are never "
                             "stored unencrypted")
        self.path = Path(path) if path is not None else _default_path()
        self._key = key.encode() if isinstance(key, str) else key
        self._password = password
        self._salt: bytes | None = None
        self._credentials: list[CredentialInfo] = []
        if self.path.exists():
            self._load()

    def __repr__(self) -> str:
        return f"CredentialManager(path={str(self.path)!r}, credentials={len(self._credentials)})"

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode()

    def _fernet(self) -> Fernet:
        if self._key is not None:
            try:
                return Fernet(self._key)
            except ValueError:
                raise InvalidArgumentError("the key is not a Fernet key (use CredentialManager.generate_key())") from None
        if self._salt is None:
            self._salt = os.urandom(16)
        derived = Scrypt(salt=self._salt, length=32, **_SCRYPT).derive(self._password.encode())  # type: ignore[union-attr]
        return Fernet(base64.urlsafe_b64encode(derived))

    def _load(self) -> None:
        try:
            envelope = json.loads(self.path.read_text())
            kdf = envelope["kdf"]
            if (kdf == "scrypt") != (self._password is not None):
                raise InvalidArgumentError(f"{self.path} was encrypted with a {'password' if kdf == 'scrypt' else 'key'}")
            if kdf == "scrypt":
                self._salt = base64.b64decode(envelope["salt"])
            plain = self._fernet().decrypt(envelope["data"].encode())
        except InvalidToken:
            raise InvalidArgumentError(f"cannot decrypt {self.path}: wrong key or password, or the file was altered") from None
        except (KeyError, TypeError, json.JSONDecodeError):
            raise InvalidArgumentError(f"{self.path} is not a GitFleet credentials file") from None
        self._credentials = [CredentialInfo(ProviderType(c["provider"]), c["token"], c.get("username"), c.get("host"))
                             for c in json.loads(plain)]

    def _save(self) -> None:
        rows = [{**asdict(c), "provider": c.provider.value} for c in self._credentials]
        data = self._fernet().encrypt(json.dumps(rows).encode()).decode()
        envelope = {"version": 1, "kdf": "scrypt" if self._password is not None else "key", "data": data}
        if self._password is not None:
            envelope["salt"] = base64.b64encode(self._salt).decode()  # type: ignore[arg-type]
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".credentials-")  # created 0600
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(envelope, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            os.unlink(tmp)
            raise

    def save_credential(self, provider: ProviderType | str, token: str, username: str | None = None,
                        host: str | None = None) -> CredentialInfo:
        if not token:
            raise InvalidArgumentError("a credential needs a token")
        info = CredentialInfo(ProviderType(provider), token, username, host)
        self._credentials = [c for c in self._credentials if (c.provider, c.token) != (info.provider, token)]
        self._credentials.append(info)
        self._save()
        return info

    def get_credentials(self, provider: ProviderType | str | None = None) -> list[CredentialInfo]:
        wanted = ProviderType(provider) if provider is not None else None
        return [c for c in self._credentials if wanted is None or c.provider is wanted]

    def remove_credential(self, provider: ProviderType | str, token: str) -> bool:
        before = len(self._credentials)
        self._credentials = [c for c in self._credentials if (c.provider, c.token) != (ProviderType(provider), token)]
        if len(self._credentials) != before:
            self._save()
        return len(self._credentials) != before

    def to_token_manager(self, manager: TokenManager | None = None) -> TokenManager:
        from ..providers.token_manager import TokenManager  # the providers package imports this module

        manager = manager or TokenManager()
        for c in self._credentials:
            manager.add_token(c.token, c.provider, c.username)
        return manager
