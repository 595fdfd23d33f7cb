"""Signed, expiring, single-use tokens for email links: password reset and email verification.

A reset token carries a fingerprint of the password hash it was made for: once the password
changes, the token is spent. A verification token carries the address it was made for.
"""

import hashlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from lms.accounts.models import User
from lms.extensions import db

RESET = "lms.password-reset"
VERIFY = "lms.email-verify"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    return _serializer(RESET).dumps({"u": user.id, "p": _fingerprint(user.password_hash)})


def user_for_reset_token(token: str) -> User | None:
    """The user a reset token is for, if it is genuine, fresh and not used yet."""
    data = _load(RESET, token, current_app.config["LMS_RESET_TOKEN_MINUTES"])
    user = db.session.get(User, data.get("u")) if data else None
    if user is None or not user.is_active or _fingerprint(user.password_hash) != data.get("p"):
        return None
    return user


def make_verify_token(user: User) -> str:
    return _serializer(VERIFY).dumps({"u": user.id, "e": user.email})


def user_for_verify_token(token: str) -> User | None:
    data = _load(VERIFY, token, current_app.config["LMS_VERIFY_TOKEN_HOURS"] * 60)
    user = db.session.get(User, data.get("u")) if data else None
    if user is None or user.email != data.get("e"):
        return None
    return user


def _load(purpose: str, token: str, max_minutes: int) -> dict | None:
    try:
        data = _serializer(purpose).loads(token, max_age=max_minutes * 60)
    except BadSignature:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("u"), int) else None
