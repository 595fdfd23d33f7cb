"""Back up and restore the whole database: SQLite with its online backup API, PostgreSQL with pg_dump.

A backup is written to a temporary file, checked, and only then renamed into place, so a
failed backup never leaves a file that looks whole. A restore replaces every table at once
(SQLite's backup API copies the pages under one lock; pg_restore runs in a single transaction),
so a failed restore leaves the database as it was.
"""

import os
import sqlite3
import subprocess
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url

from lms.extensions import db

#: Pages copied per step of SQLite's backup, between progress reports.
SQLITE_STEP_PAGES = 256
#: Tables a file must hold to be taken for this program's database.
REQUIRED_TABLES = {"lms_user", "lms_audit_event"}


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why."""


def database_url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def suffix(url: URL) -> str:
    return ".sqlite3" if url.get_backend_name() == "sqlite" else ".dump"


def backup(target: Path, progress: Callable[[int, int], None] = lambda done, total: None) -> Path:
    """Copy the live database to `target`; `progress(done, total)` reports pages (SQLite) or steps."""
    url = database_url()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_copy(_sqlite_path(url), str(partial), progress)
        else:
            _run([current_app.config["LMS_PG_DUMP"], "--format=custom", "--no-owner", "--no-privileges",
                  f"--file={partial}", "--dbname", _conninfo(url)], url)
            _run([current_app.config["LMS_PG_RESTORE"], "--list", str(partial)], url)
            progress(1, 1)
        os.replace(partial, target)
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not copy the database: {error}") from None
    finally:
        partial.unlink(missing_ok=True)
    return target


def restore(source: Path, progress: Callable[[int, int], None] = lambda done, total: None) -> None:
    """Replace every table of the live database with the backup's. Stop the app's workers first."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    url = database_url()
    db.session.remove()
    db.engine.dispose()  # our own connections would hold locks the restore waits for
    if url.get_backend_name() == "sqlite":
        _check_sqlite_backup(source)
        try:
            _sqlite_copy(str(source), _sqlite_path(url), progress)
        except sqlite3.Error as error:
            raise BackupError(f"SQLite could not restore the database: {error}") from None
    else:
        _run([current_app.config["LMS_PG_RESTORE"], "--list", str(source)], url)
        _run([current_app.config["LMS_PG_RESTORE"], "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", "--exit-on-error", "--dbname", _conninfo(url), str(source)], url)
        progress(1, 1)
    db.engine.dispose()
    if current_app.extensions["lms"].page_cache is not None:
        current_app.extensions["lms"].page_cache.version.change()  # pages kept by running workers are old now


def schema_revision() -> str | None:
    """The Alembic revision the live database is at, if it has one."""
    with db.engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def _sqlite_path(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return url.database


def _sqlite_copy(origin: str, target: str, progress) -> None:
    """Copy every page of one SQLite database over another, under SQLite's locks, then check the copy."""
    with closing(sqlite3.connect(f"file:{origin}?mode=ro", uri=True)) as source, \
            closing(sqlite3.connect(target)) as copy:
        source.backup(copy, pages=SQLITE_STEP_PAGES, progress=lambda _s, left, total: progress(total - left, total))
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("the copy failed SQLite's integrity check")


def _check_sqlite_backup(source: Path) -> None:
    try:
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as origin:
            tables = {row[0] for row in origin.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            ok = origin.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} is not an SQLite database ({error})") from None
    if not ok:
        raise BackupError(f"{source} fails SQLite's integrity check")
    if missing := REQUIRED_TABLES - tables:
        raise BackupError(f"{source} is not a backup of this program (no {', '.join(sorted(missing))} table)")


def _conninfo(url: URL) -> str:
    """A libpq address without the password, which goes in the environment rather than the command line."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(command: list[str], url: URL) -> None:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    try:
        finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client)") from None
    if finished.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {finished.stderr.strip() or finished.returncode}")
