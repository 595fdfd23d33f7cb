"""Two-factor authentication with TOTP codes and single-use recovery codes."""

import hashlib
import hmac
import secrets
import time

import pyotp
from flask import current_app
from sqlalchemy import delete, select

from lms.accounts.models import RecoveryCode, User
from lms.extensions import db
from lms.sqltypes import utcnow

RECOVERY_CODES = 10
#: Codes from the step before and after the current one are accepted, for clocks that drift.
DRIFT_STEPS = 1


def begin_setup(user: User) -> str:
    """Give the user a new secret to scan; it is not in use until a code from it is confirmed."""
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.flush()
    return user.totp_secret


def provisioning_uri(user: User) -> str:
    issuer = current_app.config["LMS_SITE_NAME"] or "BIPOC Community of Leaders"
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=issuer)


def confirm_setup(user: User, code: str) -> list[str] | None:
    """Turn two-factor on if `code` comes from the new secret; return fresh recovery codes."""
    if not user.totp_secret or not _accept_totp(user, code):
        return None
    user.totp_enabled_at = utcnow()
    return new_recovery_codes(user)


def verify(user: User, code: str) -> str | None:
    """Accept a TOTP or recovery code once; return which kind it was, or None."""
    if not user.two_factor_enabled:
        return None
    if _accept_totp(user, code):
        return "totp"
    if _accept_recovery_code(user, code):
        return "recovery"
    return None


def current_code(user: User) -> str:
    """The code an authenticator app would show now, or the next one if this one was used (demos, tests)."""
    totp = pyotp.TOTP(user.totp_secret)
    step = max(int(time.time()) // totp.interval, (user.totp_last_step or -1) + 1)
    return totp.generate_otp(step)


def disable(user: User) -> None:
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; the plain codes are shown once and never stored."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_format_code(secrets.token_hex(5).upper()) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(c)) for c in codes)
    db.session.flush()
    return codes


def unused_recovery_codes(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())


def _accept_totp(user: User, code: str) -> bool:
    digits = "".join(ch for ch in code if ch.isdigit())
    if len(digits) != 6:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now_step = int(time.time()) // totp.interval
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), digits):
            user.totp_last_step = step
            db.session.flush()
            return True
    return False


def _accept_recovery_code(user: User, code: str) -> bool:
    row = db.session.scalar(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code), RecoveryCode.used_at.is_(None)))
    if row is None:
        return False
    row.used_at = utcnow()
    db.session.flush()
    return True


def _format_code(raw: str) -> str:
    return f"{raw[:5]}-{raw[5:]}"


def _hash(code: str) -> str:
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(_format_code(normalised).encode()).hexdigest()
