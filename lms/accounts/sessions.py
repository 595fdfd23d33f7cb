"""Sessions: a per-user token in the login cookie, idle and absolute timeouts, and recent logins.

The cookie says which user and which session token; changing the user's token (logout, a new
password, deactivation) ends every session at once, on every device.
"""

import hmac
import time
from functools import wraps

from flask import current_app, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from lms import i18n
from lms.accounts.models import User, new_session_token
from lms.core.navigation import safe_next_url
from lms.extensions import db

#: Seconds since the epoch when the person last gave their password (and second factor).
AUTH_AT = "lms_auth_at"
#: Seconds since the epoch of the person's last request.
SEEN_AT = "lms_seen_at"


def start_session(user: User | None = None) -> None:
    """Begin a fresh session, keeping only the language; log `user` in if given."""
    language = session.get(i18n.SESSION_KEY)
    logout_user()
    session.clear()
    if language:
        session[i18n.SESSION_KEY] = language
    if user is not None:
        login_user(user)
        session.permanent = True
        session[AUTH_AT] = session[SEEN_AT] = int(time.time())
        # Unless this browser chose one, their language: for a page made while the database cannot tell it
        # (the 503 page of an outage).
        session.setdefault(i18n.SESSION_KEY, user.locale)


def end_all_sessions(user: User) -> None:
    """Give the user a new session token: every cookie holding the old one stops working."""
    user.session_token = new_session_token()
    db.session.flush()


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the token must match and the session must not have expired."""
    uid, _, token = user_id.partition(":")
    user = db.session.get(User, int(uid)) if uid.isdigit() else None
    if user is None or not user.is_active or not hmac.compare_digest(user.session_token, token):
        return None
    if not session_is_current():
        session.clear()
        return None
    note_activity()
    return user


def session_is_current() -> bool:
    """The login in this session, if any, is within its idle and absolute timeouts."""
    if "_user_id" not in session:
        return True
    now, config = int(time.time()), current_app.config
    return now - session.get(AUTH_AT, 0) <= config["LMS_SESSION_MAX_HOURS"] * 3600 and \
        now - session.get(SEEN_AT, 0) <= config["LMS_SESSION_IDLE_MINUTES"] * 60


def note_activity() -> None:
    """Restart the idle clock, rewriting the cookie at most every 30 seconds rather than on every request."""
    now = int(time.time())
    if "_user_id" in session and now - session.get(SEEN_AT, 0) > 30:
        session[SEEN_AT] = now


def mark_recent_login() -> None:
    session[AUTH_AT] = session[SEEN_AT] = int(time.time())


def login_is_recent() -> bool:
    limit = current_app.config["LMS_RECENT_LOGIN_MINUTES"] * 60
    return int(time.time()) - session.get(AUTH_AT, 0) <= limit


def recent_login_required(view):
    """Ask for the password again before a sensitive action if the login is not recent."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.is_authenticated and not login_is_recent():
            back = request.full_path.rstrip("?") if request.method == "GET" else request.referrer
            return redirect(url_for("lms.accounts.reauthenticate", next=safe_next_url(_local(back))))
        return view(*args, **kwargs)

    return wrapped


def _local(url: str | None) -> str | None:
    """The path part of a same-site Referer, if it is one."""
    if not url:
        return None
    root = request.host_url
    return "/" + url[len(root):] if url.startswith(root) else url
