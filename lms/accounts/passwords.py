"""argon2id password hashing with the cost set in config."""

from functools import lru_cache

from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

PASSWORD_MIN = 8
PASSWORD_MAX = 256


def _hasher():
    return current_app.extensions["lms"].password_hasher


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> tuple[bool, bool]:
    """Check a password; return (matches, needs_rehash).

    With no hash (an unknown email) a throwaway hash is still verified, so the
    answer takes about as long as for a real account.
    """
    hasher = _hasher()
    try:
        hasher.verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False, False
    if password_hash is None:
        return False, False
    return True, hasher.check_needs_rehash(password_hash)


def _dummy_hash() -> str:
    state = current_app.extensions["lms"]
    if state.dummy_hash is None:
        state.dummy_hash = state.password_hasher.hash("not-a-real-password")
    return state.dummy_hash


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common passwords of real leaks, most common first.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_weak(password: str, *, email: str | None = None) -> bool:
    """A common password, or one made of the person's own email address: ASVS asks to refuse both."""
    lowered = password.strip().lower()
    if lowered in _common_passwords():
        return True
    if email:
        local = email.lower().split("@")[0]
        return lowered in {email.lower(), local}
    return False
