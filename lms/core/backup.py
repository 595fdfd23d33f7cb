"""Back up and restore the whole database: SQLite with its online backup API, PostgreSQL with pg_dump.

A backup is written to a temporary file only its owner can read, checked, and only then renamed
into place, so a failed backup never leaves a file that looks whole. A restore first makes sure
the file is a backup of this program at a schema this code knows, then replaces every table at
once (SQLite's backup API copies the pages under one lock; pg_restore runs in a single
transaction), so a refused or failed restore leaves the database as it was.
"""

import os
import sqlite3
import subprocess
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url

from lms.extensions import db

#: Pages copied per step of SQLite's backup, between progress reports.
SQLITE_STEP_PAGES = 256
#: Tables a file must hold, with Alembic's version table, to be taken for this program's database.
REQUIRED_TABLES = {"lms_user", "lms_audit_event"}
#: Backups hold password hashes and personal data: only their owner may read them or enter their folder.
FILE_MODE = 0o600
FOLDER_MODE = 0o700


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why."""


def database_url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def suffix(url: URL) -> str:
    return ".sqlite3" if url.get_backend_name() == "sqlite" else ".dump"


def backup(target: Path, progress: Callable[[int, int], None] = lambda done, total: None) -> Path:
    """Copy the live database to `target`; `progress(done, total)` reports pages (SQLite) or steps."""
    url = database_url()
    # A folder made here is its owner's alone. One that exists keeps its mode: whoever made it chose
    # who may enter it (a group that copies the backups off the machine, say).
    target.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        _create_private(partial)  # SQLite and pg_dump write into it, so it is never readable by others
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
    check(source)
    url = database_url()
    db.session.remove()
    db.engine.dispose()  # our own connections would hold locks the restore waits for
    if url.get_backend_name() == "sqlite":
        try:
            _sqlite_copy(str(source), _sqlite_path(url), progress)
        except sqlite3.Error as error:
            raise BackupError(f"SQLite could not restore the database: {error}") from None
    else:
        _run([current_app.config["LMS_PG_RESTORE"], "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", "--exit-on-error", "--dbname", _conninfo(url), str(source)], url)
        progress(1, 1)
    db.engine.dispose()
    if current_app.extensions["lms"].page_cache is not None:
        current_app.extensions["lms"].page_cache.version.change()  # pages kept by running workers are old now


def check(source: Path) -> None:
    """Refuse a file that is not a backup of this program, or is at a schema newer than this code knows."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    sqlite = database_url().get_backend_name() == "sqlite"
    version_table = _version_table()
    tables = _sqlite_tables(source) if sqlite else _dump_tables(source)
    if missing := (REQUIRED_TABLES | {version_table}) - tables:
        raise BackupError(f"{source} is not a backup of this program (no {', '.join(sorted(missing))} table)")
    if foreign := sorted(name for name in tables if not _ours(name, version_table)):
        raise BackupError(f"{source} is not a backup of this program alone: it holds tables that are not "
                          f"the program's ({', '.join(foreign)})")
    known = known_revisions()
    revisions = _sqlite_revisions(source, version_table) if sqlite else _dump_revisions(source, version_table)
    if known is not None and (unknown := revisions - known):
        raise BackupError(f"{source} is at schema revision {', '.join(sorted(unknown))}, which this version of "
                          "the program does not know: restore it with the version that made it, or a newer one")


def schema_revision() -> str | None:
    """The Alembic revision the live database is at, if it has one."""
    version_table = _version_table()
    with db.engine.connect() as connection:
        if not inspect(connection).has_table(version_table):
            return None
        return connection.exec_driver_sql(f"SELECT version_num FROM {version_table}").scalar()


def known_revisions() -> set[str] | None:
    """Every revision of the migrations Flask-Migrate runs for this app; None when it is not set up."""
    migrate = current_app.extensions.get("migrate")
    if migrate is None:
        return None
    return {script.revision for script in ScriptDirectory(migrate.directory).walk_revisions()}


def _version_table() -> str:
    migrate = current_app.extensions.get("migrate")
    return (migrate.configure_args if migrate else {}).get("version_table", "alembic_version")


def _ours(table: str, version_table: str) -> bool:
    """The program's tables (and an old backup's dropped ones) are lms_*; a host sharing `db` adds its own."""
    return table.startswith("lms_") or table == version_table or table in db.metadata.tables


def _create_private(path: Path) -> None:
    path.unlink(missing_ok=True)  # left by a backup that was killed
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))


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


def _sqlite_tables(source: Path) -> set[str]:
    try:
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as origin:
            names = [row[0] for row in origin.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            ok = origin.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} is not an SQLite database ({error})") from None
    if not ok:
        raise BackupError(f"{source} fails SQLite's integrity check")
    return {name for name in names if not name.startswith("sqlite_")}  # SQLite's own, such as sqlite_sequence


def _sqlite_revisions(source: Path, version_table: str) -> set[str]:
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as origin:
        return {row[0] for row in origin.execute(f'SELECT version_num FROM "{version_table}"')}


def _dump_tables(source: Path) -> set[str]:
    """The tables in pg_dump's archive, by name (schema.name outside the public schema)."""
    listing = _run([current_app.config["LMS_PG_RESTORE"], "--list", str(source)], database_url(), check=False)
    if listing.returncode != 0:
        raise BackupError(f"{source} is not a backup of this program: pg_restore cannot read it "
                          f"({listing.stderr.strip()})")
    tables = set()
    for line in listing.stdout.splitlines():  # "215; 1259 16386 TABLE public invoices postgres"
        fields = line.split()
        if not line.startswith(";") and len(fields) > 5 and fields[3] == "TABLE" and fields[4] != "DATA":
            tables.add(fields[5] if fields[4] == "public" else f"{fields[4]}.{fields[5]}")
    return tables


def _dump_revisions(source: Path, version_table: str) -> set[str]:
    """The rows of the archive's version table, read from the SQL that pg_restore would run."""
    script = _run([current_app.config["LMS_PG_RESTORE"], "--data-only", f"--table={version_table}", "--file=-",
                   str(source)], database_url()).stdout
    revisions, copying = set(), False
    for line in script.splitlines():
        if copying and line == "\\.":
            copying = False
        elif copying:
            revisions.add(line.split("\t")[0])
        else:
            copying = line.startswith("COPY ") and line.endswith(" FROM stdin;")
    return revisions


def _conninfo(url: URL) -> str:
    """A libpq address without the password, which goes in the environment rather than the command line."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(command: list[str], url: URL, *, check: bool = True) -> subprocess.CompletedProcess:
    """Run a PostgreSQL client program; anything it creates is its owner's alone."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    try:
        finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False, umask=0o077)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client)") from None
    if check and finished.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {finished.stderr.strip() or finished.returncode}")
    return finished
