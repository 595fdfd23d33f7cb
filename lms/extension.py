"""The LMS extension object: stores options, and wires everything in init_app."""

import copy
from datetime import timedelta
import logging
import weakref
from dataclasses import dataclass

from argon2 import PasswordHasher
from flask import Flask
from flask_babel import get_babel
from sqlalchemy import event
from werkzeug.routing import IntegerConverter
from sqlalchemy.exc import InterfaceError, OperationalError

from lms import i18n
from lms.i18n import lazy_gettext as _l
from lms.languages import catalogs
from lms.accounts.sessions import load_user
from lms.core import pagecache
from lms.extensions import babel, csrf, db, limiter, login_manager
from lms.reports.suppression import check_k

log = logging.getLogger(__name__)

#: Every setting the plugin reads, with its default. A host overrides them in app.config.
DEFAULTS = {
    "LMS_URL_PREFIX": None,
    #: The template every LMS page extends; a host can point it at its own layout.
    "LMS_BASE_TEMPLATE": "lms/layout.html",
    #: Shown in the header and page titles; None uses the translated program name.
    "LMS_SITE_NAME": None,
    "LMS_LANGUAGES": list(i18n.DEFAULT_LANGUAGES),
    "LMS_DEFAULT_LOCALE": "en",
    "LMS_TIMEZONE": "America/Los_Angeles",
    "LMS_PAGE_SIZE": 25,
    "LMS_ALLOW_REGISTRATION": True,
    #: Register the friendly error pages for the whole app, not only for LMS views.
    "LMS_ERROR_PAGES": True,
    #: Allow `flask lms demo-data`; production turns this off.
    "LMS_ALLOW_DEMO_DATA": True,
    #: argon2id cost; the defaults are argon2-cffi's (RFC 9106 low-memory profile).
    "LMS_ARGON2_TIME_COST": 3,
    "LMS_ARGON2_MEMORY_COST": 65536,
    "LMS_ARGON2_PARALLELISM": 4,
    "LMS_SQLITE_BUSY_TIMEOUT_MS": 5000,
    #: Login throttling (also the second factor and reauthentication): failed attempts before refusing for a while,
    #: per account from one address, per account from all addresses together, and per address for all accounts.
    "LMS_LOGIN_LIMIT_PAIR": "10 per 15 minutes",
    "LMS_LOGIN_LIMIT_ACCOUNT": "100 per hour",
    "LMS_LOGIN_LIMIT_ADDRESS": "30 per 15 minutes",
    #: Where rate-limit counters live; use a Redis URL when several workers serve the app.
    "LMS_RATELIMIT_STORAGE_URI": "memory://",
    "LMS_SESSION_IDLE_MINUTES": 30,
    "LMS_SESSION_MAX_HOURS": 12,
    #: How long a login counts as recent for sensitive actions (role changes, exports...).
    "LMS_RECENT_LOGIN_MINUTES": 10,
    #: Administrators must use a second factor before they reach admin pages.
    "LMS_ADMIN_REQUIRES_2FA": True,
    "LMS_RESET_TOKEN_MINUTES": 60,
    "LMS_VERIFY_TOKEN_HOURS": 72,
    #: Strict-Transport-Security; production turns it on.
    "LMS_HSTS": False,
    #: Self check-in opens this long before a session starts; it closes when the session ends.
    "LMS_CHECKIN_MARGIN_MINUTES": 15,
    #: A check-in this long after the start counts as late.
    "LMS_LATE_AFTER_MINUTES": 10,
    #: Wrong check-in codes a person may try per session (only failures count).
    "LMS_CHECKIN_LIMIT": "10 per 10 minutes",
    #: Paper for printed documents (hours ledgers, certificates): "letter" or "A4".
    "LMS_PAPER_SIZE": "letter",
    #: The site's public address (e.g. https://learn.example.org); certificates print links under it.
    "LMS_PUBLIC_URL": None,
    #: A development site: without LMS_PUBLIC_URL its links follow the address served, and mail it cannot send is
    #: logged whole. Never in production, where a client's Host header would choose the links.
    "LMS_DEVELOPMENT": False,
    #: Printed on certificates when a program's rules name no issuer.
    "LMS_CERTIFICATE_ISSUER": "King County Best Starts for Kids",
    #: Certificates the admin's "issue to every eligible trainee" makes per request (the page repeats it).
    "LMS_CERTIFICATE_BATCH": 25,
    #: Requests to the public verification pages, per address.
    "LMS_VERIFY_LIMIT": "30 per minute",
    #: The Ed25519 key that signs Open Badges credentials (PEM or base64url seed); derived from SECRET_KEY if unset.
    "LMS_CREDENTIAL_SIGNING_KEY": None,
    #: Program reports show counts from 1 to k-1 as "<k"; k is at least 3.
    "LMS_REPORT_MIN_CELL": 5,
    #: Fernet keys for confidential text at rest, newest first (see lms/core/crypto.py).
    "LMS_ENCRYPTION_KEYS": [],
    #: SMTP; with no server, emails are written to the log (development).
    "LMS_MAIL_SERVER": None,
    "LMS_MAIL_PORT": 587,
    "LMS_MAIL_USE_TLS": True,
    "LMS_MAIL_USE_SSL": False,
    "LMS_MAIL_USERNAME": None,
    "LMS_MAIL_PASSWORD": None,
    "LMS_MAIL_SENDER": "BIPOC Community of Leaders <no-reply@localhost>",
    "LMS_MAIL_TIMEOUT": 10,
    #: `flask lms backup` writes here by default (relative paths are under the instance folder).
    "LMS_BACKUP_DIR": "backups",
    #: PostgreSQL's client programs; name a versioned path if the server is newer than the default client.
    "LMS_PG_DUMP": "pg_dump",
    "LMS_PG_RESTORE": "pg_restore",
    #: The busiest pages are kept rendered this long at most (0 turns the cache off), see lms/core/pagecache.py.
    "LMS_PAGE_CACHE_SECONDS": 30,
    #: Pages each worker keeps at most.
    "LMS_PAGE_CACHE_ENTRIES": 500,
    #: Where the page version lives: a Redis URL (None: the rate limits' storage, when that is Redis) ...
    "LMS_PAGE_VERSION_URL": None,
    #: ... or else this file (None: "page-version" in the instance folder), for the workers of one machine.
    "LMS_PAGE_VERSION_FILE": None,
}

