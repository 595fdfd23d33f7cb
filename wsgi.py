"""The standalone host: `flask --app wsgi ...` and `gunicorn wsgi:app`.

LMS_ENV picks the configuration: development (the default), testing or production.
"""

import logging
import os
from pathlib import Path

from flask import Flask
from flask_migrate import Migrate
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, environment_settings
from lms import LMS, db

MIGRATIONS = str(Path(__file__).parent / "migrations")


def create_app(env: str | None = None, **overrides) -> Flask:
    """Build the standalone app for `env`; keyword arguments override any setting."""
    env = env or os.environ.get("LMS_ENV", "development")
    if env not in CONFIGS:
        raise RuntimeError(f"LMS_ENV must be one of {', '.join(CONFIGS)}, not {env!r}.")
    config = CONFIGS[env]

    app = Flask(__name__)
    app.config.from_object(config)
    if config.USE_ENVIRONMENT:
        app.config.update(environment_settings())
    app.config.update(overrides)
    config.check(app.config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'lms.sqlite3'}"
    if not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    LMS(app)
    Migrate(app, db, directory=MIGRATIONS, render_as_batch=True, compare_type=True)
    if proxies := app.config.get("LMS_TRUSTED_PROXIES", 0):
        # Behind that many proxies (a TLS proxy, a load balancer), take the client's address and scheme
        # from their X-Forwarded-For/-Proto headers; with none, those headers are ignored, never trusted.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    return app


def __getattr__(name: str) -> Flask:
    """Build `app` on first use, so importing create_app has no side effects."""
    if name == "app":
        globals()["app"] = create_app()
        return globals()["app"]
    raise AttributeError(name)
