"""CredentialManager: encrypted at rest (key or password), 0600, wrong secrets refused, no
plain fallback, tokens hidden."""

from __future__ import annotations

import os
import stat

import pytest
from GitFleet.utils.auth import CredentialManager


def test_round_trip_with_a_key(tmp_path):
    key = CredentialManager.generate_key()
    path = tmp_path / "creds.enc"
    m = CredentialManager(path, key=key)
    m.save_credential("github", "ghp_secrettoken123456", username="alice")
    m.save_credential("gitlab", "glpat-another", host="https://gitlab.example/api/v4")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert b"ghp_secret" not in path.read_bytes() and b"glpat" not in path.read_bytes()
    again = CredentialManager(path, key=key)
    assert [(c.provider.value, c.username) for c in again.get_credentials()] == [("github", "alice"), ("gitlab", None)]
    assert again.get_credentials("gitlab")[0].host == "https://gitlab.example/api/v4"
    assert "ghp_secret" not in repr(again.get_credentials()) and "ghp_secret" not in repr(again)
    manager = again.to_token_manager()
    assert manager.get_next_available_token("github").username == "alice"
    assert again.remove_credential("github", "ghp_secrettoken123456")
    assert len(CredentialManager(path, key=key).get_credentials()) == 1


def test_password_and_refusals(tmp_path):
    path = tmp_path / "creds.enc"
    CredentialManager(path, password="correct horse").save_credential("bitbucket", "bb-token")
    assert CredentialManager(path, password="correct horse").get_credentials()[0].token == "bb-token"
    with pytest.raises(ValueError, match="wrong key or password"):
        CredentialManager(path, password="wrong")
    with pytest.raises(ValueError, match="encrypted with a password"):
        CredentialManager(path, key=CredentialManager.generate_key())
    with pytest.raises(ValueError, match="never stored unencrypted"):
        CredentialManager(path)
    with pytest.raises(ValueError, match="not a Fernet key"):
        CredentialManager(tmp_path / "other.enc", key="short").save_credential("github", "t")
    (tmp_path / "junk.enc").write_text("plain text")
    with pytest.raises(ValueError, match="not a GitFleet credentials file"):
        CredentialManager(tmp_path / "junk.enc", password="x")