#: Settings of other extensions the plugin relies on, applied with setdefault.
FLASK_DEFAULTS = {
    #: The session cookie is rewritten when the session changes, and the idle clock changes it at most
    #: every 30 seconds (lms/accounts/sessions.py): signing a new cookie on every request buys nothing.
    "SESSION_REFRESH_EACH_REQUEST": False,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
}


@dataclass
class LMSState:
    """What init_app built for one app, kept in app.extensions["lms"]."""

    url_prefix: str | None
    password_hasher: PasswordHasher
    #: A hash verified for unknown emails so they take as long as real ones; made on first use.
    dummy_hash: str | None = None
    #: The MultiFernet built from LMS_ENCRYPTION_KEYS; made on first use.
    fernet: object | None = None
    #: Rendered pages kept in this worker (lms/core/pagecache.py); None when turned off.
    page_cache: object | None = None


class LMS:
    """The certificate-program plugin: `LMS(app)` or `lms.init_app(app, url_prefix=...)`."""

    def __init__(self, app: Flask | None = None, *, url_prefix: str | None = None):
        self.url_prefix = url_prefix
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask, url_prefix: str | None = None) -> None:
        from lms import cli, views
        from lms.core import headers, rendering

        if "lms" in app.extensions:
            raise RuntimeError(
                "The LMS extension is already registered on this app. "
                "Call LMS(app) or lms.init_app(app) once per app."
            )
        for key, value in DEFAULTS.items():
            app.config.setdefault(key, copy.deepcopy(value))
        for key, value in FLASK_DEFAULTS.items():
            # Flask's own defaults are present from the start: replace them, keep what the host chose.
            if app.config.get(key) == Flask.default_config.get(key):
                app.config[key] = value
        check_k(app.config["LMS_REPORT_MIN_CELL"])
        prefix = _normalise_prefix(
            url_prefix if url_prefix is not None else self.url_prefix or app.config["LMS_URL_PREFIX"]
        )

        _init_database(app)
        _init_login(app)
        if "csrf" not in app.extensions:
            csrf.init_app(app)
        _init_babel(app)
        app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["LMS_RATELIMIT_STORAGE_URI"])
        if app.config["PERMANENT_SESSION_LIFETIME"] == Flask.default_config["PERMANENT_SESSION_LIFETIME"]:
            app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config["LMS_SESSION_MAX_HOURS"])
        limiter.init_app(app)
        app.after_request(headers.add_security_headers)

        app.url_map.converters["lms_id"] = RowId
        app.register_blueprint(views.blueprint, url_prefix=prefix)
        app.cli.add_command(cli.lms_cli)
        if app.config["LMS_ERROR_PAGES"]:
            views.register_app_error_pages(app)
        app.context_processor(views.template_context)
        app.jinja_env.globals.update(rendering.JINJA_GLOBALS)
        app.jinja_env.filters.update(rendering.JINJA_FILTERS)

        app.extensions["lms"] = LMSState(
            url_prefix=prefix,
            password_hasher=PasswordHasher(
                time_cost=app.config["LMS_ARGON2_TIME_COST"],
                memory_cost=app.config["LMS_ARGON2_MEMORY_COST"],
                parallelism=app.config["LMS_ARGON2_PARALLELISM"],
            ),
            page_cache=pagecache.new_cache(app),
        )


