"""The Flask extension instances the plugin shares with its host app."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

#: Deterministic constraint names, so migrations can refer to them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
#: Every call to Redis waits this long at most, and is not retried: Redis must never hold a page up.
REDIS_OPTIONS = {"socket_timeout": 0.3, "socket_connect_timeout": 0.3, "retry": Retry(NoBackoff(), 0)}
#: Counters live at LMS_RATELIMIT_STORAGE_URI: memory in development, Redis shared by gunicorn workers in production.
#: While Redis is out of reach each worker counts in its own memory (logged when it goes and when it is back;
#: Flask-Limiter looks for it again after 1, 2, 4 ... 32 seconds), and an error is logged, never a 500.
limiter = Limiter(key_func=get_remote_address, key_prefix="lms", storage_options=REDIS_OPTIONS,
                  in_memory_fallback_enabled=True, swallow_errors=True)
