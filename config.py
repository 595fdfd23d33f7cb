"""Configurations for the standalone host: development, testing and production.

Nothing here reads files; wsgi.create_app applies a class, then the environment variables
that environment_settings() reads at that moment, then checks the result.
"""

import os
from collections.abc import Mapping

#: The secret development runs with; production refuses to start with it.
DEV_SECRET_KEY = "dev-only-not-secret"


def database_url(value: str | None) -> str | None:
    """Point PostgreSQL URLs at psycopg 3, whatever spelling a hosting platform uses."""
    if not value:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix):]
    return value


def environment_settings(environ: Mapping[str, str] = os.environ) -> dict:
    """Settings a deployment gives as environment variables."""
    settings = {}
    if environ.get("SECRET_KEY"):
        settings["SECRET_KEY"] = environ["SECRET_KEY"]
    if environ.get("DATABASE_URL"):
        settings["SQLALCHEMY_DATABASE_URI"] = database_url(environ["DATABASE_URL"])
    for name, convert in ENVIRONMENT_SETTINGS.items():
        if environ.get(name):
            settings[name] = convert(environ[name])
    return settings


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


#: LMS settings a deployment may give as environment variables of the same name, and their types.
ENVIRONMENT_SETTINGS = {
    "LMS_TIMEZONE": str, "LMS_URL_PREFIX": str, "LMS_RATELIMIT_STORAGE_URI": str,
    "LMS_MAIL_SERVER": str, "LMS_MAIL_PORT": int, "LMS_MAIL_USE_TLS": _flag, "LMS_MAIL_USE_SSL": _flag,
    "LMS_MAIL_USERNAME": str, "LMS_MAIL_PASSWORD": str, "LMS_MAIL_SENDER": str,
    "LMS_ENCRYPTION_KEYS": lambda value: [k.strip() for k in value.split(",") if k.strip()],
    "LMS_PUBLIC_URL": str, "LMS_CERTIFICATE_ISSUER": str, "LMS_CREDENTIAL_SIGNING_KEY": str,
    "LMS_BACKUP_DIR": str, "LMS_PG_DUMP": str, "LMS_PG_RESTORE": str, "LMS_TRUSTED_PROXIES": int,
    "LMS_PAGE_CACHE_SECONDS": int, "LMS_PAGE_VERSION_URL": str, "LMS_PAGE_VERSION_FILE": str,
}


class Config:
    SECRET_KEY = DEV_SECRET_KEY
    #: None means an SQLite file in the app's instance folder.
    SQLALCHEMY_DATABASE_URI = None
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    #: Whether environment variables apply (testing never points at a real database).
    USE_ENVIRONMENT = True

    @staticmethod
    def check(config: Mapping) -> None:
        """Raise if the finished configuration cannot run safely."""


class DevelopmentConfig(Config):
    #: Without LMS_PUBLIC_URL, links follow the address served (`make run` gives the CLI the one it will serve),
    #: and mail is logged whole. Trusting the Host header is fine here, where only the developer connects.
    LMS_DEVELOPMENT = True


class TestingConfig(Config):
    TESTING = True
    USE_ENVIRONMENT = False
    SECRET_KEY = "testing-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    LMS_DEVELOPMENT = True
    #: The test client's address, so links built outside a request match it too.
    LMS_PUBLIC_URL = "http://localhost"
    # Cheap hashes keep the suite fast; the algorithm is still argon2id.
    LMS_ARGON2_TIME_COST = 1
    LMS_ARGON2_MEMORY_COST = 8
    LMS_ARGON2_PARALLELISM = 1


class ProductionConfig(Config):
    SECRET_KEY = None
    #: The browser keeps a __Host- cookie only if it is Secure, for the whole site and no other domain: a
    #: neighbouring subdomain cannot plant or overwrite it (session fixation, CSRF token tossing).
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_PATH = "/"
    SESSION_COOKIE_DOMAIN = None
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    LMS_ALLOW_DEMO_DATA = False
    LMS_HSTS = True

    @staticmethod
    def check(config: Mapping) -> None:
        problems = []
        if not config.get("SECRET_KEY") or config["SECRET_KEY"] == DEV_SECRET_KEY:
            problems.append("set SECRET_KEY to a long random value")
        if not config.get("SQLALCHEMY_DATABASE_URI"):
            problems.append("set DATABASE_URL to the PostgreSQL database")
        if not config.get("LMS_ENCRYPTION_KEYS"):
            problems.append("set LMS_ENCRYPTION_KEYS (generate one with `flask lms generate-key`)")
        if not str(config.get("LMS_RATELIMIT_STORAGE_URI", "")).startswith(("redis://", "rediss://")):
            problems.append("set LMS_RATELIMIT_STORAGE_URI to the Redis server the workers share")
        # Links in production never come from the request's Host header, which a client chooses.
        if not str(config.get("LMS_PUBLIC_URL") or "").startswith("https://"):
            problems.append("set LMS_PUBLIC_URL to the site's https:// address (certificates print it)")
        if not config.get("LMS_CREDENTIAL_SIGNING_KEY"):
            problems.append("set LMS_CREDENTIAL_SIGNING_KEY (generate one with `flask lms generate-signing-key`)")
        if config.get("DEBUG"):
            problems.append("turn debug mode off (FLASK_DEBUG)")
        if problems:
            raise RuntimeError("Production configuration refused to start: " + "; ".join(problems) + ".")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
