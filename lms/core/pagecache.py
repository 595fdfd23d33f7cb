"""The busiest pages are kept rendered for each session until anything in the database changes.

A page is kept under a key made of its address, the whole session (who is logged in, their second
factor, their language), the browser's languages, the program's date and the *page version*. Every
commit that writes gives the version a new random value, so a kept page is never shown once the data
under it has changed. The version lives in Redis when rate limits do (several machines share it), or
in a file in the instance folder (one machine); it is read before the page reads anything, and changed
right after the commit, before the answer that follows the write is sent.

A kept page is shown again only to a session in exactly the state that was allowed to see it, with the
same data: the login and role checks of that first showing still hold, so the page is answered before
the user is loaded. Only what depends on the clock is checked again (the session's idle and absolute
timeouts, and Flask-Login's session protection). Pages are kept LMS_PAGE_CACHE_SECONDS at most, which
bounds anything else that depends on the time of day (a check-in that opens at 9:45).

The parts of a page that must differ on each showing are cut out when it is kept and made afresh when
it is shown: the CSRF token and the one-time tokens of create forms.
"""

import hashlib
import logging
import os
import re
import secrets
import time
from pathlib import Path

from cachelib import SimpleCache
from cachelib.serializers import BaseSerializer
from flask import current_app, g, make_response, request, session
from flask_login import current_user
from flask_login.utils import _create_identifier
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event
from sqlalchemy.orm import Session

from lms.accounts.sessions import note_activity, session_is_current
from lms.core.clock import program_today
from lms.core.once import PAGE_TOKENS, new_token
from lms.extensions import REDIS_OPTIONS, db, limiter

log = logging.getLogger(__name__)

#: Session values that change while the page stays the same: the idle clock, the CSRF token (made afresh
#: in each showing), messages (a page with one is never kept) and Flask-Login's freshness (no page shows it).
VOLATILE_SESSION_KEYS = frozenset({"csrf_token", "_flashes", "lms_seen_at", "_fresh"})
#: What goes in a gap of a kept page: this session's CSRF token, or a new one-time token.
CSRF, ONCE = "csrf", "once"
REDIS_KEY = "lms:page-version"
#: How long a worker renders every page after the version was out of reach, before it tries again.
RETRY_SECONDS = 5
#: The Cache-Control of a page kept for someone logged in, as lms/core/headers.py gives it.
PRIVATE = "no-store, private"
#: session.info key: this transaction wrote, so its commit changes the version.
WROTE = "lms_wrote"


def cached_page(view):
    """Keep the view's page (a GET answering HTML) until the data changes; see the module's docstring."""
    view.lms_kept_page = True
    return view


class FileVersion:
    """The version in a file: for the workers of one machine."""

    def __init__(self, path: str):
        self.path = Path(path)

    def read(self) -> str:
        try:
            return self.path.read_text()
        except FileNotFoundError:
            self.change()
            return self.path.read_text()

    def change(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        draft = self.path.with_name(f"{self.path.name}.{secrets.token_hex(4)}")  # one per writer, threads too
        draft.write_text(secrets.token_hex(8))
        os.replace(draft, self.path)  # readers see the old value or the new one, never half of one


class RedisVersion:
    """The version in Redis: for app servers on several machines."""

    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url, **REDIS_OPTIONS)

    def read(self) -> str:
        value = self.client.get(REDIS_KEY)
        if value is None:
            self.client.set(REDIS_KEY, secrets.token_hex(8), nx=True)
            value = self.client.get(REDIS_KEY)
        return value.decode()

    def change(self) -> None:
        self.client.set(REDIS_KEY, secrets.token_hex(8))


class AsIs(BaseSerializer):
    """Kept pages are tuples of bytes and strings that nothing changes: stored as they are, not pickled."""

    def dumps(self, value, protocol=None):
        return value

    def loads(self, bvalue):
        return bvalue


class Pages(SimpleCache):
    """A worker's kept pages, with the oldest dropped beyond LMS_PAGE_CACHE_ENTRIES."""

    serializer = AsIs()


class PageCache:
    """The pages one worker keeps, and where the version is.

    While the version is out of reach (Redis down or hung, a disk that refuses the file) no page is kept or
    shown again: the worker drops what it kept, renders every page, and tries the version again after
    RETRY_SECONDS, logging once when it goes and once when it is back. A change of version that failed is
    made first when it is back, so pages other workers kept before it are not shown again either.
    """

    def __init__(self, app):
        self.pages = Pages(threshold=app.config["LMS_PAGE_CACHE_ENTRIES"],
                           default_timeout=app.config["LMS_PAGE_CACHE_SECONDS"])
        url = app.config["LMS_PAGE_VERSION_URL"] or app.config.get("RATELIMIT_STORAGE_URI", "")
        if url.startswith(("redis://", "rediss://", "unix://")):
            self.version = RedisVersion(url)
        else:
            self.version = FileVersion(app.config["LMS_PAGE_VERSION_FILE"]
                                       or os.path.join(app.instance_path, "page-version"))
        #: When to try the version again (monotonic seconds); 0 while it is within reach.
        self.retry_at = 0.0
        #: A change of version failed: the data changed and the version does not say so yet.
        self.change_owed = False

    def current_version(self) -> str | None:
        """The version, or None while it is out of reach."""
        if self.retry_at and time.monotonic() < self.retry_at:
            return None
        try:
            if self.change_owed:
                self.version.change()
                self.change_owed = False
            value = self.version.read()
        except Exception as error:  # noqa: BLE001 - whatever the store raises, pages must still render
            self._lost(error)
            return None
        if self.retry_at:
            self.retry_at = 0.0
            log.warning("The page version is back: pages are kept again")
        return value

    def data_changed(self) -> None:
        try:
            self.version.change()
        except Exception as error:  # noqa: BLE001 - the write is saved; the pages must not outlive it
            self.change_owed = True
            self._lost(error)

    def _lost(self, error: Exception) -> None:
        self.pages.clear()
        if not self.retry_at:
            log.warning("The page version is out of reach (%s): pages are rendered, not kept, until it is back",
                        type(error).__name__)
        self.retry_at = time.monotonic() + RETRY_SECONDS