class RowId(IntegerConverter):
    """A row's id in an address: a number the database's integer keys can hold, or the page is not found."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=2**31 - 1)


def _normalise_prefix(prefix: str | None) -> str | None:
    if not prefix or prefix.strip("/") == "":
        return None
    return "/" + prefix.strip("/")


def _init_database(app: Flask) -> None:
    registered = app.extensions.get("sqlalchemy")
    if registered is not None and registered is not db:
        raise RuntimeError(
            "This app already has its own Flask-SQLAlchemy instance. "
            "Use `from lms import db` as the app's SQLAlchemy object so both share one session."
        )
    if registered is None:
        uri = app.config.get("SQLALCHEMY_DATABASE_URI") or ""
        if uri.startswith("postgresql"):
            app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {}).setdefault("pool_pre_ping", True)
        db.init_app(app)
    pagecache.watch_writes()
    # Runs before Flask-SQLAlchemy's own teardown (teardowns run last registered first).
    app.teardown_appcontext(_end_session)
    busy_timeout_ms = int(app.config["LMS_SQLITE_BUSY_TIMEOUT_MS"])
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite" and engine not in _sqlite_engines:
                _sqlite_engines.add(engine)
                event.listen(engine, "connect", _sqlite_setup(busy_timeout_ms))


_sqlite_engines: "weakref.WeakSet" = weakref.WeakSet()


def _end_session(_error) -> None:
    """Close the request's session; a connection the database dropped meanwhile is discarded, not a failure.

    The answer is already made by then: a PostgreSQL restart between it and this rollback must not
    turn a page that was read into an error.
    """
    try:
        db.session.remove()
    except (OperationalError, InterfaceError):
        db.session.remove()  # the dropped connection is invalidated by now; this closes the session cleanly


def _sqlite_setup(busy_timeout_ms: int):
    """Turn on foreign keys, write-ahead logging and a busy timeout for each SQLite connection.

    SQLite's own lower() only folds ASCII; Python's folds every script, as PostgreSQL's does,
    so searching Cyrillic or Vietnamese names works the same on both databases.
    """

    def on_connect(dbapi_connection, connection_record) -> None:
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
        cursor.close()

    return on_connect


def _lower(value):
    return value.lower() if isinstance(value, str) else value


login_manager.login_view = "lms.accounts.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"
login_manager.user_loader(load_user)


def _init_login(app: Flask) -> None:
    existing = getattr(app, "login_manager", None)
    if existing is not None and existing is not login_manager:
        raise RuntimeError(
            "This app already has its own Flask-Login LoginManager; the LMS needs its own user "
            "model to be the app's current_user. Mount the LMS on an app without one."
        )
    if existing is None:
        login_manager.init_app(app)


def _init_babel(app: Flask) -> None:
    if "babel" not in app.extensions:
        babel.init_app(
            app,
            default_locale=app.config["LMS_DEFAULT_LOCALE"],
            default_timezone="UTC",
            locale_selector=i18n.select_locale,
            timezone_selector=i18n.select_timezone,
        )
    ours = str(catalogs.DIRECTORY)
    directories = get_babel(app).translation_directories
    if ours not in directories:
        directories.append(ours)

