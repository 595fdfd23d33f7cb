"""Encryption at rest for confidential text, such as mentors' private notes.

LMS_ENCRYPTION_KEYS lists Fernet keys, newest first: the first encrypts, all of them decrypt, so
adding a new key in front and running `flask lms rotate-keys` retires an old one. Without keys
(development and tests) a key is derived from SECRET_KEY; production refuses to start without keys.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

__all__ = ["InvalidToken", "decrypt", "encrypt", "generate_key", "rotate"]


def generate_key() -> str:
    return Fernet.generate_key().decode()


def configured_keys(config) -> list[str]:
    keys = config.get("LMS_ENCRYPTION_KEYS") or []
    if isinstance(keys, str):
        keys = [k.strip() for k in keys.split(",") if k.strip()]
    if not keys:
        derived = hashlib.sha256(b"lms-encryption:" + str(config["SECRET_KEY"]).encode()).digest()
        keys = [base64.urlsafe_b64encode(derived).decode()]
    return keys


def _fernet() -> MultiFernet:
    state = current_app.extensions["lms"]
    if state.fernet is None:
        state.fernet = MultiFernet([Fernet(k) for k in configured_keys(current_app.config)])
    return state.fernet


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """Re-encrypt a token with the newest key."""
    return _fernet().rotate(token.encode()).decode()