def new_cache(app) -> PageCache | None:
    return PageCache(app) if app.config["LMS_PAGE_CACHE_SECONDS"] else None


def serve_kept_page():
    """A before_request hook: answer with the kept page when there is one for this session and version."""
    cache = current_app.extensions["lms"].page_cache
    if cache is None or request.method != "GET" \
            or not getattr(current_app.view_functions.get(request.endpoint), "lms_kept_page", False) \
            or session.get("_flashes") or not session_is_current() or not _protection_holds():
        return None
    version = cache.current_version()
    if version is None:
        return None
    g.lms_page_key = key = _key(version)
    kept = cache.pages.get(key)
    if kept is None:
        return None
    pieces, gaps, private = kept
    g.lms_page_kept = True
    note_activity()
    response = make_response(_fill(pieces, gaps))
    if private:
        _make_private(response)
    return response


def keep_page(response):
    """An after_request hook: keep a page rendered for its first showing."""
    key = g.get("lms_page_key")
    if key is None or g.get("lms_page_kept") or response.status_code != 200 or response.mimetype != "text/html" \
            or response.is_streamed or session.get("_flashes") or _key_state() != g.lms_page_state:
        return response
    private = current_user.is_authenticated
    if private:
        _make_private(response)
    current_app.extensions["lms"].page_cache.pages.set(key, (*_punch(response.get_data(as_text=True)), private))
    return response


def _make_private(response) -> None:
    response.headers["Cache-Control"] = PRIVATE
    response.vary.add("Cookie")


def unlimited_kept_page() -> bool:
    """A Flask-Limiter request filter: no limit applies to a kept page unless the app sets default limits."""
    config = current_app.config
    return request.method == "GET" and not config.get("RATELIMIT_DEFAULT") \
        and not config.get("RATELIMIT_APPLICATION") \
        and getattr(current_app.view_functions.get(request.endpoint), "lms_kept_page", False)


limiter.request_filter(unlimited_kept_page)  # the limiter's own check of them costs a fifth of a kept page


def _key_state() -> list:
    return sorted((k, v) for k, v in session.items() if k not in VOLATILE_SESSION_KEYS)


def _key(version: str) -> str:
    g.lms_page_state = state = _key_state()
    parts = (request.host_url, request.full_path, request.headers.get("Accept-Language", ""),
             program_today().isoformat(), version, state)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _protection_holds() -> bool:
    """Flask-Login's session protection would not object to this request (it is checked again on a miss)."""
    return "_id" not in session or session["_id"] == _create_identifier()


def _punch(page: str) -> tuple[tuple[bytes, ...], tuple[str, ...]]:
    """The page as UTF-8 pieces between its per-showing tokens, and which token goes in each gap."""
    tokens = {token: ONCE for token in g.get(PAGE_TOKENS, ())}
    csrf = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if csrf:
        tokens[csrf] = CSRF
    if not tokens:
        return (page.encode(),), ()
    pieces = re.split(f"({'|'.join(map(re.escape, tokens))})", page)
    return tuple(p.encode() for p in pieces[::2]), tuple(tokens[t] for t in pieces[1::2])


def _fill(pieces: tuple[bytes, ...], gaps: tuple[str, ...]) -> bytes:
    csrf = generate_csrf().encode() if CSRF in gaps else b""
    if ONCE not in gaps:
        return csrf.join(pieces)
    page = [pieces[0]]
    for gap, piece in zip(gaps, pieces[1:]):
        page += [csrf if gap == CSRF else new_token().encode(), piece]
    return b"".join(page)


def _mark_written(session: Session, *args) -> None:
    session.info[WROTE] = True


def _mark_dml(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE] = True


def _change_version(session: Session) -> None:
    if not session.info.pop(WROTE, False):
        return
    cache = current_app.extensions["lms"].page_cache if "lms" in current_app.extensions else None
    if cache is not None:
        cache.data_changed()


def _forget_writes(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is not None:  # a savepoint or a failed flush: the rest may still commit
        return
    session.info.pop(WROTE, None)


def watch_writes() -> None:
    """Change the version after every commit of the session that wrote."""
    for name, listener in (("after_flush", _mark_written), ("do_orm_execute", _mark_dml),
                           ("after_commit", _change_version), ("after_soft_rollback", _forget_writes)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
