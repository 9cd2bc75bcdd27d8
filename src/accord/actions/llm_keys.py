"""Encrypting LLM endpoints' API keys at rest (docs/llm.md, "Keys").

A key is encrypted with Fernet (AES-128-CBC with HMAC-SHA256) under a key derived (HKDF-SHA256)
from the instance secret ``llm_keys`` (`accord.actions.secrets`), made on first use and shared
by every process. The derived key never leaves memory; the database holds only the Fernet
token and the last four characters of the key (its hint). A row copied out of the database
(a log, a partial dump, an export) does not reveal the key; someone with the whole database
(and so the instance secret too) can decrypt it, as the server must. The instance secret is not
rotated: to change it, delete the row of ``instance_secrets`` named ``llm_keys`` and enter every
project's key again.
"""

from __future__ import annotations

import base64
from collections.abc import Callable

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from accord.actions.secrets import instance_secret
from accord.db import Database
from accord.errors import Invalid

SECRET = "llm_keys"
HINT = 4


def _fernet(db: Database) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"accord llm endpoint keys"
    ).derive(instance_secret(db, SECRET))
    return Fernet(base64.urlsafe_b64encode(derived))


def key_sealer(db: Database) -> Callable[[str], str]:
    """What encrypts a key. Call it outside any write transaction: the first call of a process
    may make the instance secret, in a transaction of its own."""
    fernet = _fernet(db)
    return lambda key: fernet.encrypt(key.encode()).decode()


def decrypt_key(db: Database, token: str) -> str:
    try:
        return _fernet(db).decrypt(token.encode()).decode()
    except InvalidToken:
        raise Invalid(
            "the project's LLM API key cannot be decrypted (the instance secret llm_keys "
            "changed); enter the key again in the project's LLM settings",
            code="llm_key_unreadable",
        ) from None


def key_hint(key: str) -> str:
    return "…" + key[-HINT:] if len(key) > 2 * HINT else "…"
